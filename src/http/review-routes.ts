// The reviewer API (contract section 5 and issue 5): claim, decide, hold, release,
// undo, bulk decisions, stats and seller history; the publisher's verdict lookup;
// the admin's dead letters (requeue, drop) and audit log.
import type { RouteRegistrar } from './route-table.js';
import type { AllianceReview, AllianceSellers } from '../alliance/alliance-sellers.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { Principal, TokenRegistry } from '../auth/token-registry.js';
import { GateError } from '../errors/gate-error.js';
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../redis/redis-keys.js';
import type { DecisionEffects } from '../review/decision-effects.js';
import type { ListingVerdicts } from '../review/listing-verdicts.js';
import { ReviewError, type DecisionInput, type ReviewQueue } from '../review/review-queue.js';
import { DeadReviewItems } from '../review/dead-review-items.js';
import type { GateMetrics } from '../observability/gate-metrics.js';
import { isPlainObject } from '../validation/field-issues.js';
import { isRedisUnavailable, route, type RouteOptions } from './route-handler.js';
import { randomUUID } from 'node:crypto';
import type { ReviewSpool } from '../review/review-spool.js';
import type { SpooledChange } from '../review/spooled-change.js';
import type { GateLog } from '../observability/gate-logger.js';

export interface ReviewRouteParts {
  /** Sellers rights holders shared, for a reviewer to list platform-wide or not. */
  alliance: AllianceSellers;
  /** Where decisions go while Redis cannot take them. */
  changes: ReviewSpool<SpooledChange>;
  reviews: ReviewQueue;
  effects: DecisionEffects;
  verdicts: ListingVerdicts;
  audit: AuditLog;
  tokens: TokenRegistry;
  metrics: GateMetrics;
  redis: Redis;
  keys: RedisKeys;
  log: GateLog;
}

const REVIEW_ERROR_STATUS: Record<string, GateError['code']> = {
  not_found: 'GATE_ERR_NOT_FOUND',
};

function toGate(error: unknown): unknown {
  if (!(error instanceof ReviewError)) return error;
  return new GateError(REVIEW_ERROR_STATUS[error.code] ?? 'GATE_ERR_CONFLICT', error.message, { field: 'reviewId', details: { reason: error.code } });
}

function reviewerName(principal: Principal): string {
  return principal.subject ?? principal.role;
}

function decisionOf(raw: unknown, path: string): Omit<DecisionInput, 'reviewer' | 'reviewId'> {
  if (!isPlainObject(raw)) throw new GateError('GATE_ERR_INVALID_FIELD', `${path || 'body'} must be an object`, { field: path || 'body' });
  const at = (name: string): string => (path ? `${path}.${name}` : name);
  if (raw.decision !== 'block' && raw.decision !== 'allow')
    throw new GateError('GATE_ERR_INVALID_FIELD', `${at('decision')} must be "block" or "allow"`, { field: at('decision') });
  if (raw.note !== undefined && (typeof raw.note !== 'string' || raw.note.length > 2000)) {
    throw new GateError('GATE_ERR_INVALID_FIELD', `${at('note')} must be a string of at most 2000 characters`, { field: at('note') });
  }
  const out: Omit<DecisionInput, 'reviewer' | 'reviewId'> = { decision: raw.decision };
  if (typeof raw.note === 'string') out.note = raw.note;
  if (raw.applyToCluster !== undefined) {
    if (typeof raw.applyToCluster !== 'boolean')
      throw new GateError('GATE_ERR_INVALID_FIELD', `${at('applyToCluster')} must be true or false`, { field: at('applyToCluster') });
    out.applyToCluster = raw.applyToCluster;
  }
  if (raw.confirm !== undefined) {
    if (!isPlainObject(raw.confirm)) throw new GateError('GATE_ERR_INVALID_FIELD', `${at('confirm')} must be an object`, { field: at('confirm') });
    const confirm: NonNullable<DecisionInput['confirm']> = {};
    for (const key of ['seller', 'identity', 'images', 'text'] as const) {
      const value = raw.confirm[key];
      if (value === undefined) continue;
      if (typeof value !== 'boolean')
        throw new GateError('GATE_ERR_INVALID_FIELD', `${at(`confirm.${key}`)} must be true or false`, { field: at(`confirm.${key}`) });
      confirm[key] = value;
    }
    out.confirm = confirm;
  }
  return out;
}

