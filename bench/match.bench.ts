// Matching one 1 KB listing against a pack: the native Hyperscan addon (normalize,
// scan, interpret) against one RegExp per term and RE2 (one RE2 per term, and
// RE2.Set: all terms in one automaton) over the same normalized text.
import { readFileSync } from 'node:fs';
import { Bench } from 'tinybench';
import { DEMO_PACK_PATH } from '../src/config/gate-config.js';
import { findTextHits } from '../src/matcher/find-text-hits.js';
import { listingTextFields } from '../src/matcher/listing-fields.js';
import { buildPatternPlan } from '../src/matcher/pattern-plan.js';
import { rulesEngine } from '../src/native/rules-engine.js';
import { normalizeTerm, normalizeText } from '../src/normalize/normalize-text.js';
import { scoreListing } from '../src/gate/score-listing.js';
import { validatePack } from '../src/pack/validate-pack.js';
import { report } from './bench-report.js';
import { LRUCache } from 'lru-cache';
import { ListMembership } from '../src/lists/list-membership.js';
import { answerInProcess, listCacheKey } from '../src/lists/in-process-answer.js';
import { listProbes } from '../src/gate/list-probes.js';
import type { CheckRequest } from '../src/gate/check-request.js';
import type { ListHit } from '../src/gate/list-hit.js';
import { compileRe2Set, loadRe2 } from './re2-comparator.js';

const LISTED_SELLERS = 1_000_000;

export async function runMatchBench(): Promise<void> {
  const validation = validatePack(JSON.parse(readFileSync(DEMO_PACK_PATH, 'utf8')));
  if (!validation.ok) throw new Error('demo pack invalid');
  const pack = validation.pack;
  const plan = buildPatternPlan(pack);
  const db = rulesEngine.compile(plan.patterns);
  const listing = {
    listingId: 'B1',
    sellerId: 's-bench',
    title: 'AAA+ quality copy Ｌｏｕｉｓ Ｖｕｉｔｔｏｎ tote bag Contact us for wholesale.',
    description: 'Comes with box and dust bag. Free shipping nationwide. Stock photos, item as shown. '.repeat(12).slice(0, 950),
    category: 'bags',
    price: { amount: 200, currency: 'CNY' },
  };
  const fields = listingTextFields(listing);
  const terms = plan.patterns.map((p) => p.expression);
  const regexes = terms.map((source) => new RegExp(source, 'gu'));
  const normalizedTerms = [...pack.brands.flatMap((b) => b.names), ...pack.indicators.map((i) => i.term)].map(normalizeTerm);

  const bench = new Bench({ time: 1000 });
  bench
    .add(`one RegExp per pattern (${regexes.length}) over normalized text`, () => {
      let found = 0;
      for (const field of fields) {
        const text = normalizeText(field.text).bytes.toString();
        for (const re of regexes) {
          re.lastIndex = 0;
          if (re.test(text)) found++;
        }
      }
      return found;
    })
    .add(`String.includes per term (${normalizedTerms.length}) over normalized text, no offsets`, () => {
      let found = 0;
      for (const field of fields) {
        const text = normalizeText(field.text).bytes.toString();
        for (const term of normalizedTerms) if (text.includes(term)) found++;
      }
      return found;
    });
  const re2 = loadRe2();
  let re2Note = re2.available ? undefined : `RE2 comparator not run: ${re2.why}`;
  if (re2.available) {
    const perTerm = terms.map((source) => new re2.re2(source, 'u'));
    // RE2 is given the normalized UTF-8 bytes: a string would be converted on every call.
    bench.add(`one RE2 per pattern (${perTerm.length}) over normalized text`, () => {
      let found = 0;
      for (const field of fields) {
        const bytes = normalizeText(field.text).bytes;
        for (const re of perTerm) if (re.test(bytes)) found++;
      }
      return found;
    });
    const compiled = compileRe2Set(re2.re2, terms, 'u', 'probe');
    if ('set' in compiled) {
      const set = compiled.set;
      bench.add(`RE2.Set of ${terms.length} patterns over normalized text, no offsets`, () => {
        let found = 0;
        for (const field of fields) found += set.match(normalizeText(field.text).bytes).length;
        return found;
      });
    } else re2Note = `RE2.Set ${compiled.failure}`;
  }
  // The lists as a check reads them without Redis: the in-process table of every listed
  // value (here 1,000,000 sellers) answers "not listed"; a value it may hold is answered
  // from the cache of earlier Redis answers (as for a listed seller's next listing).
  const table = new ListMembership();
  for (let i = 0; i < LISTED_SELLERS; i++) table.add('sellers', `s-${i}`);
  const cache = new LRUCache<string, boolean>({ max: 100_000, ttl: 60_000 });
  const listedSeller = 's-4242';
  cache.set(listCacheKey('sellers', listedSeller), true);
  const listsInProcess = (request: CheckRequest): ListHit[] => answerInProcess(listProbes(request), table, cache).hits;
  const decide = (request: CheckRequest): unknown =>
    scoreListing(pack, {
      sellerId: request.sellerId,
      category: request.category,
      price: request.price,
      textHits: findTextHits(db, plan.meta, fields),
      listHits: listsInProcess(request),
    });
  const fromListedSeller = { ...listing, sellerId: listedSeller };
  if (listsInProcess(fromListedSeller).length !== 1 || listsInProcess(listing).length !== 0)
    throw new Error('the in-process lists of the bench answer wrongly');
  bench
    .add('Hyperscan addon: normalize, scan, interpret', () => findTextHits(db, plan.meta, fields))
    .add(`whole in-process decision: normalize, match, lists (table of ${LISTED_SELLERS.toLocaleString('en')} sellers: not listed), score`, () =>
      decide(listing),
    )
    .add('whole in-process decision, a listed seller (table: maybe, cache: listed)', () => decide(fromListedSeller));
  await bench.run();
  report(`matching a 1 KB listing against the demo pack (${plan.patterns.length} patterns)`, bench, { label: 'listing', perOp: 1 });
  if (re2Note) console.log(`\n${re2Note}`);
}
