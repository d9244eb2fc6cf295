// The listings a check thread checks before it says it is ready, made from the
// pack it loads: its brands' names with and without its indicators, in Latin and
// CJK, disguised, with images, identities and attributes, so that the first real
// checks find every branch of the path compiled, not only a plain title's.
import type { CheckRequest } from '../gate/check-request.js';
import type { PolicyPack } from '../pack/policy-pack.js';

const BRANDS_USED = 4;
const PLAIN: CheckRequest[] = [
  {
    listingId: 'rehearsal-plain',
    sellerId: 'rehearsal',
    title: 'Plain cotton t-shirt, white',
    description: 'Soft, breathable, machine washable.',
    price: { amount: 59, currency: 'CNY' },
  },
  {
    listingId: 'rehearsal-cjk',
    sellerId: 'rehearsal',
    title: 'ＡＡＡ quality 纯棉 T恤 白色 男女同款',
    category: 'apparel',
    images: [{ phash: '0123456789abcdef' }],
  },
  {
    listingId: 'rehearsal-identity',
    sellerId: 'rehearsal',
    shopId: 'rehearsal-shop',
    title: 'Ceramic mug 350 ml',
    description: '陶瓷马克杯，容量350毫升。'.repeat(8),
    seller: { phoneHash: 'rehearsal-phone', deviceId: 'rehearsal-device' },
    attributes: { shipFrom: 'CN-GD', material: 'ceramic' },
    images: [{ phash: 'fedcba9876543210' }, { url: 'https://example.invalid/rehearsal.jpg' }],
  },
];

function disguised(name: string): string {
  return [...name].join(' ');
}

/** A few listings per brand of the pack (the first BRANDS_USED), then plain ones. */
export function rehearsalListings(pack: PolicyPack): CheckRequest[] {
  const indicators = pack.indicators.filter((indicator) => indicator.mode !== 'shadow').map((indicator) => indicator.term);
  const listings: CheckRequest[] = [...PLAIN];
  pack.brands.slice(0, BRANDS_USED).forEach((brand, b) => {
    const category = brand.categories[0] ?? 'general';
    const [currency, floor] = Object.entries(brand.priceFloor)[0] ?? ['CNY', 100];
    const indicator = indicators[b % Math.max(1, indicators.length)] ?? 'copy';
    brand.names.forEach((name, n) => {
      const id = `rehearsal-${b}-${n}`;
      listings.push(
        {
          listingId: `${id}-a`,
          sellerId: brand.authorizedSellers[0] ?? 'rehearsal',
          title: `${name} official store`,
          category,
          price: { amount: floor * 2, currency },
        },
        {
          listingId: `${id}-b`,
          sellerId: 'rehearsal',
          title: `${name} ${indicator}`,
          description: `${indicator} ${name}`,
          category,
          price: { amount: Math.max(1, Math.floor(floor / 10)), currency },
        },
        {
          listingId: `${id}-c`,
          sellerId: 'rehearsal',
          title: `${disguised(name)} bag`,
          brand: name,
          category,
          images: [{ phash: '0f0f0f0f0f0f0f0f' }],
          attributes: { shipFrom: 'CN-ZJ' },
        },
      );
    });
  });
  return listings;
}
