export const REASON_CODES = [
  'blocklist_seller',
  'blocklist_shop',
  'blocklist_identity',
  'indicator',
  'indicator_with_brand',
  'brand_below_floor',
  'rule',
  'text_fingerprint',
  'image_fingerprint',
  'ring',
  'brand_sound_alike',
  'degraded',
] as const;

export type ReasonCode = (typeof REASON_CODES)[number];

/** Why a listing got its verdict; offsets point into the caller's original field text. */
export interface Reason {
  code: ReasonCode;
  ref: string;
  field?: string;
  start?: number;
  end?: number;
}

export type Verdict = 'allow' | 'review' | 'block';
