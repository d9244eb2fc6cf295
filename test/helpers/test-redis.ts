// A private redis-server for a test file, on a free port, in a temporary
// directory: never the shared one on 6379, and a fault test may kill it. `url`
// signs in as the gate's ACL user (its commands only, on every key: each test has
// a prefix of its own), so every test runs the gate under the same command ACL
// as production; `adminUrl` may run anything, for a test to look at what the
// gate wrote (XLEN, TTL) or to do what the gate may not (SCRIPT FLUSH).
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedRedis } from '../../src/redis/embedded-redis.js';

export interface TestRedis {
  redis: EmbeddedRedis;
  url: string;
  adminUrl: string;
  stop(): Promise<void>;
}

const ADMIN_USER = 'test-admin';

/** `keyPrefix`: keys and channels the gate user may touch begin with it; default '': all. */
export async function startTestRedis(options: { keyPrefix?: string } = {}): Promise<TestRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'gate-test-redis-'));
  const adminPassword = randomBytes(16).toString('hex');
  const redis = new EmbeddedRedis({
    dataDir: dir,
    ...(options.keyPrefix === undefined ? {} : { keyPrefix: options.keyPrefix }),
    extraUsers: [{ name: ADMIN_USER, password: `#${createHash('sha256').update(adminPassword).digest('hex')}`, rules: ['~*', '&*', '+@all'] }],
  });
  await redis.start();
  return {
    redis,
    url: redis.url,
    adminUrl: `redis://${ADMIN_USER}:${adminPassword}@127.0.0.1:${redis.port}`,
    stop: async () => {
      await redis.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
