// The admin's fingerprint banks: add entries, remove them by ref, read a bank's size.
import type { AuditLog } from '../audit/audit-log.js';
import type { FingerprintBank } from '../fingerprint/fingerprint-bank.js';
import type { Rechecks } from '../recheck/rechecks.js';
import { setTimeout as delay } from 'node:timers/promises';
import { isImageKind } from '../fingerprint/fingerprint-kind.js';
import { changesOnly, recheckAfterChange } from '../recheck/recheck-start.js';
import type { RecheckScope } from '../recheck/recheck-scope.js';
import { checkStringArray, FieldIssues, isPlainObject } from '../validation/field-issues.js';
import { invalidFieldsError } from '../validation/invalid-fields-error.js';
import { bankEntries, fingerprintKindOf } from './bank-entries.js';
import { recheckAfter } from './recheck-after.js';
import { route, type RouteOptions } from './route-handler.js';
import type { RouteRegistrar } from './route-table.js';

export interface FingerprintRouteParts {
  fingerprints: FingerprintBank;
  audit: AuditLog;
  rechecks: Rechecks;
  /** GATE_REDIS_PREFIX: a source stream to re-check must be under it. */
  redisPrefix: string;
}

/** How long a bank change with `recheck: true` waits for this instance's indexes to hold it before the job starts. */
const INDEXED_WAIT_MS = 10_000;

export function registerFingerprintRoutes(app: RouteRegistrar, p: FingerprintRouteParts, options: (extra?: Partial<RouteOptions>) => RouteOptions): void {
  const admin = { roles: ['admin'], name: 'admin' } as const;
  app.post(
    '/v1/admin/fingerprints/:kind',
    route(options({ auth: admin, readsBody: true, paramCount: 1 }), async ({ head, body: raw }) => {
      const kind = fingerprintKindOf(head.params[0] ?? '');
      const entries = bankEntries(kind, raw);
      const asked = recheckAfterChange(raw as Record<string, unknown>, p.redisPrefix);
      const recheck = isImageKind(kind) ? asked : changesOnly(asked, 'a text bank');
      if (recheck) await p.rechecks.checkSource(recheck);
      await p.fingerprints.add(kind, entries);
      // The job decides with this instance's indexes: it starts once they hold the change (a rebuild that failed is logged by the bank).
      if (recheck) await Promise.race([p.fingerprints.indexed(), delay(INDEXED_WAIT_MS, undefined, { ref: false })]);
      await p.audit.record({ who: 'admin', what: `bank:add:${kind}`, details: { refs: entries.slice(0, 100).map((e) => e.ref), count: entries.length } });
      const scope = (): RecheckScope =>
        kind === 'images' || kind === 'negative-images'
          ? { kind: 'images', bank: kind, phashes: entries.map((entry) => entry.value) }
          : { kind: 'texts', bank: kind, entries: entries.length };
      return {
        kind,
        added: entries.length,
        size: p.fingerprints.size(kind),
        ...(await recheckAfter(p, recheck, { by: `bank:add:${kind}`, entries: entries.length }, scope)),
      };
    }),
  );
  app.del(
    '/v1/admin/fingerprints/:kind',
    route(options({ auth: admin, readsBody: true, paramCount: 1 }), async ({ head, body: raw }) => {
      const kind = fingerprintKindOf(head.params[0] ?? '');
      const issues = new FieldIssues();
      const refs = isPlainObject(raw)
        ? checkStringArray(issues, 'refs', raw.refs, { required: true, nonEmpty: true, maxItems: 100_000, itemMax: 128 })
        : undefined;
      if (!refs) throw invalidFieldsError(issues.list, { field: 'refs', message: 'must be an array of refs' });
      return { kind, removed: await p.fingerprints.remove(kind, refs), size: p.fingerprints.size(kind) };
    }),
  );
  app.get(
    '/v1/admin/fingerprints/:kind',
    route(options({ auth: admin, paramCount: 1 }), ({ head }) => {
      const kind = fingerprintKindOf(head.params[0] ?? '');
      return { kind, size: p.fingerprints.size(kind) };
    }),
  );
}
