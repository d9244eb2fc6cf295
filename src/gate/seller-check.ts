// The shop-opening check (`POST /v1/check/seller`): a seller's identity before its
// first listing, judged with the listings' lists, rings and normalization. A
// business name that names a brand the seller is not authorised for goes to
// review (`business_name_brand`); indicator terms in it count as in a title.
import { FieldIssues, checkString, isPlainObject, type FieldIssue } from '../validation/field-issues.js';
import type { CheckRequest } from './check-request.js';
import type { Reason, ReasonCode, Verdict } from './reason.js';

export interface SellerCheckRequest {
  sellerId: string;
  shopId?: string;
  businessName: string;
  /** Where the seller declares it is based or ships from (free text, e.g. `Guangzhou`). */
  region?: string;
  seller?: CheckRequest['seller'];
}

/** The shop-opening check adds one reason code to the listing codes. */
export type SellerReasonCode = ReasonCode | 'business_name_brand';
export interface SellerReason extends Omit<Reason, 'code'> {
  code: SellerReasonCode;
}

export interface SellerCheckResponse {
  checkId: string;
  sellerId: string;
  verdict: Verdict;
  score: number;
  reasons: SellerReason[];
  policyVersion: string;
  reviewId?: string;
  tookMicros: number;
}

const SELLER_KEYS = ['phoneHash', 'deviceId', 'paymentAccountHash', 'addressHash'] as const;

export function validateSellerCheck(body: unknown): { ok: true; request: SellerCheckRequest } | { ok: false; issues: FieldIssue[] } {
  const issues = new FieldIssues();
  if (!isPlainObject(body)) return { ok: false, issues: [{ path: 'body', message: 'must be an object with sellerId and businessName' }] };
  const sellerId = checkString(issues, 'sellerId', body.sellerId, { min: 1, max: 128, required: true });
  const shopId = checkString(issues, 'shopId', body.shopId, { min: 1, max: 128 });
  const businessName = checkString(issues, 'businessName', body.businessName, { min: 1, max: 256, required: true });
  const region = checkString(issues, 'region', body.region, { min: 1, max: 64 });
  let seller: CheckRequest['seller'];
  if (body.seller !== undefined) {
    if (!isPlainObject(body.seller)) issues.add('seller', 'must be an object of identity hashes');
    else {
      seller = {};
      for (const key of SELLER_KEYS) {
        const value = checkString(issues, `seller.${key}`, body.seller[key], { min: 1, max: 128 });
        if (value !== undefined) seller[key] = value;
      }
    }
  }
  if (!issues.empty || sellerId === undefined || businessName === undefined) return { ok: false, issues: issues.list };
  const request: SellerCheckRequest = { sellerId, businessName };
  if (shopId !== undefined) request.shopId = shopId;
  if (region !== undefined) request.region = region;
  if (seller !== undefined) request.seller = seller;
  return { ok: true, request };
}

/** The listing id of a seller's shop-opening check (its review item's, which a seller's erasure finds by it). */
export function shopListingId(sellerId: string): string {
  return `shop:${sellerId}`;
}

/** The shop as a listing-shaped review item (the reviewer's page shows its business name as the title). */
export function shopAsListing(request: SellerCheckRequest): CheckRequest {
  const listing: CheckRequest = { listingId: shopListingId(request.sellerId), sellerId: request.sellerId, title: request.businessName };
  if (request.shopId !== undefined) listing.shopId = request.shopId;
  if (request.seller !== undefined) listing.seller = request.seller;
  if (request.region !== undefined) listing.attributes = { region: request.region };
  return listing;
}
