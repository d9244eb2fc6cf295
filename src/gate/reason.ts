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

// A reason and a verdict as the answer carries them: the client package's types
// (client/src/check-types.ts), whose ReasonCode is the union of REASON_CODES
// (test/client-package.test.ts does not compile when they differ).
export type { Reason, Verdict } from '../../client/src/check-types.js';
