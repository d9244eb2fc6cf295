// The listing the demo-pack load runs send over and over: a brand named in
// full-width letters next to copy indicators, below the brand's price floor
// (the demo pack blocks it).
export const DEMO_BODY = JSON.stringify({
  listingId: 'LOAD-1',
  sellerId: 's-load',
  title: 'AAA+ quality copy Ｌｏｕｉｓ Ｖｕｉｔｔｏｎ tote bag',
  description: 'Comes with box and dust bag. Free shipping nationwide. Contact us for wholesale.',
  category: 'bags',
  price: { amount: 199, currency: 'CNY' },
});
