// The gate's record of an allowed listing, kept compact: no copy of the listing,
// only what GET /v1/listings/{id}/verdict, complaints and reports need (issue 23).
// Records live in day buckets, hashes of listing id -> packed record, under the
// listing's verdict shard (redis-keys allowRecords); lib/allow-records.lua reads them.
//
// Packed: `<decidedAt, ms base 36>|<checkId>|<reason codes, comma-separated>|<policyVersion, | and % escaped>|<sellerId>`.
// A Redis hash keeps its entries in one compact listpack while each is at most
// hash-max-listpack-value bytes (64 by default), so the check id is packed too.
import type { Reason, ReasonCode } from '../gate/reason.js';
import type { ListingVerdict } from './listing-verdict.js';

const PACKED_CHECK_ID = /^~([A-Za-z0-9_-]{22})$/;

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const DASHES_AT = [11, 16, 21, 26];

function lowerHexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x61 && code <= 0x66) return code - 0x57;
  return -1;
}

/** A gate's check id (`ck_` and a UUID) as its 16 bytes in base64url after `~`; any other id escaped. */
export function packCheckId(checkId: string): string {
  if (checkId.length !== 39 || !checkId.startsWith('ck_') || DASHES_AT.some((at) => checkId.charCodeAt(at) !== 0x2d)) return escapeField(checkId);
  // Three hex digits are twelve bits, two base64url characters; the last two digits are one byte.
  let out = '~';
  let bits = 0;
  let digits = 0;
  for (let i = 3; i < 39; i++) {
    if (i === 11 || i === 16 || i === 21 || i === 26) continue;
    const value = lowerHexValue(checkId.charCodeAt(i));
    if (value < 0) return escapeField(checkId);
    bits = (bits << 4) | value;
    if (++digits === 3) {
      out += BASE64URL.charAt(bits >> 6) + BASE64URL.charAt(bits & 0x3f);
      bits = 0;
      digits = 0;
    }
  }
  return out + BASE64URL.charAt(bits >> 2) + BASE64URL.charAt((bits & 0x03) << 4);
}

export function unpackCheckId(packed: string): string {
  const bytes = PACKED_CHECK_ID.exec(packed)?.[1];
  if (!bytes) return unescapeField(packed);
  const hex = Buffer.from(bytes, 'base64url').toString('hex');
  return `ck_${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function escapeField(text: string): string {
  if (!text.includes('%') && !text.includes('|') && !text.startsWith('~')) return text;
  return text.replace(/%/g, '%25').replace(/\|/g, '%7C').replace(/^~/, '%7E');
}

function unescapeField(text: string): string {
  return text.replace(/%7E/g, '~').replace(/%7C/g, '|').replace(/%25/g, '%');
}

export function packAllowRecord(verdict: ListingVerdict, sellerId: string): string {
  return packAllowRecordAt(Date.parse(verdict.decidedAt), verdict.checkId ?? '', verdict.reasons ?? [], verdict.policyVersion ?? '', sellerId);
}

/** The packed record of an allow decided at `millis` (ms since the epoch). */
export function packAllowRecordAt(millis: number, checkId: string, reasons: readonly Reason[], policyVersion: string, sellerId: string): string {
  let codes = '';
  for (const reason of reasons) {
    if (!`,${codes},`.includes(`,${reason.code},`)) codes = codes ? `${codes},${reason.code}` : reason.code;
  }
  return `${millis.toString(36)}|${packCheckId(checkId)}|${codes}|${escapeField(policyVersion)}|${sellerId}`;
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
