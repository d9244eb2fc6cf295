// A review item as erase-listing-reviews.lua found it before deleting it: what the
// rest of a listing's erasure follows (the streams its entries are in and when they
// were written, the complaint, appeal or report it was about, its decision's
// outcome markers, its seller).
import type { ReviewContext } from '../review/review-queue.js';
import type { TimeSpan } from './stream-eraser.js';

export interface ErasedReviewItem {
  reviewId: string;
  /** pending, decided, superseded or dead. */
  status: string;
  /** The review stream its entries are in. */
  stream: string;
  /** When its entries (review stream, decisions) may have been written. */
  written: TimeSpan;
  /** The decision standing when it was erased ('' for none). */
  decisionId: string;
  sellerId: string;
  context: ReviewContext;
}

function millis(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const value = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  return Number.isFinite(value) ? value : undefined;
}

function contextOf(raw: string): ReviewContext {
  try {
    const parsed: unknown = JSON.parse(raw || '{}');
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as ReviewContext) : {};
  } catch (error) {
    if (error instanceof SyntaxError) return {}; // an item's context the gate wrote is JSON; a torn one names nothing to follow
    throw error;
  }
}

/** The script's row: reviewId, status, stream, createdAt, decidedAtMs, decidedAt, decisionId, sellerId, context. */
export function erasedReviewItem(row: readonly string[]): ErasedReviewItem {
  const [reviewId = '', status = '', stream = '', createdAt, decidedAtMs, decidedAt, decisionId = '', sellerId = '', context = ''] = row;
  // A pending (or dead, or undone) item may yet get entries; a decided or superseded one got its last when it was closed.
  const closedAt = status === 'decided' || status === 'superseded' ? (millis(decidedAtMs) ?? millis(decidedAt)) : undefined;
  return {
    reviewId,
    status,
    stream,
    written: { from: millis(createdAt) ?? 0, to: closedAt ?? Number.POSITIVE_INFINITY },
    decisionId,
    sellerId,
    context: contextOf(context),
  };
}
