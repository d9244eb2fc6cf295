// What the re-check tests share: starting a job through the admin API, waiting
// for it to reach a state, and reading its verdicts stream and the webhook outbox.
import type { Redis } from 'ioredis';
import { recheckKeys } from '../../src/redis/redis-keys.js';
import { redisKeys } from '../../src/redis/redis-keys.js';
import { eventually } from './gate-calls.js';
import { readStream, type IntakeRecord } from './intake-streams.js';

export interface JobView {
  id: string;
  state: string;
  total: number;
  done: number;
  rate: number;
  etaSeconds: number | null;
  changed: { total: number; byKind: Record<string, number> };
  unrecorded: number;
  invalid: number;
  onlyChanged: boolean;
  trigger: Record<string, unknown>;
  verdictsStream: string;
}

/** A gate's admin API at `url` with the admin token. */
export async function adminCall(
  url: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any }> {
  const response = await fetch(url + path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text.startsWith('{') ? JSON.parse(text) : text };
}

export async function jobOf(url: string, token: string, id: string): Promise<JobView> {
  const { status, body } = await adminCall(url, token, 'GET', `/v1/admin/rechecks/${id}`);
  if (status !== 200) throw new Error(`GET job ${id}: ${status} ${JSON.stringify(body)}`);
  return body as JobView;
}

/** Waits for the job to be in `state` (and, for `done`, every entry counted). */
export async function jobIn(url: string, token: string, id: string, state: string, timeoutMs = 60_000): Promise<JobView> {
  return eventually(
    `job ${id} ${state}`,
    async () => {
      const job = await jobOf(url, token, id);
      return job.state === state ? job : undefined;
    },
    timeoutMs,
  );
}

/** The job's verdicts stream. */
export function jobVerdicts(admin: Redis, prefix: string, id: string): Promise<IntakeRecord[]> {
  return readStream(admin, recheckKeys(prefix).verdicts(id));
}

/** The `verdict.changed` events of the webhook outbox, parsed. */
export async function changedEvents(admin: Redis, prefix: string): Promise<Array<Record<string, unknown>>> {
  const records = await readStream(admin, redisKeys(prefix).webhookOutbox);
  return records.map((r) => JSON.parse(String(r.fields.event)) as Record<string, unknown>).filter((event) => event.type === 'verdict.changed');
}

/** Each value of `items` with how often it occurs, only those more than once. */
export function duplicates(items: readonly string[]): Array<[string, number]> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item, (counts.get(item) ?? 0) + 1);
  return [...counts].filter(([, n]) => n > 1);
}
