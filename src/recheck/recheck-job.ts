// A re-check job as Redis keeps it (a hash, create-recheck.lua and
// advance-recheck.lua write it) and as GET /v1/admin/rechecks/{id} shows it.
import type { Verdict } from '../gate/reason.js';

export const RECHECK_STATES = ['running', 'paused', 'done', 'cancelled'] as const;
export type RecheckState = (typeof RECHECK_STATES)[number];

export const VERDICTS: readonly Verdict[] = ['allow', 'review', 'block'];

/** A change of a listing's verdict, as counted and shown: `allow->block`. */
export type ChangeKind = `${Verdict}->${Verdict}`;

export const CHANGED_PREFIX = 'changed:';

/** The hash field counting one kind of change. */
export function changedField(kind: ChangeKind): string {
  return `${CHANGED_PREFIX}${kind}`;
}

/** Every kind of change (six). */
export const CHANGE_KINDS: readonly ChangeKind[] = VERDICTS.flatMap((from) => VERDICTS.filter((to) => to !== from).map((to): ChangeKind => `${from}->${to}`));

export interface RecheckJobView {
  id: string;
  state: RecheckState;
  /** `stream`: an existing stream of listings; `upload`: an NDJSON body, kept in the job's own stream. */
  source: { kind: 'stream' | 'upload'; stream: string };
  onlyChanged: boolean;
  /** What started the job: `{ by: "admin" }`, or the admin change it follows (`{ by: "list:add:sellers" }`). */
  trigger: Record<string, unknown>;
  /** Entries of the source when the job was made (later ones are not part of it). */
  total: number;
  /** Entries re-checked (and emitted) so far. */
  done: number;
  /** Listings per second of the job's holder now (0 unless running). */
  rate: number;
  /** Seconds left at that rate (null unless running with a rate). */
  etaSeconds: number | null;
  /** Verdicts that changed, by kind, and their sum. */
  changed: { total: number; byKind: Partial<Record<ChangeKind, number>> };
  /** Listings with no recorded verdict to compare with. */
  unrecorded: number;
  /** Entries that held no valid check request (their errors are in the verdicts stream). */
  invalid: number;
  /** Listings a job scoped to a change skipped: the change cannot move their verdict (never emitted). */
  outOfScope: number;
  /** What the change that started the job changed (kind and counts, recheck-scope.ts); absent for a job over every listing. */
  scope?: Record<string, unknown>;
  /** The job's verdicts stream: changed verdicts (every verdict without onlyChanged) and bad entries' errors. */
  verdictsStream: string;
  createdAt: string;
  updatedAt: string;
  finishedAt?: string;
}

function isoOf(ms: string | undefined): string {
  const value = Number(ms);
  return Number.isFinite(value) && value > 0 ? new Date(value).toISOString() : '';
}

/** The API view of a job's hash fields; undefined for a job that is gone. */
export function recheckJobView(fields: Record<string, string>, verdictsStream: string): RecheckJobView | undefined {
  if (!fields.id || !fields.state) return undefined;
  const byKind: Partial<Record<ChangeKind, number>> = {};
  let changedTotal = 0;
  for (const kind of CHANGE_KINDS) {
    const count = Number(fields[changedField(kind)] ?? 0);
    if (count > 0) {
      byKind[kind] = count;
      changedTotal += count;
    }
  }
  const state = fields.state as RecheckState;
  const total = Number(fields.total ?? 0);
  const done = Number(fields.done ?? 0);
  const rate = state === 'running' ? Number(fields.rate ?? 0) : 0;
  let trigger: Record<string, unknown> = { by: 'admin' };
  if (fields.trigger) trigger = JSON.parse(fields.trigger) as Record<string, unknown>;
  const view: RecheckJobView = {
    id: fields.id,
    state,
    source: { kind: fields.sourceKind === 'upload' ? 'upload' : 'stream', stream: fields.source ?? '' },
    onlyChanged: fields.onlyChanged === '1',
    trigger,
    total,
    done,
    rate: Math.round(rate),
    etaSeconds: rate > 0 ? Math.ceil(Math.max(0, total - done) / rate) : null,
    changed: { total: changedTotal, byKind },
    unrecorded: Number(fields.unrecorded ?? 0),
    invalid: Number(fields.invalid ?? 0),
    outOfScope: Number(fields.outOfScope ?? 0),
    verdictsStream,
    createdAt: isoOf(fields.createdAt),
    updatedAt: isoOf(fields.updatedAt),
  };
  if (fields.finishedAt) view.finishedAt = isoOf(fields.finishedAt);
  if (fields.scope) view.scope = JSON.parse(fields.scope) as Record<string, unknown>;
  return view;
}
