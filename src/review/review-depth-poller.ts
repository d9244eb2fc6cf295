// Review items by tier and state, asked of Redis every two seconds; a scrape
// reads the last answer and never waits on Redis.
import type { MetricsRegistry } from '../observability/metrics.js';
import type { ReviewQueue } from './review-queue.js';

export interface ReviewDepthPoller {
  stop(): void;
}

/** Registers `gate_review_queue_items` and keeps it current; a failed poll keeps the last figures. */
export function startReviewDepthPoller(registry: MetricsRegistry, reviews: Pick<ReviewQueue, 'depth'>, intervalMs = 2000): ReviewDepthPoller {
  let reviewDepth: Array<{ labels: Record<string, string>; value: number }> = [];
  registry.gauge('gate_review_queue_items', 'Review items by tier and state (waiting for a reviewer, or claimed).', () => reviewDepth, ['tier', 'state']);
  const depthTimer = setInterval(() => {
    reviews.depth().then(
      (depth) =>
        (reviewDepth = Object.entries(depth).flatMap(([tier, d]) => [
          { labels: { tier, state: 'waiting' }, value: d.waiting },
          { labels: { tier, state: 'claimed' }, value: d.claimed },
        ])),
      () => undefined,
    );
  }, intervalMs);
  depthTimer.unref();
  return { stop: () => clearInterval(depthTimer) };
}
