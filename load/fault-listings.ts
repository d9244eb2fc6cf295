// The listings of the fault runs and of load:ab, one request body each.

/** The fault runs' listings: a tenth from a listed seller, a third with a phrase that sends them to review. */
export function faultListingBodies(): string[] {
  return Array.from({ length: 5000 }, (_, i) =>
    JSON.stringify({
      listingId: `F-${i}`,
      sellerId: i % 10 === 0 ? 'listed-seller' : `s-${i}`,
      title: i % 3 === 0 ? `super copy tote ${i}` : `cotton tote ${i}`,
    }),
  );
}
