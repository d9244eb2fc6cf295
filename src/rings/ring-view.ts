// What an admin sees of a ring and exports as a clue package for law
// enforcement: its members, the attributes that link them, their listings,
// first and last seen, and counts by region.
import type { SellerRings } from './seller-rings.js';
import { ringLabel } from './seller-rings.js';

export interface RingMember {
  sellerId: string;
  confirmedCounterfeit: boolean;
  firstSeen: string;
  lastSeen: string;
  attributes: string[];
  regions: string[];
  listings: string[];
}

export interface RingView {
  ringId: string;
  members: RingMember[];
  /** Attributes held by two or more members: what links the ring. */
  sharedAttributes: Array<{ attribute: string; sellers: string[] }>;
  firstSeen: string;
  lastSeen: string;
  listingCount: number;
  confirmedCount: number;
  /** Members by the regions they declared or ship from (a member may count in several). */
  regions: Array<{ region: string; sellers: number }>;
}

/** At most this many members are expanded in a view (a ring larger than this is reported as truncated). */
export const MAX_RING_MEMBERS = 5_000;

export async function ringView(rings: SellerRings, sellerId: string): Promise<(RingView & { truncated: boolean }) | undefined> {
  const root = await rings.rootOf(sellerId);
  if (root === undefined) return undefined;
  const allMembers = await rings.membersOf(root);
  const memberIds = allMembers.slice(0, MAX_RING_MEMBERS);
  const confirmed = await rings.confirmedOf(root);
  const members: RingMember[] = [];
  const holders = new Map<string, string[]>();
  const regionCounts = new Map<string, number>();
  let first = Number.POSITIVE_INFINITY;
  let last = 0;
  let listingCount = 0;
  for (const id of memberIds) {
    const facts = await rings.sellerFacts(id);
    first = Math.min(first, facts.firstSeen);
    last = Math.max(last, facts.lastSeen);
    listingCount += facts.listings.length;
    for (const attribute of facts.attributes) holders.set(attribute, [...(holders.get(attribute) ?? []), id]);
    for (const region of facts.regions) regionCounts.set(region, (regionCounts.get(region) ?? 0) + 1);
    members.push({
      sellerId: id,
      confirmedCounterfeit: confirmed.has(id),
      firstSeen: new Date(facts.firstSeen).toISOString(),
      lastSeen: new Date(facts.lastSeen).toISOString(),
      attributes: facts.attributes,
      regions: facts.regions,
      listings: facts.listings,
    });
  }
  return {
    ringId: ringLabel(root),
    members,
    sharedAttributes: [...holders.entries()]
      .filter(([, sellers]) => sellers.length > 1)
      .map(([attribute, sellers]) => ({ attribute, sellers }))
      .sort((a, b) => a.attribute.localeCompare(b.attribute)),
    firstSeen: new Date(Number.isFinite(first) ? first : 0).toISOString(),
    lastSeen: new Date(last).toISOString(),
    listingCount,
    confirmedCount: confirmed.size,
    regions: [...regionCounts.entries()]
      .map(([region, sellers]) => ({ region, sellers }))
      .sort((a, b) => b.sellers - a.sellers || a.region.localeCompare(b.region)),
    truncated: allMembers.length > memberIds.length,
  };
}
