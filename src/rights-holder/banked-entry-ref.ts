// Refs of fingerprints a rights holder banks: `rh/<holder>/<brandId>/<ref>` while
// private to its own brands, `ally/<holder>/<brandId>/<ref>` once shared with the
// alliance. The owner and the sharing travel with the ref, so every instance
// knows them from the bank alone.
import { liveBrandId } from './brand-registry.js';

export interface BankedEntryOwner {
  holder: string;
  /** The live id of the brand the entry protects. */
  brandId: string;
  shared: boolean;
  /** The holder's own ref. */
  ref: string;
}

export function bankedEntryRef(holder: string, brandId: string, ref: string, shared: boolean): string {
  return `${shared ? 'ally' : 'rh'}/${holder}/${brandId}/${ref}`;
}

export function bankedEntryOwner(ref: string): BankedEntryOwner | undefined {
  const shared = ref.startsWith('ally/');
  if (!shared && !ref.startsWith('rh/')) return undefined;
  const parts = ref.split('/');
  if (parts.length < 4) return undefined;
  const [, holder = '', brandId = ''] = parts;
  return { holder, brandId: liveBrandId(holder, brandId), shared, ref: parts.slice(3).join('/') };
}
