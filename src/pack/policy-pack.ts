/** A policy pack: everything the gate enforces, as data (contract section 2). */
export interface PolicyPack {
  packVersion: string;
  thresholds: { block: number; review: number };
  brands: BrandEntry[];
  indicators: IndicatorEntry[];
  exceptions: ExceptionEntry[];
  rules: RuleEntry[];
  lists: PackLists;
  fingerprints: { texts: BankedText[]; images: BankedImage[] };
  /** What a listing whose seller shares a ring with a confirmed counterfeit seller adds (default: thresholds.review). */
  ring?: { score: number };
  /**
   * The pack's shadow list values and banked items (`"mode": "shadow"`): never
   * seeded into the live lists and banks, matched on the check path instead.
   * Present only when the pack has at least one shadow entry of any kind, so a
   * pack without any costs a check one property read.
   */
  shadow?: ShadowEntries;
}

/** How an entry acts: `enforce` (the default) or `shadow`, matched and counted but never changing what a caller sees. */
export const ENTRY_MODES = ['enforce', 'shadow'] as const;
export type EntryMode = (typeof ENTRY_MODES)[number];

/** A pack entry's mode field: absent means enforced, so packs without shadow entries are unchanged. */
export interface ModalEntry {
  mode?: 'shadow';
}

export interface ShadowEntries {
  lists: PackLists;
  texts: BankedText[];
  images: BankedImage[];
}

export interface BrandEntry extends ModalEntry {
  id: string;
  names: string[];
  categories: string[];
  authorizedSellers: string[];
  /** Currency code -> lowest plausible genuine price. */
  priceFloor: Record<string, number>;
  /** The rights holder that registered the brand (absent for the pack's own brands). */
  owner?: string;
  /**
   * Match its Chinese names by their sound too (pinyin, initials, same-sound
   * characters: `brand_sound_alike`, worth a review, never a block). Default: DEFAULT_SOUND_ALIKES.
   */
  soundAlikes?: boolean;
}

/** A brand's `soundAlikes` when the pack does not say (README, "Sound-alikes of Chinese brand names"). */
export const DEFAULT_SOUND_ALIKES = true;

export interface IndicatorEntry extends ModalEntry {
  term: string;
  score: number;
  withBrand: number;
}

export interface ExceptionEntry {
  term: string;
  unlessNear: string[];
}

export const RULE_FIELDS = ['title', 'description', 'brand', 'attributes'] as const;
export type RuleField = (typeof RULE_FIELDS)[number];

export interface RuleEntry extends ModalEntry {
  id: string;
  type: 'literal' | 'regex';
  pattern: string;
  score: number;
  fields: RuleField[];
}

export const LIST_KINDS = ['sellers', 'shops', 'phones', 'devices', 'paymentAccounts'] as const;
export type ListKind = (typeof LIST_KINDS)[number];
export type PackLists = Record<ListKind, string[]>;

/** Lists of every kind, each empty. */
export function emptyPackLists(): PackLists {
  return Object.fromEntries(LIST_KINDS.map((kind) => [kind, []])) as unknown as PackLists;
}

/**
 * The pack without its lists and banked fingerprints: once written to Redis they
 * live there (and in the fingerprint banks), and a million-entry list need not
 * stay on a heap or cross between threads.
 */
export function withoutSeededEntries<P extends { lists: PackLists; fingerprints: PolicyPack['fingerprints'] }>(pack: P): P {
  return { ...pack, lists: emptyPackLists(), fingerprints: { texts: [], images: [] } };
}

export interface BankedText {
  ref: string;
  text: string;
}

export interface BankedImage {
  ref: string;
  phash: string;
}
