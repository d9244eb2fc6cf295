// What the event loop and the bank-build thread (bank-build-worker.ts) say to each other.
import type { FingerprintKind } from './fingerprint-kind.js';
import type { BankChange, BankEntry, FingerprintSnapshot } from './bank-state.js';
import type { RedisTls } from '../redis/connect-redis.js';

export type BankBuildRequest =
  /** Read every bank from Redis and build a generation. */
  | { id: number; kind: 'reload' }
  /** Apply announced changes; a generation with them follows a few milliseconds later. */
  | { id: number; kind: 'apply'; changes: BankChange[] }
  | { id: number; kind: 'entries'; bank: FingerprintKind; prefix: string };

export type BankBuildReply =
  | { id: number; kind: 'built'; snapshot: FingerprintSnapshot }
  | { id: number; kind: 'applied'; sizes: Record<FingerprintKind, number> }
  | { id: number; kind: 'entries'; entries: BankEntry[] }
  | { id: number; kind: 'failed'; message: string }
  /** A generation nobody asked for (changes were applied): id 0. */
  | { id: 0; kind: 'rebuilt'; snapshot: FingerprintSnapshot };

export interface BankBuildConfig {
  redisUrl: string;
  prefix: string;
  tls?: RedisTls;
  /** The newest generation built so far: a new thread's generations come after it. */
  lastVersion: number;
}
