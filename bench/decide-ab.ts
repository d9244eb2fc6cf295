// The decision (decideListing: score, fail modes, brands, shadow entries) of this
// build against another build's, in-process, on the same matched listings of a
// corpus and pack, in alternating rounds (A B B A ...): what shadow support costs
// a check when the pack has no shadow entry (issue 26 point 1).
//   node dist/bench/decide-ab.js <other checkout, built> [pack.json] [corpus.jsonl]
// Default pack and corpus: ../shared's dev pack and dev corpus, else the demo pack
// and the repository corpus. Prints each side's median ns per decision over 21
// rounds of 10 passes over the corpus each (DECIDE_AB_ROUNDS), and B's median ratio to A.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DEMO_PACK_PATH } from '../src/config/gate-config.js';
import { repoPath } from '../src/config/repo-root.js';
import type { DecisionContext, ListingDecision, ListingSignals } from '../src/gate/decide-listing.js';
import { decideListing } from '../src/gate/decide-listing.js';
import type { CheckRequest } from '../src/gate/check-request.js';
import { checkRequestOf } from '../src/http/check-input.js';
import { findTextHits } from '../src/matcher/find-text-hits.js';
import { listingTextFields } from '../src/matcher/listing-fields.js';
import { rulesEngine } from '../src/native/rules-engine.js';
import { compilePack } from '../src/pack/compile-pack.js';
import { validatePack } from '../src/pack/validate-pack.js';
import type { FingerprintSnapshot } from '../src/fingerprint/fingerprint-bank.js';
import { readCorpus } from '../scripts/corpus-evaluation.js';

type Decide = (context: DecisionContext, request: CheckRequest, signals: ListingSignals) => ListingDecision;

const ROUNDS = Number(process.env.DECIDE_AB_ROUNDS ?? 21);
/** Passes over the corpus per round. */
const PASSES = 10;
const other = process.argv[2];
if (!other) throw new Error('usage: node dist/bench/decide-ab.js <other checkout, built> [pack.json] [corpus.jsonl]');
const shared = join(repoPath(), '..', 'shared');
const packPath = process.argv[3] ?? (existsSync(join(shared, 'packs', 'dev-pack.json')) ? join(shared, 'packs', 'dev-pack.json') : DEMO_PACK_PATH);
const corpusPath =
  process.argv[4] ??
  (existsSync(join(shared, 'corpus', 'dev.jsonl')) ? join(shared, 'corpus', 'dev.jsonl') : repoPath('test', 'fixtures', 'mini-corpus.jsonl'));

const validation = validatePack(JSON.parse(readFileSync(packPath, 'utf8')));
if (!validation.ok) throw new Error(`${packPath} is invalid`);
const compiled = await compilePack(validation.pack);
const db = rulesEngine.deserialize(compiled.databaseBytes, compiled.key);
const requests = readCorpus(corpusPath).map((entry) => checkRequestOf(entry.listing));
const signals: ListingSignals[] = requests.map((request) => ({
  text: { ok: true, value: { text: findTextHits(db, compiled.meta, listingTextFields(request)), fingerprints: { images: [], texts: [] } } },
  lists: { ok: true, value: [] },
  ring: { ok: true, value: { confirmedOthers: 0, ringLabel: '' } as never },
  person: { ok: true, value: undefined },
}));
// No fingerprint matched (the signals above have none): the decision never reads the banks.
const context: DecisionContext = {
  compiled,
  banks: {} as FingerprintSnapshot,
  demoted: new Set(),
  failModes: { text: 'review', lists: 'review', ring: 'review' } as DecisionContext['failModes'],
  brandsSharing: () => [],
};

const otherDecide = ((await import(pathToFileURL(resolve(other, 'dist', 'src', 'gate', 'decide-listing.js')).href)) as { decideListing: Decide }).decideListing;
const sides: Array<[string, Decide]> = [
  [`A ${resolve(other)}`, otherDecide],
  ['B this build', decideListing],
];

function pass(decide: Decide): number {
  const started = process.hrtime.bigint();
  let verdicts = 0;
  for (let p = 0; p < PASSES; p++)
    for (let i = 0; i < requests.length; i++) if (decide(context, requests[i] as CheckRequest, signals[i] as ListingSignals).verdict === 'block') verdicts++;
  const ns = Number(process.hrtime.bigint() - started) / (requests.length * PASSES);
  if (verdicts < 0) throw new Error('unreachable');
  return ns;
}

const median = (values: number[]): number => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)] ?? NaN;
for (const [, decide] of sides) for (let i = 0; i < 5; i++) pass(decide); // JIT warm-up
const times: number[][] = [[], []];
const ratios: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  const order = round % 2 === 0 ? [0, 1] : [1, 0];
  const t = [0, 0];
  for (const side of order) t[side] = pass((sides[side] as [string, Decide])[1]);
  times[0]?.push(t[0] ?? 0);
  times[1]?.push(t[1] ?? 0);
  ratios.push((t[1] ?? 0) / (t[0] ?? 1));
}
console.log(`${requests.length} listings of ${corpusPath}, pack ${packPath} (${compiled.pack.shadow ? 'with' : 'no'} shadow entries), ${ROUNDS} rounds`);
sides.forEach(([name], i) =>
  console.log(`${name}: median ${median(times[i] ?? []).toFixed(0)} ns per decision (rounds ${(times[i] ?? []).map((x) => x.toFixed(0)).join(' ')})`),
);
console.log(`B/A median ratio ${median(ratios).toFixed(3)} (per round ${ratios.map((r) => r.toFixed(2)).join(' ')})`);
