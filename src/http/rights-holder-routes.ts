// The rights holder's API: its brand registry (names, categories, authorised
// sellers, price floors, mark claims, banked images and texts), one-click
// complaints, its complainer trust tier and its brands' figures. Every call is
// scoped to the token's holder: another holder's ids are simply not found.
import type { RouteRegistrar } from './route-table.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { Principal, TokenRegistry } from '../auth/token-registry.js';
import { BRAND_FIGURES, type BrandFigures } from '../enforcement/brand-figures.js';
import { reportRange } from '../enforcement/report-range.js';
import { GateError } from '../errors/gate-error.js';
import type { FingerprintBank } from '../fingerprint/fingerprint-bank.js';
import { isImageKind } from '../fingerprint/fingerprint-kind.js';
import type { GateMetrics } from '../observability/gate-metrics.js';
import type { PackManager } from '../pack/pack-manager.js';
import { validateBrandEntry } from '../pack/validate-pack.js';
import { bankedEntryOwner, bankedEntryRef } from '../rights-holder/banked-entry-ref.js';
import { enforcementOf, liveBrandId, reregistered, type BrandRegistry, type RegisteredBrand } from '../rights-holder/brand-registry.js';
import type { ComplainerTrustBook } from '../rights-holder/complainer-trust.js';
import { MAX_LISTINGS_PER_COMPLAINT, type ComplaintDesk, type ComplaintStatus } from '../rights-holder/complaint-desk.js';
import { validateMarkClaim } from '../rights-holder/mark-claim.js';
import { invalidFieldsError } from '../validation/invalid-fields-error.js';
import { checkString, checkStringArray, FieldIssues, isPlainObject } from '../validation/field-issues.js';
import { bankEntries, fingerprintKindOf } from './bank-entries.js';
import { toCsv } from './csv.js';
import type { AllianceSellers } from '../alliance/alliance-sellers.js';
import { send } from './respond.js';
import { route, type RouteOptions } from './route-handler.js';
import type { GateLog } from '../observability/gate-logger.js';

export interface RightsHolderRouteParts {
  alliance: AllianceSellers;
  registry: BrandRegistry;
  packs: PackManager;
  fingerprints: FingerprintBank;
  complaints: ComplaintDesk;
  trust: ComplainerTrustBook;
  figures: BrandFigures;
  audit: AuditLog;
  tokens: TokenRegistry;
  metrics: GateMetrics;
  log: GateLog;
}

export const HOLDER_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const BRAND_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export function invalid(field: string, message: string): GateError {
  return new GateError('GATE_ERR_INVALID_FIELD', `${field} ${message}`, { field });
}

function firstIssue(issues: FieldIssues, field: string): GateError {
  return invalidFieldsError(issues.list, { field, emptyPathNamesField: true, details: true });
}

/** The holder a call acts for: the token's own, or for an admin the `holder` query parameter. */
function holderOf(principal: Principal, query: string): string {
  if (principal.role === 'rights_holder' && principal.subject) return principal.subject;
  const holder = new URLSearchParams(query).get('holder') ?? '';
  if (!HOLDER_ID.test(holder)) throw invalid('holder', 'is required for an admin acting for a rights holder (?holder=<id>)');
  return holder;
}

function brandIdOf(raw: string): string {
  const brandId = decodeURIComponent(raw);
  if (!BRAND_ID.test(brandId)) throw invalid('brandId', 'must be 1-64 letters, digits, _ . or - (starting with a letter or digit)');
  return brandId;
}

export function brandView(entry: RegisteredBrand): unknown {
  const enforcement = enforcementOf(entry);
  return {
    brandId: entry.brand.id,
    liveId: liveBrandId(entry.holder, entry.brand.id),
    names: entry.brand.names,
    verifiedNames: entry.verification.status === 'verified' ? (entry.verifiedNames ?? entry.brand.names) : [],
    pendingNames: entry.pendingNames ?? [],
    categories: entry.brand.categories,
    authorizedSellers: entry.brand.authorizedSellers,
    priceFloor: entry.brand.priceFloor,
    claim: entry.claim ?? null,
    verification: entry.verification,
    enforced: enforcement.enforced,
    heldBack: enforcement.enforced ? null : enforcement.why,
    updatedAt: entry.updatedAt,
  };
}

