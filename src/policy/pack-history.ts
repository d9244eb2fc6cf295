// The packs made live (or staged for a rollout) on this deployment, newest first
// (issue 26 point 4): a capped Redis list of what each was and who made it so,
// and each one's uploaded bytes, kept (in the chunks PackManager stores) while
// the version is in the history, so a rollback or a diff can read it.
import type { Redis } from 'ioredis';
import type { BodyFormat } from '../http/decode-body.js';
import type { RedisKeys } from '../redis/redis-keys.js';

/** Versions kept; older ones and their stored bytes go. */
export const MAX_PACK_VERSIONS = 100;

export const PACK_ACTIONS = ['start', 'replace', 'rollback', 'candidate', 'promote'] as const;
export type PackAction = (typeof PACK_ACTIONS)[number];

export interface PackVersion {
  /** The pack's packVersion. */
  version: string;
  /** The whole pack's hash: its stored chunks are `{pack}:live:<packHash>:<n>`. */
  packHash: string;
  /** The compiled database's key. */
  key: string;
  /** ISO 8601, UTC. */
  at: string;
  who: string;
  /** What made it: loaded at start, an upload, a rollback to it, a rollout's candidate, a rollout raised to 100%. */
  action: PackAction;
  patterns: number;
  /** The stored bytes: their size, chunk count and format. */
  bytes: number;
  chunks: number;
  format: BodyFormat;
}

export class PackHistory {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    /** Deletes a version's stored bytes once no kept version, live pack or rollout names them. */
    private readonly forget: (dropped: PackVersion, kept: ReadonlySet<string>) => Promise<void>,
  ) {}

  async record(entry: PackVersion): Promise<void> {
    const key = this.keys.packHistory;
    const [, dropped] = (await this.redis
      .multi()
      .lpush(key, JSON.stringify(entry))
      .lrange(key, MAX_PACK_VERSIONS, -1)
      .ltrim(key, 0, MAX_PACK_VERSIONS - 1)
      .exec()
      .then((replies) => (replies ?? []).map(([, value]) => value))) as [unknown, string[], unknown];
    if (!dropped || dropped.length === 0) return;
    const kept = new Set((await this.list()).map((version) => version.packHash));
    for (const raw of dropped) await this.forget(JSON.parse(raw) as PackVersion, kept);
  }

  /** Newest first. */
  async list(): Promise<PackVersion[]> {
    const raw = await this.redis.lrange(this.keys.packHistory, 0, -1);
    return raw.map((text) => JSON.parse(text) as PackVersion);
  }

  /** The newest entry of `version` (a version uploaded twice names the later upload). */
  async find(version: string): Promise<PackVersion | undefined> {
    return (await this.list()).find((entry) => entry.version === version);
  }

  async has(packHash: string): Promise<boolean> {
    return (await this.list()).some((entry) => entry.packHash === packHash);
  }
}
