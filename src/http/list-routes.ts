// The admin's blocklists: add or remove values (spooled while Redis is away),
// and ask whether a value is listed.
import { randomUUID } from 'node:crypto';
import type { AuditLog } from '../audit/audit-log.js';
import { GateError } from '../errors/gate-error.js';
import type { BlocklistStore } from '../lists/blocklist-store.js';
import { LIST_KINDS, type ListKind } from '../pack/policy-pack.js';
import type { Rechecks } from '../recheck/rechecks.js';
import { recheckAfterChange } from '../recheck/recheck-start.js';
import type { ReviewSpool } from '../review/review-spool.js';
import type { SpooledChange } from '../review/spooled-change.js';
import type { SellerRings } from '../rings/seller-rings.js';
import { checkStringArray, FieldIssues, isPlainObject } from '../validation/field-issues.js';
import { invalidFieldsError } from '../validation/invalid-fields-error.js';
import type { RecheckScope } from '../recheck/recheck-scope.js';
import { sellersAndTheirRings } from '../recheck/seller-scope.js';
import { recheckAfter } from './recheck-after.js';
import { isRedisUnavailable, route, type RouteOptions } from './route-handler.js';
import type { RouteRegistrar } from './route-table.js';
import type { GateLog } from '../observability/gate-logger.js';

export interface ListRouteParts {
  lists: BlocklistStore;
  /** Where a change waits while Redis is away. */
  changes: ReviewSpool<SpooledChange>;
  rings: SellerRings;
  audit: AuditLog;
  rechecks: Rechecks;
  /** GATE_REDIS_PREFIX: a source stream to re-check must be under it. */
  redisPrefix: string;
  log: GateLog;
}

function listKindOf(raw: string): ListKind {
  if ((LIST_KINDS as readonly string[]).includes(raw)) return raw as ListKind;
  throw new GateError('GATE_ERR_NOT_FOUND', `no list "${raw}"; lists are ${LIST_KINDS.join(', ')}`, { field: 'kind' });
}

function listValues(body: unknown): string[] {
  const issues = new FieldIssues();
  if (!isPlainObject(body)) throw new GateError('GATE_ERR_INVALID_FIELD', 'the body must be an object { "values": [...] }', { field: 'body' });
  const values = checkStringArray(issues, 'values', body.values, { required: true, nonEmpty: true, maxItems: 100_000, itemMax: 128 });
  if (!issues.empty || !values) throw invalidFieldsError(issues.list, { field: 'values' });
  return values;
}

export function registerListRoutes(app: RouteRegistrar, p: ListRouteParts, options: (extra?: Partial<RouteOptions>) => RouteOptions): void {
  const admin = { roles: ['admin'], name: 'admin' } as const;
  const listChange = (change: 'add' | 'remove') =>
    route(options({ auth: admin, readsBody: true, paramCount: 1 }), async ({ head, body: raw }) => {
      const kind = listKindOf(head.params[0] ?? '');
      const values = listValues(raw);
      const recheck = recheckAfterChange(raw as Record<string, unknown>, p.redisPrefix);
      if (recheck) await p.rechecks.checkSource(recheck);
      let count: number;
      try {
        count = change === 'add' ? await p.lists.add(kind, values) : await p.lists.remove(kind, values, { byAdmin: true });
      } catch (error) {
        if (!isRedisUnavailable(error)) throw error;
        // Redis is away: the change is kept on disk and applied, once, when it returns.
        const id = `sl_${randomUUID()}`;
        await p.changes.append({ id, at: new Date().toISOString(), kind: 'list', change, list: kind, values });
        p.log.warn(`list ${change} on ${kind} spooled (${id}): Redis unavailable`);
        return { kind, spooled: values.length, changeId: id };
      }
      // A seller an admin lists is a confirmed counterfeit seller: its ring gets the `ring` reason.
      if (kind === 'sellers') await p.rings.confirm(values, change === 'add');
      // What happened, not what was asked: values already (or never) listed are not counted.
      await p.audit.record({
        who: 'admin',
        what: `list:${change}:${kind}`,
        details: { values: values.slice(0, 100), requested: values.length, [change === 'add' ? 'added' : 'removed']: count },
      });
      const answer = change === 'add' ? { kind, added: count } : { kind, removed: count };
      const scope = async (): Promise<RecheckScope> =>
        kind === 'sellers' ? { kind: 'sellers', sellers: await sellersAndTheirRings(p.rings, values) } : { kind: 'list', list: kind, values };
      return { ...answer, ...(await recheckAfter(p, recheck, { by: `list:${change}:${kind}`, values: values.length }, scope)) };
    });
  app.post('/v1/admin/lists/:kind', listChange('add'));
  app.del('/v1/admin/lists/:kind', listChange('remove'));
  app.get(
    '/v1/admin/lists/:kind/:value',
    route(options({ auth: admin, paramCount: 2 }), async ({ head }) => {
      const kind = listKindOf(head.params[0] ?? '');
      const value = decodeURIComponent(head.params[1] ?? '');
      return { kind, value, listed: await p.lists.has(kind, value) };
    }),
  );
}