export function figuresCsv(rows: Awaited<ReturnType<BrandFigures['report']>>): string {
  return toCsv(
    ['day', 'brandId', ...BRAND_FIGURES, 'decisions', 'medianSecondsToDecision'],
    rows.map((r) => [r.day, r.brandId, ...BRAND_FIGURES.map((f) => r.counts[f]), r.decisions, r.medianSecondsToDecision ?? '']),
  );
}

export function registerRightsHolderRoutes(app: RouteRegistrar, p: RightsHolderRouteParts, options: (extra?: Partial<RouteOptions>) => RouteOptions): void {
  const asHolder = { roles: ['rights_holder'], name: 'rights-holder' } as const;
  /** The holder a call acts for (the token's, or the one an admin names). */
  const holder = (principal: Principal | undefined, query: string): string => {
    if (!principal) throw new GateError('GATE_ERR_INTERNAL', 'a rights-holder route ran without its caller');
    return holderOf(principal, query);
  };
  const ownBrand = async (who: string, raw: string): Promise<RegisteredBrand> => {
    const brandId = brandIdOf(raw);
    const entry = await p.registry.get(who, brandId);
    if (!entry) throw new GateError('GATE_ERR_NOT_FOUND', `you have no brand "${brandId}"`, { field: 'brandId' });
    return entry;
  };
  const base = '/v1/rights-holder';

  app.get(
    `${base}/brands`,
    route(options({ auth: asHolder }), async ({ head, principal }) => {
      const who = holder(principal, head.query);
      return { holder: who, brands: (await p.registry.ofHolder(who)).map(brandView) };
    }),
  );
  app.get(
    `${base}/brands/:brandId`,
    route(options({ auth: asHolder, paramCount: 1 }), async ({ head, principal }) =>
      brandView(await ownBrand(holder(principal, head.query), head.params[0] ?? '')),
    ),
  );
  app.put(
    `${base}/brands/:brandId`,
    route(options({ auth: asHolder, readsBody: true, paramCount: 1 }), async ({ head, principal, body }) => {
      const who = holder(principal, head.query);
      const brandId = brandIdOf(head.params[0] ?? '');
      const issues = new FieldIssues();
      if (isPlainObject(body) && body.id !== undefined && body.id !== brandId) issues.add('id', `must be absent or "${brandId}" (the brand id is in the path)`);
      const brand = validateBrandEntry(issues, '', isPlainObject(body) ? { ...body, id: brandId } : body);
      if (!issues.empty || !brand) throw firstIssue(issues, 'body');
      const before = await p.registry.get(who, brandId);
      // Only names no admin verified wait for one; verified names stay enforced, in any order.
      const entry = reregistered(before, who, brand, new Date().toISOString());
      await p.registry.put(entry);
      await p.audit.record({
        who: `rights_holder:${who}`,
        what: before ? 'brand:update' : 'brand:register',
        subject: liveBrandId(who, brandId),
        details: { names: brand.names, pendingNames: entry.pendingNames ?? [], status: entry.verification.status },
      });
      await p.packs.registryChanged();
      return brandView(entry);
    }),
  );
  app.del(
    `${base}/brands/:brandId`,
    route(options({ auth: asHolder, paramCount: 1 }), async ({ head, principal }) => {
      const who = holder(principal, head.query);
      const entry = await ownBrand(who, head.params[0] ?? '');
      await p.registry.remove(who, entry.brand.id);
      let removedEntries = 0;
      for (const kind of ['images', 'texts', 'negative-images', 'negative-texts'] as const) {
        const refs = (await Promise.all([true, false].map((shared) => p.fingerprints.entriesWithPrefix(kind, bankedEntryRef(who, entry.brand.id, '', shared)))))
          .flat()
          .map((e) => e.ref);
        if (refs.length > 0) removedEntries += await p.fingerprints.remove(kind, refs);
      }
      await p.audit.record({ who: `rights_holder:${who}`, what: 'brand:remove', subject: liveBrandId(who, entry.brand.id), details: { removedEntries } });
      await p.packs.registryChanged();
      return { brandId: entry.brand.id, removed: true, removedEntries };
    }),
  );
  app.put(
    `${base}/brands/:brandId/claim`,
    route(options({ auth: asHolder, readsBody: true, paramCount: 1 }), async ({ head, principal, body }) => {
      const who = holder(principal, head.query);
      const entry = await ownBrand(who, head.params[0] ?? '');
      const validation = validateMarkClaim(body);
      if (!validation.ok) throw firstIssue(validation.issues, 'body');
      const next: RegisteredBrand = { ...entry, claim: validation.claim, verification: { status: 'pending' }, updatedAt: new Date().toISOString() };
      await p.registry.put(next);
      await p.audit.record({ who: `rights_holder:${who}`, what: 'claim:submit', subject: liveBrandId(who, entry.brand.id), details: validation.claim });
      // A verified brand whose claim is replaced is held back until verified again.
      if (entry.verification.status === 'verified') await p.packs.registryChanged();
      return brandView(next);
    }),
  );

  const fingerprintRoute = (change: 'add' | 'remove' | 'list') =>
    route(options({ auth: asHolder, readsBody: change !== 'list', paramCount: 2 }), async ({ head, principal, body }) => {
      const who = holder(principal, head.query);
      const entry = await ownBrand(who, head.params[0] ?? '');
      const kind = fingerprintKindOf(head.params[1] ?? '');
      const brandId = entry.brand.id;
      const own = (shared: boolean) => p.fingerprints.entriesWithPrefix(kind, bankedEntryRef(who, brandId, '', shared));
      if (change === 'list') {
        const entries = [...(await own(false)), ...(await own(true))].map((e) => {
          const owner = bankedEntryOwner(e.ref);
          return { ref: owner?.ref ?? e.ref, shared: owner?.shared ?? false, [isImageKind(kind) ? 'phash' : 'text']: e.value };
        });
        return { brandId, kind, entries };
      }
      if (change === 'add') {
        if (isPlainObject(body) && body.shared !== undefined && typeof body.shared !== 'boolean') throw invalid('shared', 'must be true or false');
        const shared = isPlainObject(body) && body.shared === true;
        const entries = bankEntries(kind, body).map((e) => ({ ref: bankedEntryRef(who, brandId, e.ref, shared), value: e.value }));
        // The same ref banked the other way (private vs shared) is replaced, not kept twice.
        const other = entries.map((e) => bankedEntryRef(who, brandId, bankedEntryOwner(e.ref)?.ref ?? '', !shared));
        await p.fingerprints.remove(kind, other);
        await p.fingerprints.add(kind, entries);
        await p.audit.record({
          who: `rights_holder:${who}`,
          what: `bank:add:${kind}`,
          subject: liveBrandId(who, brandId),
          details: { count: entries.length, shared },
        });
        return { brandId, kind, added: entries.length, shared };
      }
      const issues = new FieldIssues();
      const refs = isPlainObject(body)
        ? checkStringArray(issues, 'refs', body.refs, { required: true, nonEmpty: true, maxItems: 100_000, itemMax: 128 })
        : undefined;
      if (!refs) throw firstIssue(issues, 'refs');
      const removed = await p.fingerprints.remove(
        kind,
        refs.flatMap((ref) => [bankedEntryRef(who, brandId, ref, false), bankedEntryRef(who, brandId, ref, true)]),
      );
      await p.audit.record({
        who: `rights_holder:${who}`,
        what: `bank:remove:${kind}`,
        subject: liveBrandId(who, brandId),
        details: { refs: refs.slice(0, 100), removed },
      });
      return { brandId, kind, removed };
    });
  app.post(
    `${base}/brands/:brandId/fingerprints/:kind/sharing`,
    route(options({ auth: asHolder, readsBody: true, paramCount: 2 }), async ({ head, principal, body }) => {
      const who = holder(principal, head.query);
      const entry = await ownBrand(who, head.params[0] ?? '');
      const kind = fingerprintKindOf(head.params[1] ?? '');
      const issues = new FieldIssues();
      if (!isPlainObject(body)) throw invalid('body', 'must be an object { "refs": [...], "shared": true | false }');
      const refs = checkStringArray(issues, 'refs', body.refs, { required: true, nonEmpty: true, maxItems: 100_000, itemMax: 128 });
      if (typeof body.shared !== 'boolean') issues.add('shared', 'must be true or false');
      if (!refs || !issues.empty) throw firstIssue(issues, 'refs');
      const shared = body.shared === true;
      const brandId = entry.brand.id;
      const current = new Map(
        (await p.fingerprints.entriesWithPrefix(kind, bankedEntryRef(who, brandId, '', !shared))).map((e) => [bankedEntryOwner(e.ref)?.ref ?? '', e.value]),
      );
      const moving = refs.filter((ref) => current.has(ref));
      // Added under the new ref before the old one goes, so the entry never stops matching for its own brand.
      if (moving.length > 0) {
        await p.fingerprints.add(
          kind,
          moving.map((ref) => ({ ref: bankedEntryRef(who, brandId, ref, shared), value: current.get(ref) ?? '' })),
        );
        await p.fingerprints.remove(
          kind,
          moving.map((ref) => bankedEntryRef(who, brandId, ref, !shared)),
        );
      }
      await p.audit.record({
        who: `rights_holder:${who}`,
        what: shared ? `alliance:share:${kind}` : `alliance:withdraw:${kind}`,
        subject: liveBrandId(who, brandId),
        details: { refs: moving.slice(0, 100), count: moving.length },
      });
      return { brandId, kind, shared, changed: moving.length, unchanged: refs.filter((ref) => !current.has(ref)) };
    }),
  );
  const sellersRoute = (change: 'share' | 'withdraw' | 'list') =>
    route(options({ auth: asHolder, readsBody: change !== 'list', paramCount: 1 }), async ({ head, principal, body }) => {
      const who = holder(principal, head.query);
      const entry = await ownBrand(who, head.params[0] ?? '');
      const brand = liveBrandId(who, entry.brand.id);
      if (change === 'list') return { brandId: entry.brand.id, sellers: await p.alliance.sharedBy(brand) };
      const enforcement = enforcementOf(entry);
      if (change === 'share' && !enforcement.enforced)
        throw new GateError('GATE_ERR_CONFLICT', `brand "${entry.brand.id}" is not enforced: ${enforcement.why}`, { field: 'brandId' });
      const issues = new FieldIssues();
      const sellerIds = isPlainObject(body)
        ? checkStringArray(issues, 'sellerIds', body.sellerIds, { required: true, nonEmpty: true, maxItems: 10_000, itemMax: 128 })
        : undefined;
      if (!sellerIds) throw firstIssue(issues, 'sellerIds');
      if (change === 'share') {
        const added = await p.alliance.share(brand, sellerIds);
        await p.audit.record({
          who: `rights_holder:${who}`,
          what: 'alliance:share:sellers',
          subject: brand,
          details: { sellerIds: sellerIds.slice(0, 100), count: sellerIds.length, added },
        });
        return { brandId: entry.brand.id, shared: added };
      }
      const ended = await p.alliance.withdraw(brand, sellerIds);
      await p.audit.record({
        who: `rights_holder:${who}`,
        what: 'alliance:withdraw:sellers',
        subject: brand,
        details: { sellerIds: ended.slice(0, 100), count: ended.length },
      });
      // `delisted`: the sellers whose share by this brand ended (a reviewer's platform listing, if any, stays).
      return { brandId: entry.brand.id, withdrawn: ended.length, delisted: ended };
    });
  app.post(`${base}/brands/:brandId/sellers`, sellersRoute('share'));
  app.del(`${base}/brands/:brandId/sellers`, sellersRoute('withdraw'));
  app.get(`${base}/brands/:brandId/sellers`, sellersRoute('list'));
  app.post(`${base}/brands/:brandId/fingerprints/:kind`, fingerprintRoute('add'));
  app.del(`${base}/brands/:brandId/fingerprints/:kind`, fingerprintRoute('remove'));
  app.get(`${base}/brands/:brandId/fingerprints/:kind`, fingerprintRoute('list'));

  app.post(
    `${base}/complaints`,
    route(options({ auth: asHolder, readsBody: true }), async ({ head, principal, body }) => {
      const who = holder(principal, head.query);
      const issues = new FieldIssues();
      if (!isPlainObject(body)) throw invalid('body', 'must be an object { "brandId", "reason", "listingIds": [...] }');
      const brandId = checkString(issues, 'brandId', body.brandId, { min: 1, max: 64, required: true });
      const reason = checkString(issues, 'reason', body.reason, { min: 1, max: 2000, required: true });
      const listingIds = checkStringArray(issues, 'listingIds', body.listingIds, {
        required: true,
        nonEmpty: true,
        maxItems: MAX_LISTINGS_PER_COMPLAINT,
        itemMax: 128,
      });
      if (!issues.empty || brandId === undefined || reason === undefined || !listingIds) throw firstIssue(issues, 'body');
      const brand = await ownBrand(who, brandId);
      const enforcement = enforcementOf(brand);
      if (!enforcement.enforced) throw new GateError('GATE_ERR_CONFLICT', `brand "${brandId}" is not enforced: ${enforcement.why}`, { field: 'brandId' });
      const results = await p.complaints.file(who, brandId, reason, [...new Set(listingIds)]);
      return {
        filed: results.filter((r) => 'complaint' in r && r.created).length,
        results: results.map((r) => ('complaint' in r ? { listingId: r.listingId, created: r.created, complaint: r.complaint } : r)),
      };
    }),
  );
  app.get(
    `${base}/complaints`,
    route(options({ auth: asHolder }), async ({ head, principal }) => {
      const who = holder(principal, head.query);
      const params = new URLSearchParams(head.query);
      const limit = Number(params.get('limit') ?? '100');
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw invalid('limit', 'must be an integer from 1 to 1000');
      const status = params.get('status') ?? undefined;
      const statuses: ComplaintStatus[] = ['pending', 'taken_down', 'upheld', 'rejected', 'overturned', 'lapsed'];
      if (status !== undefined && !(statuses as string[]).includes(status)) throw invalid('status', `must be one of ${statuses.join(', ')}`);
      return { complaints: await p.complaints.ofHolder(who, limit, status as ComplaintStatus | undefined) };
    }),
  );
  app.get(
    `${base}/complaints/:complaintId`,
    route(options({ auth: asHolder, paramCount: 1 }), async ({ head, principal }) => {
      const who = holder(principal, head.query);
      const complaint = await p.complaints.get(decodeURIComponent(head.params[0] ?? ''));
      if (!complaint || complaint.holder !== who) throw new GateError('GATE_ERR_NOT_FOUND', 'you have no such complaint', { field: 'complaintId' });
      return complaint;
    }),
  );
  app.get(
    `${base}/trust`,
    route(options({ auth: asHolder }), async ({ head, principal }) => {
      const who = holder(principal, head.query);
      return { holder: who, ...(await p.trust.of(who)) };
    }),
  );
  app.get(
    `${base}/figures`,
    route(options({ auth: asHolder }), async ({ head, principal, res, state }) => {
      const who = holder(principal, head.query);
      const range = reportRange(head.query);
      const rows = await p.figures.report(range.from, range.to, (brandId) => brandId.startsWith(`${who}/`));
      if (range.format === 'csv') {
        send(res, state, 200, figuresCsv(rows), 'text/csv; charset=utf-8');
        return undefined;
      }
      return { holder: who, from: range.from, to: range.to, rows };
    }),
  );
}
