// The admin's side of enforcement (mark claims to verify, the transparency
// report, rings and their clue packages, demoted causes) and the seller's appeal
// through the publisher token.
import type { RouteRegistrar } from './route-table.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { TokenRegistry } from '../auth/token-registry.js';
import type { BrandFigures } from '../enforcement/brand-figures.js';
import type { CauseLedger } from '../enforcement/cause-ledger.js';
import { reportRange } from '../enforcement/report-range.js';
import { GateError } from '../errors/gate-error.js';
import type { GateMetrics } from '../observability/gate-metrics.js';
import type { PackManager } from '../pack/pack-manager.js';
import type { AppealDesk } from '../rights-holder/appeal-desk.js';
import { awaitsVerification, liveBrandId, type BrandRegistry, type RegisteredBrand, type VerificationStatus } from '../rights-holder/brand-registry.js';
import { cluePackageCsv, cluePackageJson } from '../rings/clue-package.js';
import { ringView } from '../rings/ring-view.js';
import type { SellerRings } from '../rings/seller-rings.js';
import { checkString, FieldIssues, isPlainObject } from '../validation/field-issues.js';
import { invalidFieldsError } from '../validation/invalid-fields-error.js';
import { send } from './respond.js';
import { brandView, figuresCsv, HOLDER_ID, invalid } from './rights-holder-routes.js';
import { route, type RouteOptions } from './route-handler.js';
import type { GateLog } from '../observability/gate-logger.js';

export interface EnforcementRouteParts {
  registry: BrandRegistry;
  packs: PackManager;
  figures: BrandFigures;
  causes: CauseLedger;
  rings: SellerRings;
  appeals: AppealDesk;
  audit: AuditLog;
  tokens: TokenRegistry;
  metrics: GateMetrics;
  log: GateLog;
}

