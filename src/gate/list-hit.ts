import type { ListKind } from '../pack/policy-pack.js';

/** A listing attribute found on a blocklist. */
export interface ListHit {
  kind: ListKind;
  value: string;
  /** The request field that carried it: `sellerId`, `shopId`, `seller.phoneHash`, ... */
  field: string;
}
