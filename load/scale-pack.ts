// The scale pack and listing stream of issue 7, generated deterministically (a
// seeded generator, so two runs measure the same thing): 100,000 brands with
// Latin and CJK aliases, 1,000 indicators, 1,000,000 blocklisted sellers,
// 1,000,000 banked image hashes and 100,000 banked texts; and listings in a
// realistic mix (mostly clean, some naming brands, some counterfeit).
import type { CheckRequest } from '../src/gate/check-request.js';
import type { PolicyPack } from '../src/pack/policy-pack.js';

export interface ScaleSizes {
  brands: number;
  indicators: number;
  sellers: number;
  images: number;
  texts: number;
}

export const FULL_SCALE: ScaleSizes = { brands: 100_000, indicators: 1_000, sellers: 1_000_000, images: 1_000_000, texts: 100_000 };

const LATIN = 'abcdefghijklmnopqrstuvwxyz';
const HAN =
  '的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严';
const CATEGORIES = ['bags', 'shoes', 'watches', 'cosmetics', 'phones', 'apparel', 'jewelry', 'toys'];
const WORDS =
  'genuine leather tote bag shoulder strap new season classic design gift box free shipping handmade quality cotton canvas travel office daily casual elegant vintage modern limited edition'.split(
    ' ',
  );

export class SeededRandom {
  constructor(private state = 20261125) {}
  next(): number {
    this.state = (this.state * 48271) % 2147483647;
    return this.state / 2147483647;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
  word(alphabet: string, length: number): string {
    return Array.from({ length }, () => alphabet[this.int(alphabet.length)]).join('');
  }
  hex16(): string {
    return Array.from({ length: 16 }, () => '0123456789abcdef'[this.int(16)]).join('');
  }
}

export interface ScaleData {
  pack: PolicyPack;
  /** A sample of what the pack holds, for building listings that hit it. */
  sample: { brandNames: string[]; sellers: string[]; images: string[]; texts: string[]; indicators: string[] };
}

export function scalePack(sizes: ScaleSizes = FULL_SCALE, version = 'scale-1'): ScaleData {
  const rand = new SeededRandom();
  const usedNames = new Set<string>();
  const unique = (make: () => string): string => {
    for (;;) {
      const name = make();
      if (!usedNames.has(name)) {
        usedNames.add(name);
        return name;
      }
    }
  };
  const brands = Array.from({ length: sizes.brands }, (_, i) => {
    const latin = unique(() => rand.word(LATIN, 6 + rand.int(5)));
    const han = unique(() => rand.word(HAN, 3 + rand.int(2)));
    const names = [latin[0]?.toUpperCase() + latin.slice(1), han];
    if (i % 4 === 0) names.push(unique(() => `${latin.slice(0, 3)} ${rand.word(LATIN, 4)}`));
    return { id: `brand-${i}`, names, categories: [rand.pick(CATEGORIES)], authorizedSellers: [`official-${i}`], priceFloor: { CNY: 100 + rand.int(5000) } };
  });
  const indicators = Array.from({ length: sizes.indicators }, (_, i) => {
    const term = i % 2 === 0 ? unique(() => `${rand.word(LATIN, 5)} copy`) : unique(() => `高${rand.word(HAN, 2)}`);
    return { term, score: 40 + rand.int(30), withBrand: 100 };
  });
  const sellers = Array.from({ length: sizes.sellers }, (_, i) => `bad-seller-${i}`);
  const images = Array.from({ length: sizes.images }, (_, i) => ({ ref: `img-${i}`, phash: rand.hex16() }));
  // Banked texts are copies of real counterfeit listings: each has its own words
  // (a text built from a small shared vocabulary would be a near-duplicate of all the others).
  const texts = Array.from({ length: sizes.texts }, (_, i) => ({
    ref: `txt-${i}`,
    text: `${Array.from({ length: 16 }, () => (rand.next() < 0.3 ? rand.pick(WORDS) : rand.word(LATIN, 3 + rand.int(7)))).join(' ')} lot ${i}`,
  }));
  const pack: PolicyPack = {
    packVersion: version,
    thresholds: { block: 100, review: 40 },
    brands,
    indicators,
    exceptions: [],
    rules: [
      { id: 'contact-offplatform', type: 'regex', pattern: '(微信|wechat|whatsapp)\\s*[:：]?\\s*[a-z0-9_-]{5,}', score: 30, fields: ['title', 'description'] },
    ],
    lists: { sellers, shops: [], phones: [], devices: [], paymentAccounts: [] },
    fingerprints: { texts, images },
  };
  const every = (n: number, count: number): number[] => Array.from({ length: Math.min(count, 1000) }, (_, i) => Math.floor((i * n) / Math.min(count, 1000)));
  return {
    pack,
    sample: {
      brandNames: every(sizes.brands, sizes.brands).map((i) => brands[i]?.names[i % 2] ?? ''),
      sellers: every(sizes.sellers, sizes.sellers).map((i) => sellers[i] ?? ''),
      images: every(sizes.images, sizes.images).map((i) => images[i]?.phash ?? ''),
      texts: every(sizes.texts, sizes.texts).map((i) => texts[i]?.text ?? ''),
      indicators: indicators.slice(0, 100).map((i) => i.term),
    },
  };
}

/**
 * Listings in a realistic mix: 80% clean, 10% naming a brand, 4% indicator with a
 * brand, 3% from a blocklisted seller, 2% a banked image, 1% a banked text.
 */
export function listingStream(data: ScaleData, count: number): CheckRequest[] {
  const rand = new SeededRandom(7);
  const s = data.sample;
  return Array.from({ length: count }, (_, i): CheckRequest => {
    const roll = rand.next();
    const filler = Array.from({ length: 30 }, () => rand.pick(WORDS)).join(' ');
    const listing: CheckRequest = {
      listingId: `stream-${i}`,
      sellerId: `seller-${rand.int(50_000)}`,
      title: `${rand.pick(WORDS)} ${rand.pick(WORDS)} ${rand.pick(WORDS)} ${rand.pick(WORDS)}`,
      description: filler,
      category: rand.pick(CATEGORIES),
      price: { amount: 50 + rand.int(3000), currency: 'CNY' },
      images: [{ phash: rand.hex16() }],
    };
    if (roll < 0.1) listing.title = `${rand.pick(s.brandNames)} ${listing.title}`;
    else if (roll < 0.14) listing.title = `${rand.pick(s.brandNames)} ${rand.pick(s.indicators)} ${listing.title}`;
    else if (roll < 0.17) listing.sellerId = rand.pick(s.sellers);
    else if (roll < 0.19) listing.images = [{ phash: rand.pick(s.images) }];
    else if (roll < 0.2) listing.description = rand.pick(s.texts);
    return listing;
  });
}
