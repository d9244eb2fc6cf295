// What a reviewer's decision means beyond the listing: a complaint upheld or
// rejected (and its holder's accuracy), an appeal that overturns a block (counted
// against the causes and the complainer, possibly demoting a cause), and the
// brands' figures. Decisions are applied at least once, so each decision's
// outcomes are counted once (a marker per decision), and the marker keeps what
// was counted so that an undo takes exactly that back.
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../redis/redis-keys.js';
import type { ReviewContext } from '../review/review-queue.js';
import type { AppealDesk, AppealStatus } from '../rights-holder/appeal-desk.js';
import type { ComplaintDesk, ComplaintStatus } from '../rights-holder/complaint-desk.js';
import type { ComplainerTrustBook, TrustCount } from '../rights-holder/complainer-trust.js';
import type { BrandFigure, BrandFigures } from './brand-figures.js';
import { causesOf, type CauseLedger } from './cause-ledger.js';

export interface DecidedItem {
  decisionId: string;
  reviewId: string;
  listingId: string;
  decision: 'allow' | 'block';
  who: string;
  at: string;
  createdAt: string;
  context: ReviewContext;
}

type Counted =
  | { kind: 'trust'; holder: string; what: TrustCount }
  | { kind: 'figure'; brands: string[]; figure: BrandFigure; at: string }
  | { kind: 'complaint'; complaintId: string; before: ComplaintStatus }
  | { kind: 'appeal'; appealId: string; before: AppealStatus }
  | { kind: 'overturn'; causes: string[] };

/** Markers are kept long enough to undo within any undo window. */
const MARKER_TTL_SECONDS = 30 * 86_400;

export interface EnforcementOutcomesParts {
  redis: Redis;
  keys: RedisKeys;
  complaints: ComplaintDesk;
  appeals: AppealDesk;
  trust: ComplainerTrustBook;
  figures: BrandFigures;
  causes: CauseLedger;
}

export class EnforcementOutcomes {
  constructor(private readonly parts: EnforcementOutcomesParts) {}

  async decided(item: DecidedItem): Promise<void> {
    const { redis, keys, complaints, appeals, trust, figures, causes } = this.parts;
    const marker = keys.outcomeCounted(item.decisionId);
    if ((await redis.set(marker, '[]', 'EX', MARKER_TTL_SECONDS, 'NX')) === null) return;
    const counted: Counted[] = [];
    const brands = item.context.brands ?? [];
    const created = Date.parse(item.createdAt);
    if (brands.length > 0 && Number.isFinite(created)) await figures.decisionTime(brands, (Date.parse(item.at) - created) / 1000, item.at);

    if (item.context.reports && (await redis.get(keys.openReport(item.listingId))) === item.reviewId) {
      // The reports were answered: the next report on the listing starts a new item.
      await redis.multi().del(keys.openReport(item.listingId)).del(keys.listingReporters(item.listingId)).exec();
    }

    const complaint = item.context.complaint;
    if (complaint) {
      const before = (await complaints.get(complaint.complaintId))?.status ?? 'pending';
      const upheld = item.decision === 'block';
      await complaints.settle(complaint.complaintId, upheld ? 'upheld' : 'rejected', item.who, item.at);
      counted.push({ kind: 'complaint', complaintId: complaint.complaintId, before });
      const what: TrustCount = upheld ? 'upheld' : 'rejected';
      await trust.count(complaint.holder, what);
      counted.push({ kind: 'trust', holder: complaint.holder, what });
      const figure: BrandFigure = upheld ? 'complaintsUpheld' : 'complaintsRejected';
      await figures.count([complaint.brandId], figure, item.at);
      counted.push({ kind: 'figure', brands: [complaint.brandId], figure, at: item.at });
    }

    const appeal = item.context.appeal;
    if (appeal) {
      const before = (await appeals.get(appeal.appealId))?.status ?? 'pending';
      const overturned = item.decision === 'allow';
      await appeals.settle(appeal.appealId, overturned ? 'overturned' : 'upheld', item.who, item.at);
      counted.push({ kind: 'appeal', appealId: appeal.appealId, before });
      if (overturned) {
        const blockCauses = causesOf(appeal.blockReasons);
        await causes.countOverturn(blockCauses, item.who);
        counted.push({ kind: 'overturn', causes: blockCauses });
        const overturnedBrands = new Set(brands);
        if (appeal.complaintId) {
          const source = await complaints.get(appeal.complaintId);
          if (source) {
            await complaints.settle(source.complaintId, 'overturned', item.who, item.at);
            counted.push({ kind: 'complaint', complaintId: source.complaintId, before: source.status });
            await trust.count(source.holder, 'overturned');
            counted.push({ kind: 'trust', holder: source.holder, what: 'overturned' });
            overturnedBrands.add(source.brandId);
          }
        }
        if (overturnedBrands.size > 0) {
          await figures.count(overturnedBrands, 'overturned', item.at);
          counted.push({ kind: 'figure', brands: [...overturnedBrands], figure: 'overturned', at: item.at });
        }
      }
    }
    await redis.set(marker, JSON.stringify(counted), 'EX', MARKER_TTL_SECONDS);
  }

  /**
   * Settles what a lapsed item carried (dead-item-lapse.ts): its complaint and appeal
   * as lapsed, kept the retention window like settled ones; its open report closed.
   * Nobody decided, so no holder's accuracy, cause or figure is counted. Idempotent.
   */
  async lapsed(item: { reviewId: string; listingId: string; at: string; context: ReviewContext }): Promise<void> {
    const { redis, keys, complaints, appeals } = this.parts;
    if (item.context.reports && (await redis.get(keys.openReport(item.listingId))) === item.reviewId) {
      await redis.multi().del(keys.openReport(item.listingId)).del(keys.listingReporters(item.listingId)).exec();
    }
    if (item.context.complaint) await complaints.settle(item.context.complaint.complaintId, 'lapsed', 'lapse', item.at);
    if (item.context.appeal) await appeals.settle(item.context.appeal.appealId, 'lapsed', 'lapse', item.at);
  }

  /** Takes back what a decision counted (its undo). */
  async undone(decisionId: string): Promise<void> {
    const { redis, keys, complaints, appeals, trust, figures } = this.parts;
    const marker = keys.outcomeCounted(decisionId);
    const raw = await redis.get(marker);
    if (raw === null) return;
    for (const entry of (JSON.parse(raw) as Counted[]).reverse()) {
      if (entry.kind === 'trust') await trust.count(entry.holder, entry.what, -1);
      else if (entry.kind === 'figure') await figures.count(entry.brands, entry.figure, entry.at, -1);
      else if (entry.kind === 'complaint') await complaints.settle(entry.complaintId, entry.before, 'undo', new Date().toISOString());
      else if (entry.kind === 'appeal') await appeals.settle(entry.appealId, entry.before, 'undo', new Date().toISOString());
      else for (const cause of entry.causes) await redis.hincrby(keys.causeOverturns, cause, -1);
    }
    await redis.del(marker);
  }
}
