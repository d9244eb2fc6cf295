/** The fingerprint banks: banned images and texts, and their "never match" counterparts. */
export const FINGERPRINT_KINDS = ['images', 'texts', 'negative-images', 'negative-texts'] as const;
export type FingerprintKind = (typeof FINGERPRINT_KINDS)[number];

export function isImageKind(kind: FingerprintKind): boolean {
  return kind === 'images' || kind === 'negative-images';
}
