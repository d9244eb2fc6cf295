// The price of detection on real listings no one on this project wrote
// (../shared/real-titles, see its README): every Taobao title and every Abt and
// Buy retailer listing is decided in-process against a pack (matching and scoring
// as a check does, without lists or fingerprints), and the verdicts are counted.
// With --compare-sound-alikes, the pack is decided twice in the same run, with
// brand sound-alikes off for every brand and as the pack says, and the listings
// whose verdict differs are printed.
//
//   node dist/scripts/real-title-verdicts.js [--pack <path>] [--compare-sound-alikes] [--examples <n>]
//
// ../shared is found beside the repository, or at GATE_SHARED_DIR.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../src/config/repo-root.js';
import { scoreListing } from '../src/gate/score-listing.js';
import type { Verdict } from '../src/gate/reason.js';
import { findTextHits } from '../src/matcher/find-text-hits.js';
import { listingTextFields } from '../src/matcher/listing-fields.js';
import { buildPatternPlan } from '../src/matcher/pattern-plan.js';
import { rulesEngine } from '../src/native/rules-engine.js';
import type { PolicyPack } from '../src/pack/policy-pack.js';
import { validatePack } from '../src/pack/validate-pack.js';
import { parseCsv } from './csv-rows.js';

interface RealListing {
  source: string;
  title: string;
  description?: string;
}

function option(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

function readTaobao(path: string): RealListing[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => {
      const row = JSON.parse(line) as { title?: unknown };
      if (typeof row.title !== 'string') throw new Error(`${path}: a line has no string field "title"`);
      return { source: 'taobao', title: row.title };
    });
}

function readRetailer(path: string, source: string): RealListing[] {
  const [header, ...rows] = parseCsv(readFileSync(path, 'latin1'));
  const name = header?.indexOf('name') ?? -1;
  const description = header?.indexOf('description') ?? -1;
  if (name < 0 || description < 0) throw new Error(`${path}: the header has no "name" or "description" column`);
  return rows
    .filter((row) => (row[name] ?? '').length > 0)
    .map((row) => ({ source, title: (row[name] ?? '').slice(0, 512), description: (row[description] ?? '').slice(0, 20_000) }));
}

interface Decider {
  decide(listing: RealListing): { verdict: Verdict; reasons: string[] };
  close(): void;
}

function decider(pack: PolicyPack): Decider {
  const plan = buildPatternPlan(pack);
  const db = rulesEngine.compile(plan.patterns);
  return {
    decide(listing) {
      const hits = findTextHits(db, plan.meta, listingTextFields(listing));
      const scored = scoreListing(pack, { sellerId: 's-real-titles', textHits: hits, listHits: [] });
      return { verdict: scored.verdict, reasons: scored.reasons.map((r) => `${r.code}:${r.ref}`) };
    },
    close: () => db.close(),
  };
}

/** The pack with sound-alikes turned off for every brand. */
function withoutSoundAlikes(pack: PolicyPack): PolicyPack {
  return { ...pack, brands: pack.brands.map((brand) => ({ ...brand, soundAlikes: false })) };
}

function main(): void {
  const shared = process.env.GATE_SHARED_DIR ?? join(repoRoot, '..', 'shared');
  const titles = join(shared, 'real-titles');
  if (!existsSync(titles)) {
    console.error(`skipped: ${titles} is not present (../shared is not beside this clone; set GATE_SHARED_DIR)`);
    return;
  }
  const packPath = option('--pack') ?? join(shared, 'packs', 'dev-pack.json');
  const validation = validatePack(JSON.parse(readFileSync(packPath, 'utf8')));
  if (!validation.ok) throw new Error(`${packPath} is not a valid pack: ${validation.issues.map((i) => `${i.path} ${i.message}`).join('; ')}`);
  const examples = Number(option('--examples') ?? 20);
  const listings = [
    ...readTaobao(join(titles, 'taobao-titles.jsonl')),
    ...readRetailer(join(titles, 'Abt.csv'), 'abt'),
    ...readRetailer(join(titles, 'Buy.csv'), 'buy'),
  ];
  const configurations: Array<[string, PolicyPack]> = process.argv.includes('--compare-sound-alikes')
    ? [['sound-alikes off', withoutSoundAlikes(validation.pack)], ['as the pack says', validation.pack]]
    : [['pack', validation.pack]];
  const results = configurations.map(([name, pack]) => {
    const decide = decider(pack);
    const started = performance.now();
    const decided = listings.map((listing) => decide.decide(listing));
    const micros = ((performance.now() - started) * 1000) / listings.length;
    decide.close();
    return { name, decided, micros };
  });
  for (const source of ['taobao', 'abt', 'buy']) {
    const indexes = listings.flatMap((l, i) => (l.source === source ? [i] : []));
    for (const { name, decided, micros } of results) {
      const count = (v: Verdict): number => indexes.filter((i) => decided[i]?.verdict === v).length;
      const pct = (n: number): string => `${((100 * n) / indexes.length).toFixed(2)}%`;
      const soundAlikes = indexes.filter((i) => decided[i]?.reasons.some((r) => r.startsWith('brand_sound_alike:'))).length;
      console.log(`${source.padEnd(6)} ${name.padEnd(17)} n=${indexes.length} review=${count('review')} (${pct(count('review'))}) block=${count('block')} (${pct(count('block'))}) with brand_sound_alike=${soundAlikes} ${micros.toFixed(0)} us/listing`);
    }
  }
  if (results.length === 2) {
    const [before, after] = results as [(typeof results)[number], (typeof results)[number]];
    const changed = listings.flatMap((listing, i) => {
      const a = before.decided[i];
      const b = after.decided[i];
      return a && b && a.verdict !== b.verdict ? [{ listing, from: a.verdict, to: b.verdict, reasons: b.reasons }] : [];
    });
    console.log(`changed verdicts: ${changed.length} (new blocks: ${changed.filter((c) => c.to === 'block').length})`);
    for (const c of changed.slice(0, examples)) console.log(`  ${c.listing.source} ${c.from}->${c.to} ${c.reasons.join(' ')} ${JSON.stringify(c.listing.title)}`);
  } else if (examples > 0) {
    const decided = results[0]?.decided ?? [];
    listings.forEach((listing, i) => {
      const d = decided[i];
      if (d && d.verdict !== 'allow' && process.argv.includes('--list')) console.log(`  ${listing.source} ${d.verdict} ${d.reasons.join(' ')} ${JSON.stringify(listing.title)}`);
    });
  }
}

main();
