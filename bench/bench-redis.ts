// An embedded Redis for a bench (AOF, appendfsync always, as the gate's own), with
// a user of its own that may run anything (MEMORY USAGE, SCRIPT LOAD, INFO).
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { EmbeddedRedis } from '../src/redis/embedded-redis.js';

export interface BenchRedis {
  redis: Redis;
  stop(): Promise<void>;
}

export async function startBenchRedis(name: string): Promise<BenchRedis> {
  const dir = mkdtempSync(join(tmpdir(), `bench-${name}-`));
  const password = randomBytes(16).toString('hex');
  const embedded = new EmbeddedRedis({
    dataDir: dir,
    extraUsers: [{ name: 'bench', password: `#${createHash('sha256').update(password).digest('hex')}`, rules: ['~*', '+@all'] }],
  });
  await embedded.start();
  const redis = new Redis(`redis://bench:${password}@127.0.0.1:${embedded.port}`);
  return {
    redis,
    stop: async () => {
      redis.disconnect();
      await embedded.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
