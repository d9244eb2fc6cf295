// Groups the items of one batched script call by the hash slot of their key: a
// Redis Cluster runs a script only when all its keys are in one slot, while a
// single Redis takes the whole batch in one call.
import calculateSlot from 'cluster-key-slot';
import type { Redis } from 'ioredis';

export function isCluster(redis: Redis): boolean {
  return (redis as { isCluster?: boolean }).isCluster === true;
}

/** One group for a single Redis; one per hash slot for a Redis Cluster. */
export function slotGroups<T>(redis: Redis, items: Iterable<T>, keyOf: (item: T) => string): T[][] {
  if (!isCluster(redis)) return [[...items]];
  const groups = new Map<number, T[]>();
  for (const item of items) {
    const slot = calculateSlot(keyOf(item));
    const group = groups.get(slot);
    if (group) group.push(item);
    else groups.set(slot, [item]);
  }
  return [...groups.values()];
}
