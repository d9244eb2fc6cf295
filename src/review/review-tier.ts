/**
 * Review streams by urgency, read in this order: rights-holder complaints first,
 * then the gate's own `review` verdicts, then consumer reports, then QA samples of
 * `allow` verdicts. Within a tier, items come in arrival order.
 */
export const REVIEW_TIERS = ['high', 'normal', 'low', 'qa'] as const;
export type ReviewTier = (typeof REVIEW_TIERS)[number];

export function isReviewTier(value: unknown): value is ReviewTier {
  return typeof value === 'string' && (REVIEW_TIERS as readonly string[]).includes(value);
}
