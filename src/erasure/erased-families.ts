// What an erasure removed, counted by key family: the answer of
// DELETE /v1/admin/listings/{id} and DELETE /v1/admin/sellers/{id}/data. Every
// family is always named, so that a second erasure answers the same shape, with zeros.

/** Families that hold a listing's data (docs/redis-keys.md, "Erasure"). */
export const LISTING_FAMILIES = [
  'verdictRecords',
  'allowRecords',
  'reviewItems',
  'reviewContentKeys',
  'reviewListingKeys',
  'clusterMemberships',
  'reviewStreamEntries',
  'decisionEntries',
  'deadLetters',
  'decidedListings',
  'complaints',
  'appeals',
  'reports',
  'outcomeMarkers',
  'sellerHistoryEntries',
  'ringListings',
  'webhookEvents',
  'intakeEntries',
  'entrySamples',
  'backtestSamples',
] as const;

/** What a seller's erasure removes besides its listings' data. */
export const SELLER_FAMILIES = ['listings', 'ringSellerKeys', 'ringAttributes'] as const;

export type ListingFamily = (typeof LISTING_FAMILIES)[number];
export type SellerFamily = (typeof SELLER_FAMILIES)[number];
export type ListingErased = Record<ListingFamily, number>;
export type SellerErased = Record<ListingFamily | SellerFamily, number>;

export function noListingErased(): ListingErased {
  return Object.fromEntries(LISTING_FAMILIES.map((family) => [family, 0])) as ListingErased;
}

export function noSellerErased(): SellerErased {
  return { ...noListingErased(), ...(Object.fromEntries(SELLER_FAMILIES.map((family) => [family, 0])) as Record<SellerFamily, number>) };
}
