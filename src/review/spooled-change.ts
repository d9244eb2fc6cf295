// List changes and reviewers' decisions made while Redis could not take them:
// kept in the local spool (answered 202, `spooled: true`) and applied when Redis
// answers again, each once (an applied marker per change id). A spooled decision
// that can no longer apply (the claim lapsed and another reviewer decided) is not
// dropped silently: the refusal goes to the audit log with the whole decision.
import type { Redis } from 'ioredis';
import type { AuditLog } from '../audit/audit-log.js';
import type { BlocklistStore } from '../lists/blocklist-store.js';
import type { ListKind } from '../pack/policy-pack.js';
import type { RedisKeys } from '../redis/redis-keys.js';
import type { SellerRings } from '../rings/seller-rings.js';
import type { DecisionEffects } from './decision-effects.js';
import { ReviewError, type DecisionInput, type ReviewQueue } from './review-queue.js';

export type SpooledChange = { id: string; at: string } & (
  | { kind: 'list'; change: 'add' | 'remove'; list: ListKind; values: string[] }
  | { kind: 'decision'; reviewId: string; reviewer: string; asAdmin: boolean; input: Omit<DecisionInput, 'reviewer' | 'reviewId' | 'asAdmin'> }
);

export interface SpooledChangeParts {
  redis: Redis;
  keys: RedisKeys;
  lists: BlocklistStore;
  rings: SellerRings;
  reviews: ReviewQueue;
  effects: DecisionEffects;
  audit: AuditLog;
}

/** Markers outlive any outage the spool could span. */
const APPLIED_TTL_SECONDS = 7 * 86_400;

export async function applySpooledChange(parts: SpooledChangeParts, change: SpooledChange): Promise<void> {
  const marker = `${parts.keys.prefix}{spool}:applied:${change.id}`;
  if ((await parts.redis.exists(marker)) === 1) return;
  if (change.kind === 'list') {
    if (change.change === 'add') await parts.lists.add(change.list, change.values);
    else await parts.lists.remove(change.list, change.values, { byAdmin: true });
    if (change.list === 'sellers') await parts.rings.confirm(change.values, change.change === 'add');
    await parts.audit.record({
      who: 'admin',
      what: `list:${change.change}:${change.list}`,
      when: change.at,
      details: { values: change.values.slice(0, 100), count: change.values.length, spooled: change.id },
    });
  } else {
    try {
      await parts.reviews.decide({ ...change.input, reviewId: change.reviewId, reviewer: change.reviewer, asAdmin: change.asAdmin });
      await parts.effects.process();
    } catch (error) {
      if (!(error instanceof ReviewError)) throw error; // Redis again: stays in the spool
      if (error.code !== 'already_decided') {
        await parts.audit.record({
          who: `reviewer:${change.reviewer}`,
          what: 'decision:spool-refused',
          subject: change.reviewId,
          why: error.code,
          when: change.at,
          details: change,
        });
      }
    }
  }
  await parts.redis.set(marker, '1', 'EX', APPLIED_TTL_SECONDS);
}
