// An admin's change that asks for it (`recheck: true`) starts a re-check job once
// the change is made: the lists, fingerprint and pack routes share this.
import type { AuditLog } from '../audit/audit-log.js';
import type { Rechecks } from '../recheck/rechecks.js';
import type { StreamSource } from '../recheck/recheck-start.js';
import type { RecheckScope } from '../recheck/recheck-scope.js';

export interface RecheckAfterParts {
  rechecks: Rechecks;
  audit: AuditLog;
}

/** `{ recheckId }` for the answer, or nothing when the change asked for no job; the job is scoped to the change. */
export async function recheckAfter(
  p: RecheckAfterParts,
  source: StreamSource | undefined,
  trigger: Record<string, unknown>,
  scope: () => RecheckScope | Promise<RecheckScope>,
): Promise<{ recheckId?: string }> {
  if (!source) return {};
  const { id, total } = await p.rechecks.startOverStream(source, trigger, await scope());
  await p.audit.record({ who: 'admin', what: 'recheck:start', subject: id, details: { source: source.stream, total, ...trigger } });
  return { recheckId: id };
}
