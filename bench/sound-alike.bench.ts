// What brand sound-alikes (issue 24 item 3) cost: a pack compiled and a listing
// decided with them off and on, in the same process. Compile: median of 7,
// alternating; decision: tinybench, matching and scoring one listing in-process.
// On the dev pack (../shared, else the demo pack) and on a pack of 500 brands with
// three- and four-character Chinese names made of common characters.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Bench } from 'tinybench';
import { commonHanzi } from '../src/brands/common-hanzi.js';
import { DEMO_PACK_PATH } from '../src/config/gate-config.js';
import { repoRoot } from '../src/config/repo-root.js';
import { scoreListing } from '../src/gate/score-listing.js';
import { findTextHits } from '../src/matcher/find-text-hits.js';
import { listingTextFields } from '../src/matcher/listing-fields.js';
import { buildPatternPlan } from '../src/matcher/pattern-plan.js';
import { rulesEngine } from '../src/native/rules-engine.js';
import type { PolicyPack } from '../src/pack/policy-pack.js';
import { validatePack } from '../src/pack/validate-pack.js';
import { report } from './bench-report.js';

const withSoundAlikes = (pack: PolicyPack, on: boolean): PolicyPack => ({ ...pack, brands: pack.brands.map((b) => ({ ...b, soundAlikes: on })) });

function compileMillis(pack: PolicyPack): { ms: number; bytes: number; patterns: number } {
  const started = performance.now();
  const plan = buildPatternPlan(pack);
  const db = rulesEngine.compile(plan.patterns);
  const ms = performance.now() - started;
  const bytes = db.size();
  db.close();
  return { ms, bytes, patterns: plan.patterns.length };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

function compareCompile(label: string, pack: PolicyPack): void {
  const off: number[] = [];
  const on: number[] = [];
  let sizes = { off: 0, on: 0, patternsOff: 0, patternsOn: 0 };
  for (let i = 0; i < 7; i++) {
    const a = compileMillis(withSoundAlikes(pack, false));
    const b = compileMillis(withSoundAlikes(pack, true));
    off.push(a.ms);
    on.push(b.ms);
    sizes = { off: a.bytes, on: b.bytes, patternsOff: a.patterns, patternsOn: b.patterns };
  }
  const [mOff, mOn] = [median(off), median(on)];
  console.log(
    `| ${label} | ${sizes.patternsOff} / ${sizes.patternsOn} | ${mOff.toFixed(1)} | ${mOn.toFixed(1)} | ${(mOn / mOff).toFixed(2)} | ${(sizes.off / 1024).toFixed(0)} / ${(sizes.on / 1024).toFixed(0)} |`,
  );
}

function generatedPack(base: PolicyPack, brands: number): PolicyPack {
  const hanzi = [...commonHanzi()];
  let s = 7;
  const rand = (): number => (s = (s * 48271) % 2147483647) / 2147483647;
  const name = (): string => Array.from({ length: 3 + Math.floor(rand() * 2) }, () => hanzi[Math.floor(rand() * hanzi.length)]).join('');
  return {
    ...base,
    brands: Array.from({ length: brands }, (_, i) => ({ id: `generated-${i}`, names: [name()], categories: [], authorizedSellers: [], priceFloor: {} })),
  };
}

export async function runSoundAlikeBench(): Promise<void> {
  const devPath = join(repoRoot, '..', 'shared', 'packs', 'dev-pack.json');
  const path = existsSync(devPath) ? devPath : DEMO_PACK_PATH;
  const validation = validatePack(JSON.parse(readFileSync(path, 'utf8')));
  if (!validation.ok) throw new Error(`${path} does not validate`);
  const pack = validation.pack;

  console.log('\n## compiling a pack with brand sound-alikes off and on (median of 7)\n');
  console.log('| pack | patterns off / on | off ms | on ms | × off | database KiB off / on |');
  console.log('|---|---:|---:|---:|---:|---:|');
  compareCompile(path === devPath ? 'dev pack' : 'demo pack', pack);
  compareCompile('500 brands, 3-4 character Chinese names', generatedPack(pack, 500));

  const listing = {
    title: '正品路易威登LV老花手提包 女士单肩斜挎包 专柜同款 lu yi wei deng',
    description: '支持专柜验货，假一赔十。Comes with box and dust bag. Free shipping nationwide. '.repeat(8),
  };
  const fields = listingTextFields(listing);
  const deciders = [false, true].map((on) => {
    const variant = withSoundAlikes(pack, on);
    const plan = buildPatternPlan(variant);
    const db = rulesEngine.compile(plan.patterns);
    return { on, db, decide: () => scoreListing(variant, { sellerId: 's-bench', textHits: findTextHits(db, plan.meta, fields), listHits: [] }) };
  });
  const bench = new Bench({ time: 1000 });
  for (const d of deciders) bench.add(`decide one listing, sound-alikes ${d.on ? 'on' : 'off'}`, d.decide);
  await bench.run();
  report('deciding a listing in-process with brand sound-alikes off and on', bench, { label: 'listing', perOp: 1 });
  for (const d of deciders) d.db.close();
}
