// Decoding and encoding one listing: msgpackr against JSON (the two body formats
// the gate accepts), on a 1 KB listing with CJK text.
import { Packr } from 'msgpackr';
import { Bench } from 'tinybench';
import { report } from './bench-report.js';

export async function runCodecBench(): Promise<void> {
  const listing = {
    listingId: 'B1',
    sellerId: 's-bench',
    title: 'AAA+ quality copy Ｌｏｕｉｓ Ｖｕｉｔｔｏｎ tote bag 路易威登 手提包',
    description: 'Comes with box and dust bag. Free shipping nationwide. 全国包邮 正品保证 '.repeat(12).slice(0, 900),
    category: 'bags',
    price: { amount: 200, currency: 'CNY' },
    images: [{ url: 'https://img.example/1.jpg', phash: 'd1c4f0e0b0a09080' }],
    seller: { phoneHash: 'ph-0123456789abcdef', deviceId: 'dev-42' },
    attributes: { material: 'leather', color: 'brown' },
  };
  const packr = new Packr({ useRecords: false });
  const json = Buffer.from(JSON.stringify(listing));
  const packed = packr.pack(listing);
  const bench = new Bench({ time: 700 });
  bench
    .add(`JSON.parse (${json.length} bytes)`, () => JSON.parse(json.toString('utf8')) as unknown)
    .add(`msgpackr unpack (${packed.length} bytes)`, () => packr.unpack(packed) as unknown)
    .add('JSON.stringify', () => JSON.stringify(listing))
    .add('msgpackr pack', () => packr.pack(listing));
  await bench.run();
  report('decoding and encoding a listing: JSON vs msgpackr', bench, { label: 'listing', perOp: 1 });
}
