// Normalization cost per KB of listing text, Latin and CJK, and what the offset
// map adds (compared with NFKC + lower case alone, which has no offsets).
import { Bench } from 'tinybench';
import { normalizeChars, normalizeText } from '../src/normalize/normalize-text.js';
import { report } from './bench-report.js';

const latin = 'Castrol engine oil 4L brand new free shipping, comes with box and dust bag. L.V wallet Ｎｉｋｅ '.repeat(20).slice(0, 1024);
const cjk = '路易威登官方旗舰店 手提包 正品保证 全国包邮到家，工厂直销 皮料和專櫃一致 '.repeat(40).slice(0, 1024);

export async function runNormalizeBench(): Promise<void> {
  normalizeText('warm the fold table');
  for (const [name, text] of [
    ['Latin', latin],
    ['CJK', cjk],
  ] as const) {
    const bench = new Bench({ time: 1000 });
    bench
      .add(`NFKC + toLowerCase (no offsets, no evasion handling), ${name} 1 KB`, () => text.normalize('NFKC').toLowerCase())
      .add(`normalization without the offset map, ${name} 1 KB`, () => normalizeChars(text))
      .add(`normalizeText with offset map, ${name} 1 KB`, () => normalizeText(text));
    await bench.run();
    report(`normalization, ${name}`, bench, { label: 'KB', perOp: 1 });
  }
}
