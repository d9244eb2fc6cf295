// Deletes the entries of a stream that name erased listings, over ranges of entry
// ids, a slice at a time inside Redis (erase-stream-entries.lua): no entry is sent
// to the gate, and a long stream is read in steps between other clients' commands.
import type { Redis } from 'ioredis';
import { luaCommand } from '../redis/lua-command.js';

/** Entries read by one script call: about a millisecond of Redis's time. */
const SLICE = 1000;

/** Which entries of a stream name a listing. */
export interface StreamMatch {
  stream: string;
  /** The field holding the listing id (or the JSON object that holds it). */
  field: string;
  /** The key of the listing id in the object the field holds (JSON, or MessagePack); absent when the field is the id itself. */
  objectKey?: string;
  /** The stream's consumer groups. */
  groups: readonly string[];
  /** An entry a group holds: acknowledged there and deleted (`ack`), or left to its reader, who is checking it (`skip`). */
  held: 'ack' | 'skip';
}

/** Entry ids from `from` to `to`, both included (`-`, `+`, or milliseconds since the epoch). */
export interface IdRange {
  from: string;
  to: string;
}

/** Times (ms) in which entries were written, `to` Infinity for up to the newest. */
export interface TimeSpan {
  from: number;
  to: number;
}

/** Spans widened by `marginMs` (the gate's clock against Redis's) and merged where they meet, as id ranges. */
export function idRanges(spans: readonly TimeSpan[], marginMs: number): IdRange[] {
  const sorted = spans.map((s) => ({ from: Math.max(0, s.from - marginMs), to: s.to + marginMs })).sort((a, b) => a.from - b.from);
  const merged: TimeSpan[] = [];
  for (const span of sorted) {
    const last = merged[merged.length - 1];
    if (last && span.from <= last.to) last.to = Math.max(last.to, span.to);
    else merged.push({ ...span });
  }
  return merged.map((s) => ({ from: s.from === 0 ? '-' : String(Math.floor(s.from)), to: Number.isFinite(s.to) ? String(Math.ceil(s.to)) : '+' }));
}

type EraseSlice = (
  stream: string,
  from: string,
  to: string,
  count: string,
  field: string,
  objectKey: string,
  held: string,
  ...groupsThenValues: string[]
) => Promise<[string, number]>;

export class StreamEraser {
  private readonly eraseSlice: EraseSlice;

  constructor(redis: Redis) {
    this.eraseSlice = luaCommand<EraseSlice>(redis, 'erase-stream-entries', 1);
  }

  /** Deletes the entries in `ranges` whose listing is one of `listingIds`; returns how many went. */
  async erase(match: StreamMatch, ranges: readonly IdRange[], listingIds: readonly string[]): Promise<number> {
    if (listingIds.length === 0) return 0;
    let deleted = 0;
    for (const range of ranges) {
      let from = range.from;
      while (from !== '') {
        const [next, count] = await this.eraseSlice(
          match.stream,
          from,
          range.to,
          String(SLICE),
          match.field,
          match.objectKey ?? '',
          match.held,
          String(match.groups.length),
          ...match.groups,
          ...listingIds,
        );
        deleted += Number(count);
        from = next;
      }
    }
    return deleted;
  }
}
