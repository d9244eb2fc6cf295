// The sellers a change of the seller list can move: those listed or unlisted,
// and the members of their rings (a confirmed seller gives its ring the `ring`
// reason), as the ring graph holds them when the job is made. A seller linked
// into the ring later was checked live with the ring already confirmed.
import type { SellerRings } from '../rings/seller-rings.js';

/** Sellers asked about at once. */
const LOOKUP_BATCH = 500;

export async function sellersAndTheirRings(rings: Pick<SellerRings, 'rootOf' | 'membersOf'>, sellers: readonly string[]): Promise<string[]> {
  const out = new Set(sellers);
  const roots = new Set<string>();
  for (let i = 0; i < sellers.length; i += LOOKUP_BATCH) {
    for (const root of await Promise.all(sellers.slice(i, i + LOOKUP_BATCH).map((seller) => rings.rootOf(seller)))) if (root !== undefined) roots.add(root);
  }
  for (const root of roots) for (const member of await rings.membersOf(root)) out.add(member);
  return [...out];
}