export function registerReviewRoutes(app: RouteRegistrar, p: ReviewRouteParts, options: (extra?: Partial<RouteOptions>) => RouteOptions): void {
  const reviewer = { roles: ['reviewer'], name: 'review' } as const;
  const admin = { roles: ['admin'], name: 'admin' } as const;
  /** The caller of a route that names roles. */
  const caller = (principal: Principal | undefined): Principal => {
    if (!principal) throw new GateError('GATE_ERR_INTERNAL', 'a reviewer route ran without its caller');
    return principal;
  };

  app.get(
    '/v1/review/next',
    route(options({ auth: reviewer }), async ({ head, principal }) => {
      const who = caller(principal);
      const raw = new URLSearchParams(head.query).get('count') ?? '1';
      const count = Number(raw);
      if (!Number.isInteger(count) || count < 1 || count > 50)
        throw new GateError('GATE_ERR_INVALID_FIELD', 'count must be an integer from 1 to 50', { field: 'count' });
      const items = await p.reviews.claim(reviewerName(who), count);
      p.metrics.reviewClaims.inc(items.length);
      for (const item of items)
        await p.audit.record({ who: `reviewer:${reviewerName(who)}`, what: 'claim', subject: item.reviewId, details: { deliveries: item.deliveries } });
      return { items, leaseMs: p.reviews.leaseMs };
    }),
  );

  /** Records a decision; `entries` holds what its effects will be applied from (DecisionEffects.settle). */
  const decide = async (who: Principal, reviewId: string, raw: unknown, path: string, entries: string[]): Promise<Record<string, unknown>> => {
    const input = decisionOf(raw, path);
    try {
      const result = await p.reviews.decide({ ...input, reviewId, reviewer: reviewerName(who), asAdmin: who.role === 'admin' });
      entries.push(...result.entries);
      return { reviewId, decisionId: result.decisionId, decision: input.decision, cluster: result.cluster };
    } catch (error) {
      if (!isRedisUnavailable(error)) throw toGate(error);
      // Redis is away: the decision is kept on disk and applied when it returns.
      const id = `sd_${randomUUID()}`;
      await p.changes.append({
        id,
        at: new Date().toISOString(),
        kind: 'decision',
        reviewId,
        reviewer: reviewerName(who),
        asAdmin: who.role === 'admin',
        input,
      });
      p.log.warn(`decision on ${reviewId} spooled (${id}): Redis unavailable`, { reviewId, spoolId: id });
      return { reviewId, decisionId: id, decision: input.decision, spooled: true };
    }
  };

  app.post(
    '/v1/review/:reviewId/decision',
    route(options({ auth: reviewer, readsBody: true, paramCount: 1 }), async ({ head, body, principal }) => {
      const who = caller(principal);
      const entries: string[] = [];
      const result = await decide(who, head.params[0] ?? '', body, '', entries);
      await p.effects.settle(entries);
      return result;
    }),
  );

  app.post(
    '/v1/review/decisions',
    route(options({ auth: reviewer, readsBody: true }), async ({ body, principal }) => {
      const who = caller(principal);
      if (!isPlainObject(body) || !Array.isArray(body.decisions) || body.decisions.length === 0 || body.decisions.length > 300) {
        throw new GateError('GATE_ERR_INVALID_FIELD', 'decisions must be an array of 1-300 { reviewId, decision, note?, confirm? }', { field: 'decisions' });
      }
      const results: Array<Record<string, unknown>> = [];
      const entries: string[] = [];
      for (const [i, raw] of body.decisions.entries()) {
        const reviewId = isPlainObject(raw) && typeof raw.reviewId === 'string' ? raw.reviewId : '';
        try {
          if (!reviewId) throw new GateError('GATE_ERR_INVALID_FIELD', `decisions[${i}].reviewId is required`, { field: `decisions[${i}].reviewId` });
          results.push({ ok: true, ...(await decide(who, reviewId, raw, `decisions[${i}]`, entries)) });
        } catch (error) {
          const gate = error instanceof GateError ? error : new GateError('GATE_ERR_INTERNAL', (error as Error).message);
          results.push({ ok: false, reviewId, error: gate.toBody().error });
        }
      }
      await p.effects.settle(entries);
      return { results };
    }),
  );

  const itemAction = (path: string, act: (who: Principal, reviewId: string) => Promise<unknown>): void => {
    app.post(
      path,
      route(options({ auth: reviewer, paramCount: 1 }), async ({ head, principal }) => {
        const who = caller(principal);
        try {
          return await act(who, head.params[0] ?? '');
        } catch (error) {
          throw toGate(error);
        }
      }),
    );
  };
  itemAction('/v1/review/:reviewId/hold', async (who, reviewId) => ({ reviewId, leaseExpiresAt: await p.reviews.hold(reviewId, reviewerName(who)) }));
  itemAction('/v1/review/:reviewId/release', async (who, reviewId) => {
    await p.reviews.release(reviewId, reviewerName(who));
    await p.audit.record({ who: `reviewer:${reviewerName(who)}`, what: 'release', subject: reviewId });
    return { reviewId, released: true };
  });
  itemAction('/v1/review/:reviewId/undo', async (who, reviewId) => {
    await p.effects.settle([await p.reviews.undo(reviewId, reviewerName(who), who.role === 'admin')]);
    return { reviewId, undone: true };
  });

  app.get(
    '/v1/review/stats',
    route(options({ auth: reviewer }), async ({ principal }) => {
      const who = reviewerName(caller(principal));
      const since = Date.now() - 3_600_000;
      const recent = await p.redis.xrevrange(p.keys.reviewDecisions, '+', `${since}-0`, 'COUNT', 5000);
      let mine = 0;
      for (const [, fields] of recent) if (fields[fields.indexOf('reviewer') + 1] === who && fields[fields.indexOf('type') + 1] === 'decision') mine++;
      return { reviewer: who, depth: await p.reviews.depth(), decidedLastHour: mine, leaseMs: p.reviews.leaseMs, undoWindowMs: p.reviews.undoWindowMs };
    }),
  );

  app.get(
    '/v1/review/alliance/sellers',
    route(options({ auth: reviewer }), async ({ head }) => {
      const status = new URLSearchParams(head.query).get('status') ?? 'pending';
      if (status !== 'pending' && status !== 'all') throw new GateError('GATE_ERR_INVALID_FIELD', 'status must be "pending" or "all"', { field: 'status' });
      return { sellers: await p.alliance.all(status === 'pending') };
    }),
  );
  app.post(
    '/v1/review/alliance/sellers/:sellerId/decision',
    route(options({ auth: reviewer, readsBody: true, paramCount: 1 }), async ({ head, body, principal }) => {
      const who = reviewerName(caller(principal));
      const sellerId = decodeURIComponent(head.params[0] ?? '');
      if (!isPlainObject(body) || (body.decision !== 'confirm' && body.decision !== 'reject')) {
        throw new GateError(
          'GATE_ERR_INVALID_FIELD',
          'decision must be "confirm" (list the seller platform-wide) or "reject" (its shares count for their own brands only)',
          { field: 'decision' },
        );
      }
      if (body.note !== undefined && (typeof body.note !== 'string' || body.note.length > 2000))
        throw new GateError('GATE_ERR_INVALID_FIELD', 'note must be a string of at most 2000 characters', { field: 'note' });
      const decision: AllianceReview['decision'] = body.decision;
      const ruling: AllianceReview = {
        decision,
        by: `reviewer:${who}`,
        at: new Date().toISOString(),
        ...(typeof body.note === 'string' ? { note: body.note } : {}),
      };
      if (!(await p.alliance.review(sellerId, ruling)))
        throw new GateError('GATE_ERR_NOT_FOUND', `no rights holder shares seller "${sellerId}"`, { field: 'sellerId' });
      await p.audit.record({ who: ruling.by, what: `alliance:${decision}:seller`, subject: sellerId, ...(ruling.note ? { why: ruling.note } : {}) });
      return { sellerId, ...ruling };
    }),
  );

  app.get(
    '/v1/review/sellers/:sellerId/history',
    route(options({ auth: reviewer, paramCount: 1 }), async ({ head }) => {
      const sellerId = decodeURIComponent(head.params[0] ?? '');
      const rows = (await p.redis.lrange(p.keys.sellerHistory(sellerId), 0, 99)).map((r) => JSON.parse(r) as { reviewId?: string; undone?: string });
      // Newest first: an undo entry comes before the decision it undid, which is shown as undone, not as standing.
      const undone = new Set<string>();
      const history: unknown[] = [];
      for (const row of rows) {
        if (row.undone !== undefined) {
          if (row.reviewId) undone.add(row.reviewId);
          continue;
        }
        const wasUndone = row.reviewId !== undefined && undone.delete(row.reviewId);
        history.push(wasUndone ? { ...row, undone: true } : row);
      }
      return { sellerId, history: history.slice(0, 50) };
    }),
  );

  app.get(
    '/v1/listings/:listingId/verdict',
    route(options({ auth: { roles: ['publisher'], name: 'verdict', enforced: () => p.tokens.hasRole('publisher') }, paramCount: 1 }), async ({ head }) => {
      const listingId = decodeURIComponent(head.params[0] ?? '');
      const verdict = await p.verdicts.get(listingId);
      if (!verdict) throw new GateError('GATE_ERR_NOT_FOUND', `no verdict for listing ${listingId}`, { field: 'listingId' });
      return verdict;
    }),
  );

  app.get(
    '/v1/admin/review/dead-letters',
    route(options({ auth: admin }), async () => {
      return { items: await p.reviews.deadLetters() };
    }),
  );
  // Before GATE_REVIEW_DEAD_LAPSE_DAYS: after it the item lapsed, and both answer 409 (reason lapsed).
  const deadItems = new DeadReviewItems(p.redis, p.keys, p.reviews.retentionSeconds);
  app.post(
    '/v1/admin/review/dead-letters/:reviewId/requeue',
    route(options({ auth: admin, paramCount: 1 }), async ({ head }) => {
      const reviewId = decodeURIComponent(head.params[0] ?? '');
      const entryId = await deadItems.requeue(reviewId).catch((error: unknown) => Promise.reject(toGate(error)));
      await p.audit.record({ who: 'admin', what: 'review:requeue', subject: reviewId, details: { entryId } });
      return { reviewId, requeued: true };
    }),
  );
  app.del(
    '/v1/admin/review/dead-letters/:reviewId',
    route(options({ auth: admin, paramCount: 1 }), async ({ head }) => {
      const reviewId = decodeURIComponent(head.params[0] ?? '');
      const entry = await deadItems.drop(reviewId, 'admin').catch((error: unknown) => Promise.reject(toGate(error)));
      // Its complaint, appeal or report settled as lapsed before the answer, as a decision's effects are.
      await p.effects.settle([entry]);
      return { reviewId, dropped: true };
    }),
  );
  app.get(
    '/v1/admin/audit',
    route(options({ auth: admin }), async ({ head }) => {
      const query = new URLSearchParams(head.query);
      const count = Math.min(1000, Math.max(1, Number(query.get('count') ?? 100) || 100));
      const after = query.get('after') ?? '-';
      if (after !== '-' && !/^\d{1,20}-\d{1,20}$/.test(after))
        throw new GateError('GATE_ERR_INVALID_FIELD', 'after must be a record id as the log gives it (<ms>-<seq>), or absent', { field: 'after' });
      return { records: await p.audit.read(after, count) };
    }),
  );
  app.get(
    '/v1/admin/audit/verify',
    route(options({ auth: admin }), async () => p.audit.verify()),
  );
}
