// How matching one 1 KB listing grows with the pack: 1k to 300k brand names (a
// third in Chinese), Hyperscan (scan alone, and the whole text match: normalize,
// scan, interpret) against one RegExp per term and against RE2.Set (one
// automaton for all terms, like Hyperscan; which terms matched, no offsets) over
// the same normalized text.
import { mkdirSync, writeFileSync } from 'node:fs';
import { Bench } from 'tinybench';
import { repoPath } from '../src/config/repo-root.js';
import { lineChartSvg } from '../load/svg-chart.js';
import { findTextHits } from '../src/matcher/find-text-hits.js';
import { listingTextFields } from '../src/matcher/listing-fields.js';
import { buildPatternPlan } from '../src/matcher/pattern-plan.js';
import { rulesEngine } from '../src/native/rules-engine.js';
import { normalizeText } from '../src/normalize/normalize-text.js';
import type { PolicyPack } from '../src/pack/policy-pack.js';
import { compileRe2Set, loadRe2 } from './re2-comparator.js';

const LATIN = 'abcdefghijklmnopqrstuvwxyz';
const HAN =
  '的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严';

function brandNames(count: number): string[] {
  let s = 20261125;
  const rand = (): number => (s = (s * 48271) % 2147483647) / 2147483647;
  const pick = (alphabet: string, length: number): string => Array.from({ length }, () => alphabet[Math.floor(rand() * alphabet.length)]).join('');
  return Array.from({ length: count }, (_, i) => (i % 3 === 0 ? pick(HAN, 3 + Math.floor(rand() * 2)) : pick(LATIN, 6 + Math.floor(rand() * 5))));
}

function packOf(names: string[]): PolicyPack {
  return {
    packVersion: `scale-${names.length}`,
    thresholds: { block: 100, review: 40 },
    brands: names.map((name, i) => ({ id: `b${i}`, names: [name], categories: [], authorizedSellers: [], priceFloor: {} })),
    indicators: [{ term: 'replica', score: 60, withBrand: 100 }],
    exceptions: [],
    rules: [],
    lists: { sellers: [], shops: [], phones: [], devices: [], paymentAccounts: [] },
    fingerprints: { texts: [], images: [] },
  };
}

export async function runScaleBench(sizes = [1000, 10_000, 100_000, 300_000], regexUpTo = 100_000): Promise<void> {
  const listing = {
    title: 'AAA+ quality copy Ｌｏｕｉｓ Ｖｕｉｔｔｏｎ tote bag, 路易威登 手提包 高仿',
    description: 'Comes with box and dust bag. Free shipping nationwide. 全国包邮 正品保证 实物拍摄 '.repeat(14).slice(0, 950),
  };
  const fields = listingTextFields(listing);
  const normalized = fields.map((f) => normalizeText(f.text).bytes.toString('utf8'));
  const buffer = Buffer.from(normalized.join('\n'));
  const re2 = loadRe2();
  const rows: string[] = [];
  const re2Notes: string[] = [];
  const points: Array<{
    terms: number;
    scan: number;
    text: number;
    regexp: number | null;
    re2Set: number | null;
    re2CompileSeconds: number | null;
    compileSeconds: number;
  }> = [];
  let base: number | undefined;
  for (const size of sizes) {
    const plan = buildPatternPlan(packOf(brandNames(size)));
    const started = performance.now();
    const db = rulesEngine.compile(plan.patterns);
    const compileMs = performance.now() - started;
    const bench = new Bench({ time: 700 });
    bench.add('scan', () => db.scan(buffer)).add('text match', () => findTextHits(db, plan.meta, fields));
    let regex: RegExp[] = [];
    if (size <= regexUpTo) {
      regex = plan.patterns.map((p) => new RegExp(p.expression, 'u'));
      bench.add('regexp', () => {
        let found = 0;
        for (const text of normalized) for (const re of regex) if (re.test(text)) found++;
        return found;
      });
    }
    let re2Cell = re2.available ? '' : 'not installed';
    let re2CompileSeconds: number | null = null;
    if (re2.available) {
      const compiled = compileRe2Set(
        re2.re2,
        plan.patterns.map((p) => p.expression),
        'u',
        buffer,
      );
      re2CompileSeconds = compiled.seconds;
      if ('set' in compiled) {
        const set = compiled.set;
        bench.add('re2 set', () => set.match(buffer));
      } else {
        re2Cell = 'fails';
        // node-re2 builds every set with RE2's default memory budget (8 MiB per program) and does not let it be raised.
        re2Notes.push(`RE2.Set at ${size.toLocaleString('en')} terms ${compiled.failure} (RE2's default 8 MiB program budget)`);
      }
    }
    await bench.run();
    const mean = (name: string): number => (bench.tasks.find((t) => t.name === name)?.result?.latency.mean ?? NaN) * 1000;
    const hasRe2 = bench.tasks.some((t) => t.name === 're2 set');
    base ??= mean('text match');
    points.push({
      terms: size,
      scan: mean('scan'),
      text: mean('text match'),
      regexp: regex.length > 0 ? mean('regexp') : null,
      re2Set: hasRe2 ? mean('re2 set') : null,
      re2CompileSeconds,
      compileSeconds: compileMs / 1000,
    });
    if (hasRe2) re2Cell = `${mean('re2 set').toFixed(1)} (compile ${re2CompileSeconds?.toFixed(1) ?? '?'} s)`;
    rows.push(
      `| ${size.toLocaleString('en')} | ${(compileMs / 1000).toFixed(1)} | ${(db.size() / 2 ** 20).toFixed(1)} | ${mean('scan').toFixed(1)} | ${mean('text match').toFixed(1)} | ${(mean('text match') / base).toFixed(2)} | ${re2Cell} | ${regex.length > 0 ? mean('regexp').toFixed(0) : 'not run'} |`,
    );
    db.close();
  }
  mkdirSync(repoPath('bench-results'), { recursive: true });
  const chartPath = repoPath('bench-results', 'scan-cost-by-pack-size.svg');
  writeFileSync(
    chartPath,
    lineChartSvg({
      title: 'Matching one 1 KB listing, by pack size',
      xLabel: 'brand names in the pack',
      yLabel: 'µs per listing (log scale)',
      categories: sizes.map((n) => n.toLocaleString('en')),
      series: [
        { name: 'Hyperscan scan', values: points.map((p) => p.scan) },
        { name: 'whole text match', values: points.map((p) => p.text) },
        { name: 'RE2.Set', values: points.map((p) => p.re2Set), dashed: true },
        { name: 'one RegExp per term', values: points.map((p) => p.regexp), dashed: true },
      ],
      logY: true,
    }),
  );
  writeFileSync(repoPath('bench-results', 'scale.json'), JSON.stringify(points, null, 2));
  console.log('\n## one 1 KB listing against packs of 1k to 300k brand names\n');
  console.log('| terms | compile s | database MiB | Hyperscan scan µs | whole text match µs | × smallest | RE2.Set µs | one RegExp per term µs |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const row of rows) console.log(row);
  if (!re2.available) console.log(`\nRE2 comparator not run: ${re2.why}`);
  for (const note of re2Notes) console.log(`\n${note}`);
  console.log(`\nchart: ${chartPath}`);
}
