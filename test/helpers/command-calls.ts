// How many times a Redis server has run a command (INFO commandstats): what a test
// reads to see that writes were gathered, or a script went by its SHA.
import type { Redis } from 'ioredis';

export async function commandCalls(client: Redis, command: string): Promise<number> {
  const line = (await client.info('commandstats')).split('\n').find((l) => l.startsWith(`cmdstat_${command}:`));
  return Number(/calls=(\d+)/.exec(line ?? '')?.[1] ?? 0);
}
