// Re-check jobs as the admin API sees them (docs/rechecks.md): started over a
// stream or an upload, read, listed, paused, resumed, cancelled. Any instance
// takes these calls; whichever instance holds a job's lease runs it.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { GateError } from '../errors/gate-error.js';
import type { UploadedFile } from '../http/route-handler.js';
import type { RecheckJobView } from './recheck-job.js';
import type { RecheckScope } from './recheck-scope.js';
import type { StreamSource } from './recheck-start.js';
import type { RecheckStore, StateAction } from './recheck-store.js';
import { appendUpload } from './recheck-upload.js';

const JOB_ID = /^rc_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function notFound(id: string): GateError {
  return new GateError('GATE_ERR_NOT_FOUND', `no re-check job "${id}" (finished jobs are kept GATE_RETENTION_DAYS)`, { field: 'id' });
}

export class Rechecks {
  constructor(
    private readonly redis: Redis,
    private readonly store: RecheckStore,
    /** Largest line of an upload (GATE_MAX_BODY_BYTES, as a check body). */
    private readonly maxLineBytes: number,
  ) {}

  /**
   * A job over an existing stream, scoped to the change that started it when
   * `scope` is given; refused (naming source.stream) when the key is not a stream
   * or holds no entry.
   */
  async startOverStream(source: StreamSource, trigger?: Record<string, unknown>, scope?: RecheckScope): Promise<{ id: string; total: number }> {
    await this.checkSource(source);
    const id = `rc_${randomUUID()}`;
    const total = await this.store.create(id, source.stream, 'stream', source.onlyChanged, trigger, scope);
    return { id, total };
  }

  /** Refuses (naming source.stream) a key that is not a stream or holds no entry: asked before an admin's change that starts a job is applied. */
  async checkSource(source: StreamSource): Promise<void> {
    let length: number;
    try {
      length = await this.store.sourceLength(source.stream);
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('WRONGTYPE'))
        throw new GateError('GATE_ERR_INVALID_FIELD', `source.stream "${source.stream}" is not a Redis stream`, { field: 'source.stream' });
      throw error;
    }
    if (length === 0)
      throw new GateError('GATE_ERR_INVALID_FIELD', `source.stream "${source.stream}" holds no entry (or does not exist)`, { field: 'source.stream' });
  }

  /** A job over an NDJSON upload, kept in the job's own stream (validated whole first). */
  async startOverUpload(upload: UploadedFile, onlyChanged: boolean): Promise<{ id: string; total: number }> {
    const id = `rc_${randomUUID()}`;
    const stream = this.store.keys.upload(id);
    await appendUpload(this.redis, stream, upload.file, this.maxLineBytes);
    const total = await this.store.create(id, stream, 'upload', onlyChanged, undefined);
    return { id, total };
  }

  async get(id: string): Promise<RecheckJobView> {
    const view = JOB_ID.test(id) ? await this.store.get(id) : undefined;
    if (!view) throw notFound(id);
    return view;
  }

  list(): Promise<RecheckJobView[]> {
    return this.store.list();
  }

  /** Pauses, resumes or cancels; a job whose state does not allow it is a conflict naming its state. */
  async setState(id: string, action: StateAction): Promise<RecheckJobView> {
    if (!JOB_ID.test(id)) throw notFound(id);
    const outcome = await this.store.setState(id, action);
    if (!outcome) throw notFound(id);
    if (!outcome.changed)
      throw new GateError(
        'GATE_ERR_CONFLICT',
        `the job is ${outcome.state}; ${action} applies to ${action === 'resume' ? 'a paused job' : action === 'pause' ? 'a running job' : 'a running or paused job'}`,
        { field: 'state' },
      );
    return this.get(id);
  }
}
