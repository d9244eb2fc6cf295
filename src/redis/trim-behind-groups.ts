// Trims a stream of what every consumer group has been delivered and acknowledged
// (issue 23: the webhook outbox and the decisions stream grew forever). Never by
// length, which would drop pending entries: by MINID, behind the oldest entry a
// group still holds or has not been delivered.
import type { Redis } from 'ioredis';
import { compareStreamIds } from './stream-ids.js';

/**
 * Removes the entries of `stream` that every group has acknowledged, and none
 * newer than `keepAfterMs` ago (readers of recent history). Returns how many went.
 */
export async function trimBehindGroups(redis: Redis, stream: string, keepAfterMs = 0): Promise<number> {
  const groups = (await redis.xinfo('GROUPS', stream).catch(() => [])) as Array<Array<string | number>>;
  if (groups.length === 0) return 0;
  let floor: string | undefined;
  for (const group of groups) {
    const name = String(group[group.indexOf('name') + 1]);
    const lastDelivered = String(group[group.indexOf('last-delivered-id') + 1] ?? '0-0');
    const summary = (await redis.xpending(stream, name)) as [number, string | null, string | null, unknown];
    // What the group still holds, or else the next entry it has not been delivered yet.
    const oldest = summary[0] > 0 && summary[1] ? summary[1] : lastDelivered;
    if (floor === undefined || compareStreamIds(oldest, floor) < 0) floor = oldest;
  }
  if (floor === undefined || floor === '0-0') return 0;
  if (keepAfterMs > 0) {
    const recent = `${Date.now() - keepAfterMs}-0`;
    if (compareStreamIds(recent, floor) < 0) floor = recent;
  }
  return redis.xtrim(stream, 'MINID', floor);
}
