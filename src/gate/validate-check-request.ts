// Validates a check request field by field (contract section 1). Fields the
// contract does not name are ignored, so that callers can send more than we read.
import { FieldIssues, checkNumber, checkString, describeType, isPlainObject, type FieldIssue } from '../validation/field-issues.js';
import type { CheckRequest } from './check-request.js';

export type CheckRequestValidation = { ok: true; request: CheckRequest } | { ok: false; issues: FieldIssue[] };

const PHASH = /^[0-9a-fA-F]{16}$/;
const CURRENCY = /^[A-Z]{3}$/;
const SELLER_KEYS = ['phoneHash', 'deviceId', 'paymentAccountHash', 'addressHash'] as const;
const MAX_IMAGES = 20;
const MAX_ATTRIBUTES = 50;

function optionalObject(issues: FieldIssues, path: string, value: unknown): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  if (!isPlainObject(value)) {
    issues.add(path, `must be an object, got ${describeType(value)}`);
    return undefined;
  }
  return value;
}

export function validateCheckRequest(body: unknown): CheckRequestValidation {
  const issues = new FieldIssues();
  if (!isPlainObject(body)) return { ok: false, issues: [{ path: 'body', message: `must be an object, got ${describeType(body)}` }] };

  const listingId = checkString(issues, 'listingId', body.listingId, { min: 1, max: 128, required: true });
  const sellerId = checkString(issues, 'sellerId', body.sellerId, { min: 1, max: 128, required: true });
  const shopId = checkString(issues, 'shopId', body.shopId, { min: 1, max: 128 });
  const title = checkString(issues, 'title', body.title, { min: 1, max: 512, required: true });
  const description = checkString(issues, 'description', body.description, { max: 20_000 });
  const brand = checkString(issues, 'brand', body.brand, { max: 512 });
  const category = checkString(issues, 'category', body.category, { max: 128 });

  let price: CheckRequest['price'];
  const rawPrice = optionalObject(issues, 'price', body.price);
  if (rawPrice) {
    const amount = checkNumber(issues, 'price.amount', rawPrice.amount, { min: 0, max: 1e12, required: true });
    const currency = checkString(issues, 'price.currency', rawPrice.currency, { min: 1, required: true });
    if (currency !== undefined && !CURRENCY.test(currency)) issues.add('price.currency', 'must be an ISO 4217 code such as CNY');
    else if (amount !== undefined && currency !== undefined) price = { amount, currency };
  }

  let images: CheckRequest['images'];
  if (body.images !== undefined) {
    if (!Array.isArray(body.images)) issues.add('images', `must be an array, got ${describeType(body.images)}`);
    else if (body.images.length > MAX_IMAGES) issues.add('images', `must have at most ${MAX_IMAGES} items, got ${body.images.length}`);
    else {
      images = [];
      body.images.forEach((item: unknown, i: number) => {
        const image = optionalObject(issues, `images[${i}]`, item ?? null);
        if (!image) return;
        const url = checkString(issues, `images[${i}].url`, image.url, { min: 1, max: 2048 });
        const phash = checkString(issues, `images[${i}].phash`, image.phash, {});
        if (phash !== undefined && !PHASH.test(phash)) issues.add(`images[${i}].phash`, 'must be 16 hexadecimal characters (a 64-bit hash)');
        const entry: { url?: string; phash?: string } = {};
        if (url !== undefined) entry.url = url;
        if (phash !== undefined) entry.phash = phash.toLowerCase();
        images?.push(entry);
      });
    }
  }

  let seller: CheckRequest['seller'];
  const rawSeller = optionalObject(issues, 'seller', body.seller);
  if (rawSeller) {
    seller = {};
    for (const key of SELLER_KEYS) {
      const value = checkString(issues, `seller.${key}`, rawSeller[key], { min: 1, max: 128 });
      if (value !== undefined) seller[key] = value;
    }
  }

  let attributes: CheckRequest['attributes'];
  const rawAttributes = optionalObject(issues, 'attributes', body.attributes);
  if (rawAttributes) {
    const keys = Object.keys(rawAttributes);
    if (keys.length > MAX_ATTRIBUTES) issues.add('attributes', `must have at most ${MAX_ATTRIBUTES} keys, got ${keys.length}`);
    else {
      attributes = {};
      for (const key of keys) {
        if (key.length === 0 || key.length > 128) {
          issues.add('attributes', `keys must be 1-128 characters, got one of ${key.length}`);
          continue;
        }
        const value = checkString(issues, `attributes.${key}`, rawAttributes[key], { max: 2000, required: true });
        if (value !== undefined) attributes[key] = value;
      }
    }
  }

  if (!issues.empty || listingId === undefined || sellerId === undefined || title === undefined) {
    return { ok: false, issues: issues.list };
  }
  const request: CheckRequest = { listingId, sellerId, title };
  if (shopId !== undefined) request.shopId = shopId;
  if (description !== undefined) request.description = description;
  if (brand !== undefined) request.brand = brand;
  if (category !== undefined) request.category = category;
  if (price !== undefined) request.price = price;
  if (images !== undefined) request.images = images;
  if (seller !== undefined) request.seller = seller;
  if (attributes !== undefined) request.attributes = attributes;
  return { ok: true, request };
}
