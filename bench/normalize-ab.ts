// Normalization cost per 1 KB listing (1,024 characters, as bench/normalize.bench.ts
// counts), two builds alternated in one process: baseline and candidate are
// repository roots, each built (dist/ and native-rules/build/Release/). CPU time
// from process.cpuUsage, median of the rounds; both builds must give the same
// output, or the comparison means nothing.
//   node dist/bench/normalize-ab.js /path/to/baseline /path/to/candidate [rounds=7] [iterations=20000]
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

type NormalizeModule = typeof import('../src/normalize/normalize-text.js');

const latin = 'Castrol engine oil 4L brand new free shipping, comes with box and dust bag. L.V wallet Ｎｉｋｅ '.repeat(20).slice(0, 1024);
const cjk = '路易威登官方旗舰店 手提包 正品保证 全国包邮到家，工厂直销 皮料和專櫃一致 '.repeat(40).slice(0, 1024);

const [baseline, candidate] = process.argv.slice(2, 4);
if (baseline === undefined || candidate === undefined) throw new Error('usage: normalize-ab.js BASELINE_ROOT CANDIDATE_ROOT [rounds] [iterations]');
const rounds = Number(process.argv[4] ?? 7);
const iterations = Number(process.argv[5] ?? 20000);

const builds: Array<{ root: string; normalize: NormalizeModule }> = [];
for (const root of [baseline, candidate]) {
  const normalize = (await import(pathToFileURL(join(root, 'dist/src/normalize/normalize-text.js')).href)) as NormalizeModule;
  normalize.prepareNormalizer();
  builds.push({ root, normalize });
}

const asBytes = (a: Uint8Array | Uint32Array): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
for (const text of [latin, cjk]) {
  const [a, b] = builds.map(({ normalize }) => normalize.normalizeText(text));
  if (a === undefined || b === undefined) throw new Error('two builds expected');
  for (const key of ['bytes', 'classes', 'originStart', 'originEnd', 'byteToIndex'] as const) {
    if (!asBytes(a[key]).equals(asBytes(b[key]))) throw new Error(`the builds normalize differently (${key})`);
  }
}

const cases = [
  { name: 'Latin, with offsets', text: latin, withOffsets: true },
  { name: 'Latin, no offsets', text: latin, withOffsets: false },
  { name: 'CJK, with offsets', text: cjk, withOffsets: true },
  { name: 'CJK, no offsets', text: cjk, withOffsets: false },
];
const samples = cases.flatMap((c) => builds.map((build) => ({ ...c, ...build, micros: [] as number[] })));
for (const { text, withOffsets, normalize } of samples) {
  for (let i = 0; i < 2000; i++) (withOffsets ? normalize.normalizeText : normalize.normalizeChars)(text); // warm-up: JIT, scratch sizes
}
for (let round = 0; round < rounds; round++) {
  // Each case, the two builds back to back, in alternating order.
  const ordered = round % 2 === 0 ? samples : [...samples].reverse();
  for (const { text, withOffsets, normalize, micros } of ordered) {
    const run = withOffsets ? normalize.normalizeText : normalize.normalizeChars;
    const start = process.cpuUsage();
    for (let i = 0; i < iterations; i++) run(text);
    const spent = process.cpuUsage(start);
    micros.push((spent.user + spent.system) / iterations);
  }
}

const median = (xs: readonly number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? Number.NaN;
console.log(`| case | build | median µs per 1 KB | min | max |\n|---|---|---:|---:|---:|`);
for (const { name, root, micros } of samples) {
  console.log(`| ${name} | ${root} | ${median(micros).toFixed(2)} | ${Math.min(...micros).toFixed(2)} | ${Math.max(...micros).toFixed(2)} |`);
}
