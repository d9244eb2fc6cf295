// The listing as a verdict record keeps it: a JSON array in a fixed order instead
// of an object, without the listing id (the record's key names it). An object's
// key names cost about 70 bytes a record, a third of a typical listing (issue 23).
// Records of earlier versions keep objects; both are read.
import type { CheckRequest } from '../gate/check-request.js';

type StoredImage = [phash: string | null, url?: string];
type StoredListing = [
  sellerId: string,
  title: string,
  description?: string | null,
  category?: string | null,
  price?: [amount: number, currency: string] | null,
  images?: StoredImage[] | null,
  shopId?: string | null,
  brand?: string | null,
  seller?: CheckRequest['seller'] | null,
  attributes?: Record<string, string> | null,
];

export function packStoredListing(listing: CheckRequest): string {
  const stored: StoredListing = [
    listing.sellerId,
    listing.title,
    listing.description ?? null,
    listing.category ?? null,
    listing.price ? [listing.price.amount, listing.price.currency] : null,
    listing.images ? listing.images.map((image): StoredImage => (image.url === undefined ? [image.phash ?? null] : [image.phash ?? null, image.url])) : null,
    listing.shopId ?? null,
    listing.brand ?? null,
    listing.seller ?? null,
    listing.attributes ?? null,
  ];
  while (stored.length > 2 && stored[stored.length - 1] === null) stored.pop();
  return JSON.stringify(stored);
}

export function unpackStoredListing(listingId: string, text: string): CheckRequest {
  const parsed = JSON.parse(text) as StoredListing | Omit<CheckRequest, 'listingId'>;
  if (!Array.isArray(parsed)) return { listingId, ...parsed };
  const [sellerId, title, description, category, price, images, shopId, brand, seller, attributes] = parsed;
  const listing: CheckRequest = { listingId, sellerId, title };
  if (shopId != null) listing.shopId = shopId;
  if (description != null) listing.description = description;
  if (brand != null) listing.brand = brand;
  if (category != null) listing.category = category;
  if (price != null) listing.price = { amount: price[0], currency: price[1] };
  if (images != null) {
    listing.images = images.map(([phash, url]) => {
      const image: { url?: string; phash?: string } = {};
      if (url !== undefined) image.url = url;
      if (phash !== null) image.phash = phash;
      return image;
    });
  }
  if (seller != null) listing.seller = seller;
  if (attributes != null) listing.attributes = attributes;
  return listing;
}

/** The seller a stored listing names, without unpacking the rest. */
export function sellerOfStoredListing(text: string): string | undefined {
  const parsed = JSON.parse(text) as unknown;
  const sellerId = Array.isArray(parsed) ? (parsed[0] as unknown) : (parsed as { sellerId?: unknown } | null)?.sellerId;
  return typeof sellerId === 'string' ? sellerId : undefined;
}
