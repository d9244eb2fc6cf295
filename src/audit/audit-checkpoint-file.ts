// Signed checkpoints of the audit chain, kept outside Redis (issue 30 point 4):
// an append-only file of JSON lines {count, lastId, headHash, at, hmac}. Whoever
// can write to Redis can delete the last records and set the head back, which the
// chain alone cannot show; a checkpoint says how far the chain had reached.
// Each line is fsynced before the append returns.
import { createHmac } from 'node:crypto';
import { mkdir, open, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { sameHex } from './audit-chain.js';

export interface AuditCheckpoint {
  /** Records written up to and including the checkpoint's record. */
  readonly count: number;
  /** Stream id of that record. */
  readonly lastId: string;
  /** Its chain hash. */
  readonly headHash: string;
  /** When the checkpoint was written, ISO 8601 UTC. */
  readonly at: string;
}

export interface CheckpointRead {
  /** Every well-signed checkpoint, by count. */
  readonly checkpoints: AuditCheckpoint[];
  /** Lines whose signature does not match (edited, or signed with another key). */
  readonly forged: number[];
}

function signature(key: Buffer, c: AuditCheckpoint): string {
  // Prefixed so a checkpoint's signature can never double as a record's chain hash.
  return createHmac('sha256', key).update(`audit-checkpoint\n${c.count}\n${c.lastId}\n${c.headHash}\n${c.at}`).digest('hex');
}

function parsed(line: string): (AuditCheckpoint & { hmac: string }) | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined; // a line torn by a crash of the machine: never a whole JSON object
  }
  const v = value as Record<string, unknown>;
  if (typeof v !== 'object' || v === null) return undefined;
  if (!Number.isInteger(v.count) || typeof v.lastId !== 'string' || typeof v.headHash !== 'string' || typeof v.at !== 'string' || typeof v.hmac !== 'string')
    return undefined;
  return { count: v.count as number, lastId: v.lastId, headHash: v.headHash, at: v.at, hmac: v.hmac };
}

export class AuditCheckpointFile {
  constructor(
    readonly path: string,
    private readonly key: Buffer,
  ) {}

  async append(checkpoint: AuditCheckpoint): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    const file = await open(this.path, 'a+', 0o600);
    try {
      const { size } = await file.stat();
      // After a torn last line, start a new one rather than extend it.
      let lead = '';
      if (size > 0) {
        const last = Buffer.alloc(1);
        await file.read(last, 0, 1, size - 1);
        if (last[0] !== 0x0a) lead = '\n';
      }
      await file.write(`${lead}${JSON.stringify({ ...checkpoint, hmac: signature(this.key, checkpoint) })}\n`);
      await file.sync();
    } finally {
      await file.close();
    }
  }

  async read(): Promise<CheckpointRead> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { checkpoints: [], forged: [] };
      throw error;
    }
    const checkpoints: AuditCheckpoint[] = [];
    const forged: number[] = [];
    text.split('\n').forEach((line, index) => {
      if (line.trim() === '') return;
      const entry = parsed(line);
      if (entry === undefined) return;
      const { hmac, ...checkpoint } = entry;
      if (sameHex(hmac, signature(this.key, checkpoint))) checkpoints.push(checkpoint);
      else forged.push(index + 1);
    });
    // Several gates sharing a data directory may append out of order.
    checkpoints.sort((a, b) => a.count - b.count);
    return { checkpoints, forged };
  }
}
