// A ring exported for law enforcement: the whole view as JSON, or one CSV row per
// member with what links it and what it listed.
import { toCsv } from '../http/csv.js';
import type { RingView } from './ring-view.js';

export function cluePackageJson(view: RingView, exportedAt: Date): unknown {
  return { kind: 'clue-package', exportedAt: exportedAt.toISOString(), ...view };
}

export function cluePackageCsv(view: RingView): string {
  const shared = new Set(view.sharedAttributes.map((s) => s.attribute));
  return toCsv(
    ['ringId', 'sellerId', 'confirmedCounterfeit', 'firstSeen', 'lastSeen', 'regions', 'sharedAttributes', 'otherAttributes', 'listingCount', 'listings'],
    view.members.map((m) => [
      view.ringId,
      m.sellerId,
      m.confirmedCounterfeit,
      m.firstSeen,
      m.lastSeen,
      m.regions.join(';'),
      m.attributes.filter((a) => shared.has(a)).join(';'),
      m.attributes.filter((a) => !shared.has(a)).join(';'),
      m.listings.length,
      m.listings.join(';'),
    ]),
  );
}