export function registerEnforcementRoutes(app: RouteRegistrar, p: EnforcementRouteParts, options: (extra?: Partial<RouteOptions>) => RouteOptions): void {
  const admin = { auth: { roles: ['admin'], name: 'admin' } } as const;
  const publisher = { auth: { roles: ['publisher'], name: 'appeal', enforced: () => p.tokens.hasRole('publisher') } } as const;

  app.get(
    '/v1/admin/claims',
    route(options(admin), async ({ head }) => {
      const status = new URLSearchParams(head.query).get('status') ?? 'pending';
      const statuses: Array<VerificationStatus | 'all'> = ['pending', 'verified', 'rejected', 'unverified', 'all'];
      if (!(statuses as string[]).includes(status)) throw invalid('status', `must be one of ${statuses.join(', ')}`);
      const brands = (await p.registry.all()).filter(
        (b) => status === 'all' || (status === 'pending' ? awaitsVerification(b) : b.verification.status === status),
      );
      return { claims: brands.map((b) => ({ holder: b.holder, ...(brandView(b) as object) })) };
    }),
  );
  app.post(
    '/v1/admin/claims/:holder/:brandId',
    route(options({ ...admin, readsBody: true, paramCount: 2 }), async ({ head, body }) => {
      const holder = decodeURIComponent(head.params[0] ?? '');
      const brandId = decodeURIComponent(head.params[1] ?? '');
      if (!HOLDER_ID.test(holder)) throw invalid('holder', 'is not a rights holder id');
      const issues = new FieldIssues();
      if (!isPlainObject(body)) throw invalid('body', 'must be an object { "decision": "verify" | "reject", "note"? }');
      if (body.decision !== 'verify' && body.decision !== 'reject') issues.add('decision', 'must be "verify" or "reject"');
      const note = checkString(issues, 'note', body.note, { max: 2000 });
      if (!issues.empty) throw invalidFieldsError(issues.list);
      const entry = await p.registry.get(holder, brandId);
      if (!entry) throw new GateError('GATE_ERR_NOT_FOUND', `${holder} has no brand "${brandId}"`, { field: 'brandId' });
      if (!entry.claim) throw new GateError('GATE_ERR_CONFLICT', `${holder} has submitted no mark claim for "${brandId}"`, { field: 'brandId' });
      const at = new Date().toISOString();
      const verification = { status: body.decision === 'verify' ? ('verified' as const) : ('rejected' as const), by: 'admin', at, ...(note ? { note } : {}) };
      const partly = entry.verification.status === 'verified' && (entry.pendingNames?.length ?? 0) > 0;
      const next: RegisteredBrand = { ...entry, verification, updatedAt: at };
      delete next.pendingNames;
      if (body.decision === 'verify') next.verifiedNames = [...entry.brand.names];
      else if (partly) {
        // Rejecting a verified brand's new names leaves its verified ones enforced.
        next.verification = entry.verification;
        next.brand = { ...entry.brand, names: entry.brand.names.filter((name) => entry.verifiedNames?.includes(name) ?? true) };
      }
      await p.registry.put(next);
      await p.audit.record({ who: 'admin', what: `claim:${body.decision}`, subject: liveBrandId(holder, brandId), why: note, details: { claim: entry.claim } });
      await p.packs.registryChanged();
      return brandView(next);
    }),
  );

  app.get(
    '/v1/admin/transparency',
    route(options(admin), async ({ head, res, state }) => {
      const range = reportRange(head.query);
      const rows = await p.figures.report(range.from, range.to, () => true);
      if (range.format === 'csv') {
        send(res, state, 200, figuresCsv(rows), 'text/csv; charset=utf-8', {
          'content-disposition': `attachment; filename="transparency-${range.from}-${range.to}.csv"`,
        });
        return undefined;
      }
      const totals: Record<string, number> = {};
      for (const row of rows) for (const [figure, n] of Object.entries(row.counts)) totals[figure] = (totals[figure] ?? 0) + n;
      return { from: range.from, to: range.to, totals, brands: new Set(rows.map((r) => r.brandId)).size, rows };
    }),
  );

  const ringRoute = (clue: boolean) =>
    route(options({ ...admin, paramCount: 1 }), async ({ head, res, state }) => {
      const sellerId = decodeURIComponent(head.params[0] ?? '');
      const view = await ringView(p.rings, sellerId);
      if (!view) throw new GateError('GATE_ERR_NOT_FOUND', `the gate has never seen seller "${sellerId}"`, { field: 'sellerId' });
      if (!clue) return view;
      const format = new URLSearchParams(head.query).get('format') ?? 'json';
      if (format !== 'json' && format !== 'csv') throw invalid('format', 'must be "json" or "csv"');
      await p.audit.record({ who: 'admin', what: 'ring:export', subject: view.ringId, details: { sellerId, members: view.members.length, format } });
      if (format === 'csv') {
        send(res, state, 200, cluePackageCsv(view), 'text/csv; charset=utf-8', { 'content-disposition': `attachment; filename="${view.ringId}.csv"` });
        return undefined;
      }
      return cluePackageJson(view, new Date());
    });
  app.get('/v1/admin/rings/:sellerId', ringRoute(false));
  app.get('/v1/admin/rings/:sellerId/clue-package', ringRoute(true));

  app.get(
    '/v1/admin/demotions',
    route(options(admin), async () => {
      return { demotions: await p.causes.list() };
    }),
  );
  app.del(
    '/v1/admin/demotions/:cause',
    route(options({ ...admin, paramCount: 1 }), async ({ head }) => {
      const cause = decodeURIComponent(head.params[0] ?? '');
      if (!(await p.causes.reinstate(cause, 'admin'))) throw new GateError('GATE_ERR_NOT_FOUND', `"${cause}" is not demoted`, { field: 'cause' });
      return { cause, reinstated: true };
    }),
  );

  app.post(
    '/v1/listings/:listingId/appeal',
    route(options({ ...publisher, readsBody: true, paramCount: 1 }), async ({ head, body }) => {
      const listingId = decodeURIComponent(head.params[0] ?? '');
      const issues = new FieldIssues();
      if (!isPlainObject(body)) throw invalid('body', 'must be an object { "sellerId", "reason" }');
      const sellerId = checkString(issues, 'sellerId', body.sellerId, { min: 1, max: 128, required: true });
      const reason = checkString(issues, 'reason', body.reason, { min: 1, max: 2000, required: true });
      if (!issues.empty || sellerId === undefined || reason === undefined) throw invalidFieldsError(issues.list);
      const { appeal, created } = await p.appeals.file(listingId, sellerId, reason);
      return { created, appeal };
    }),
  );
  app.get(
    '/v1/appeals/:appealId',
    route(options({ ...publisher, paramCount: 1 }), async ({ head }) => {
      const appeal = await p.appeals.get(decodeURIComponent(head.params[0] ?? ''));
      if (!appeal) throw new GateError('GATE_ERR_NOT_FOUND', 'no such appeal', { field: 'appealId' });
      return appeal;
    }),
  );
}
