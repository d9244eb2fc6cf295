// A private redis-server for a test file, on a free port, in a temporary
// directory: never the shared one on 6379, and a fault test may kill it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedRedis } from '../../src/redis/embedded-redis.js';

export interface TestRedis {
  redis: EmbeddedRedis;
  url: string;
  stop(): Promise<void>;
}

export async function startTestRedis(): Promise<TestRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'gate-test-redis-'));
  const redis = new EmbeddedRedis({ dataDir: dir });
  await redis.start();
  return {
    redis,
    url: redis.url,
    stop: async () => {
      await redis.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
