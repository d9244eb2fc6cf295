// Allowed checks a check thread answered by itself, as it sends them to the event
// loop: a flat list of strings, ALLOW_STRIDE per check, where a full outcome
// (listing, response, hits) is an object graph. Between two threads, a batch of
// 40 typical outcomes cost 11.4 µs a check to clone and read back; as strings, 1.4.

/** What the event loop records of an allowed check: metrics, the compact allow record, the seller's ring links. */
export interface ThreadAllow {
  listingId: string;
  sellerId: string;
  /** The compact allow record (allow-record.ts packAllowRecordAt). */
  packedRecord: string;
  /** The seller's ring graph nodes of the listing's attributes (seller-rings.ts nodesOf). */
  ringNodes: string[];
  region: string;
  tookMicros: number;
  matchMicros: number;
  late: boolean;
}

const ALLOW_STRIDE = 8;

export function pushThreadAllow(into: string[], allow: ThreadAllow): void {
  into.push(
    allow.listingId,
    allow.sellerId,
    allow.packedRecord,
    allow.ringNodes.length === 0 ? '' : JSON.stringify(allow.ringNodes),
    allow.region,
    String(allow.tookMicros),
    String(allow.matchMicros),
    allow.late ? '1' : '',
  );
}

export function threadAllowCount(flat: readonly string[]): number {
  return flat.length / ALLOW_STRIDE;
}

export function forEachThreadAllow(flat: readonly string[], visit: (allow: ThreadAllow) => void): void {
  for (let at = 0; at + ALLOW_STRIDE <= flat.length; at += ALLOW_STRIDE) {
    const nodes = flat[at + 3] ?? '';
    visit({
      listingId: flat[at] ?? '',
      sellerId: flat[at + 1] ?? '',
      packedRecord: flat[at + 2] ?? '',
      ringNodes: nodes === '' ? [] : (JSON.parse(nodes) as string[]),
      region: flat[at + 4] ?? '',
      tookMicros: Number(flat[at + 5]),
      matchMicros: Number(flat[at + 6]),
      late: flat[at + 7] === '1',
    });
  }
}
