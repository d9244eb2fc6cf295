// The gate's record of an allowed listing, kept compact: no copy of the listing,
// only what GET /v1/listings/{id}/verdict, complaints and reports need (issue 23).
// Records live in day buckets, hashes of listing id -> packed record, under the
// listing's verdict shard (redis-keys allowRecords); lib/allow-records.lua reads them.
//
// Packed: `<decidedAt, ms base 36>|<checkId>|<reason codes, comma-separated>|<policyVersion, | and % escaped>|<sellerId>`.
// A Redis hash keeps its entries in one compact listpack while each is at most
// hash-max-listpack-value bytes (64 by default), so the check id is packed too.
import type { Reason, ReasonCode } from '../gate/reason.js';
import type { ListingVerdict } from './listing-verdicts.js';

const CHECK_ID = /^ck_([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})$/;
const PACKED_CHECK_ID = /^~([A-Za-z0-9_-]{22})$/;

/** A gate's check id (`ck_` and a UUID) as its 16 bytes in base64url after `~`; any other id escaped. */
function packCheckId(checkId: string): string {
  const parts = CHECK_ID.exec(checkId);
  return parts ? `~${Buffer.from(parts.slice(1).join(''), 'hex').toString('base64url')}` : escapeField(checkId);
}

function unpackCheckId(packed: string): string {
  const bytes = PACKED_CHECK_ID.exec(packed)?.[1];
  if (!bytes) return unescapeField(packed);
  const hex = Buffer.from(bytes, 'base64url').toString('hex');
  return `ck_${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function escapeField(text: string): string {
  return text.replace(/%/g, '%25').replace(/\|/g, '%7C').replace(/^~/, '%7E');
}

function unescapeField(text: string): string {
  return text.replace(/%7E/g, '~').replace(/%7C/g, '|').replace(/%25/g, '%');
}

export function packAllowRecord(verdict: ListingVerdict, sellerId: string): string {
  const codes = [...new Set((verdict.reasons ?? []).map((reason) => reason.code))].join(',');
  return [Date.parse(verdict.decidedAt).toString(36), packCheckId(verdict.checkId ?? ''), codes, escapeField(verdict.policyVersion ?? ''), sellerId].join('|');
}

/** When the packed record was decided, in ms since the epoch. */
export function allowRecordMillis(packed: string): number {
  return parseInt(packed.slice(0, packed.indexOf('|')), 36);
}

/** The verdict of a packed record; its reasons are codes only (`ref` is empty). */
export function unpackAllowRecord(listingId: string, packed: string): ListingVerdict & { sellerId: string } {
  const [millis = '', checkId = '', codes = '', policyVersion = ''] = packed.split('|', 4);
  const sellerId = packed.split('|').slice(4).join('|');
  const verdict: ListingVerdict & { sellerId: string } = {
    listingId,
    verdict: 'allow',
    decidedBy: 'gate',
    decidedAt: new Date(parseInt(millis, 36)).toISOString(),
    sellerId,
  };
  if (checkId) verdict.checkId = unpackCheckId(checkId);
  if (policyVersion) verdict.policyVersion = unescapeField(policyVersion);
  verdict.reasons = codes ? codes.split(',').map((code): Reason => ({ code: code as ReasonCode, ref: '' })) : [];
  return verdict;
}
