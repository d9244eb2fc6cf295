// The admin's fingerprint banks: add entries, remove them by ref, read a bank's size.
import type { AuditLog } from '../audit/audit-log.js';
import type { FingerprintBank } from '../fingerprint/fingerprint-bank.js';
import type { Rechecks } from '../recheck/rechecks.js';
import { recheckAfterChange } from '../recheck/recheck-start.js';
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

export function registerFingerprintRoutes(app: RouteRegistrar, p: FingerprintRouteParts, options: (extra?: Partial<RouteOptions>) => RouteOptions): void {
  const admin = { roles: ['admin'], name: 'admin' } as const;
  app.post(
    '/v1/admin/fingerprints/:kind',
    route(options({ auth: admin, readsBody: true, paramCount: 1 }), async ({ head, body: raw }) => {
      const kind = fingerprintKindOf(head.params[0] ?? '');
      const entries = bankEntries(kind, raw);
      const recheck = recheckAfterChange(raw as Record<string, unknown>, p.redisPrefix);
      if (recheck) await p.rechecks.checkSource(recheck);
      await p.fingerprints.add(kind, entries);
      await p.audit.record({ who: 'admin', what: `bank:add:${kind}`, details: { refs: entries.slice(0, 100).map((e) => e.ref), count: entries.length } });
      return { kind, added: entries.length, size: p.fingerprints.size(kind), ...(await recheckAfter(p, recheck, { by: `bank:add:${kind}`, entries: entries.length })) };
    }),
  );
  app.del(
    '/v1/admin/fingerprints/:kind',
    route(options({ auth: admin, readsBody: true, paramCount: 1 }), async ({ head, body: raw }) => {
      const kind = fingerprintKindOf(head.params[0] ?? '');
      const issues = new FieldIssues();
      const refs = isPlainObject(raw) ? checkStringArray(issues, 'refs', raw.refs, { required: true, nonEmpty: true, maxItems: 100_000, itemMax: 128 }) : undefined;
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
