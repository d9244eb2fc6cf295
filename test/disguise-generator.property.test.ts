// Issue 24 item 2: our own adversarial generator (test/helpers/disguise-arbitraries.ts)
// over every term of the demo pack, of the dev pack (../shared) and of generated
// terms of every shape. Every disguise matches, in any field, with offsets inside
// the disguise; no innocent look-alike does. GATE_PROPERTY_RUNS sets the runs per
// property (default 300; the bar is 10,000).
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DEMO_PACK_PATH } from '../src/config/gate-config.js';
import { findTextHits } from '../src/matcher/find-text-hits.js';
import { PatternKind, buildPatternPlan } from '../src/matcher/pattern-plan.js';
import { rulesEngine, type NativeDatabase } from '../src/native/rules-engine.js';
import { normalizeTerm } from '../src/normalize/normalize-text.js';
import type { PolicyPack } from '../src/pack/policy-pack.js';
import { validatePack } from '../src/pack/validate-pack.js';
import { CONTEXTS, INNOCENT_KINDS, disguise, disguiseChoices, generatedTerm, innocent } from './helpers/disguise-arbitraries.js';
import { sharedFile } from './helpers/shared-data.js';

const RUNS = Number(process.env.GATE_PROPERTY_RUNS ?? 300);
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error(`GATE_PROPERTY_RUNS must be a positive integer, not ${process.env.GATE_PROPERTY_RUNS}`);

const FIELDS = [
  { name: 'title', bit: 1 },
  { name: 'description', bit: 2 },
  { name: 'attributes.material', bit: 8 },
] as const;

interface PackTerm {
  text: string;
  kind: PatternKind;
  ref: number;
}

interface Matcher {
  terms: PackTerm[];
  hitOf(text: string, field: (typeof FIELDS)[number], term: PackTerm): { field: string; start: number; end: number } | undefined;
  close(): void;
}

function matcherFor(pack: PolicyPack): Matcher {
  const plan = buildPatternPlan(pack);
  const db: NativeDatabase = rulesEngine.compile(plan.patterns);
  const terms: PackTerm[] = [
    ...pack.brands.flatMap((b, ref) => b.names.map((text) => ({ text, kind: PatternKind.Brand, ref }))),
    ...pack.indicators.map((i, ref) => ({ text: i.term, kind: PatternKind.Indicator, ref })),
    ...pack.rules.flatMap((r, ref) => (r.type === 'literal' ? [{ text: r.pattern, kind: PatternKind.Rule, ref }] : [])),
  ];
  return {
    terms,
    hitOf: (text, field, term) =>
      findTextHits(db, plan.meta, [{ name: field.name, bit: field.bit, text }]).find((h) => h.kind === term.kind && h.ref === term.ref),
    close: () => db.close(),
  };
}

function loadPack(path: string): PolicyPack {
  const validation = validatePack(JSON.parse(readFileSync(path, 'utf8')));
  if (!validation.ok) throw new Error(`${path} does not validate`);
  return validation.pack;
}

function singleTermPack(term: string): PolicyPack {
  return {
    packVersion: 'generated-1',
    thresholds: { block: 100, review: 40 },
    brands: [],
    indicators: [{ term, score: 60, withBrand: 100 }],
    exceptions: [],
    rules: [],
    lists: { sellers: [], shops: [], phones: [], devices: [], paymentAccounts: [] },
    fingerprints: { texts: [], images: [] },
  };
}

function assertDisguiseFound(matcher: Matcher, term: PackTerm, disguised: string, context: readonly [string, string], field: (typeof FIELDS)[number]): void {
  const [before, after] = context;
  const text = `${before}${disguised}${after}`;
  const hit = matcher.hitOf(text, field, term);
  assert.ok(hit, `${JSON.stringify(text)} -> ${JSON.stringify(normalizeTerm(text))} does not match ${JSON.stringify(term.text)}`);
  assert.equal(hit.field, field.name);
  assert.ok(
    hit.start >= before.length && hit.end <= before.length + disguised.length && hit.start < hit.end,
    `offsets ${hit.start}-${hit.end} are not inside the disguise ${JSON.stringify(disguised)} of ${JSON.stringify(text)}`,
  );
}

function assertInnocentNotFound(matcher: Matcher, term: PackTerm, look: string, context: readonly [string, string]): void {
  const text = `${context[0]}${look}${context[1]}`;
  const hit = matcher.hitOf(text, FIELDS[0], term);
  assert.equal(
    hit,
    undefined,
    `${JSON.stringify(text)} -> ${JSON.stringify(normalizeTerm(text))} matched ${JSON.stringify(term.text)} at ${hit?.start}-${hit?.end}`,
  );
}

const disguisedPackTerm = (terms: readonly PackTerm[]) =>
  fc.constantFrom(...terms).chain((term) => fc.tuple(fc.constant(term), disguiseChoices(term.text), fc.constantFrom(...CONTEXTS), fieldFor(term)));

/** Brands and indicators are read in every field; the demo pack's literal rule in title and description. */
const fieldFor = (term: PackTerm) => (term.kind === PatternKind.Rule ? fc.constantFrom(FIELDS[0], FIELDS[1]) : fc.constantFrom(...FIELDS));

const innocentOf = (term: string): fc.Arbitrary<string | undefined> =>
  fc.tuple(fc.constantFrom(...INNOCENT_KINDS), fc.nat()).map(([kind, pick]) => innocent(term, kind, pick));

function packProperties(label: string, packPath: () => string | undefined, skip: string | false): void {
  describe(`disguises of the ${label}'s terms`, { skip }, () => {
    const path = packPath();
    const matcher = path === undefined ? undefined : matcherFor(loadPack(path));
    it(`finds every disguise of every term, offsets inside the disguise (${RUNS} runs)`, () => {
      if (!matcher) return;
      fc.assert(
        fc.property(disguisedPackTerm(matcher.terms), ([term, choices, context, field]) => {
          assertDisguiseFound(matcher, term, disguise(term.text, choices), context, field);
        }),
        { numRuns: RUNS },
      );
    });
    it(`finds no innocent look-alike of a term (${RUNS} runs)`, () => {
      if (!matcher) return;
      fc.assert(
        fc.property(
          fc.constantFrom(...matcher.terms).chain((term) => fc.tuple(fc.constant(term), innocentOf(term.text), fc.constantFrom(...CONTEXTS))),
          ([term, look, context]) => {
            fc.pre(look !== undefined);
            assertInnocentNotFound(matcher, term, look as string, context);
          },
        ),
        { numRuns: RUNS },
      );
    });
  });
}

packProperties('demo pack', () => DEMO_PACK_PATH, false);
const devPack = sharedFile('packs', 'dev-pack.json');
packProperties('dev pack', () => devPack.path, devPack.skip);

describe('disguises of generated terms of every shape', () => {
  const term = (text: string): PackTerm => ({ text, kind: PatternKind.Indicator, ref: 0 });
  it(`finds every disguise, offsets inside the disguise (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(
        generatedTerm.chain((text) => fc.tuple(fc.constant(text), disguiseChoices(text), fc.constantFrom(...CONTEXTS), fc.constantFrom(...FIELDS))),
        ([text, choices, context, field]) => {
          const matcher = matcherFor(singleTermPack(text));
          try {
            assertDisguiseFound(matcher, term(text), disguise(text, choices), context, field);
          } finally {
            matcher.close();
          }
        },
      ),
      { numRuns: RUNS },
    );
  });
  it(`finds no innocent look-alike (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(
        generatedTerm.chain((text) => fc.tuple(fc.constant(text), innocentOf(text), fc.constantFrom(...CONTEXTS))),
        ([text, look, context]) => {
          fc.pre(look !== undefined);
          const matcher = matcherFor(singleTermPack(text));
          try {
            assertInnocentNotFound(matcher, term(text), look as string, context);
          } finally {
            matcher.close();
          }
        },
      ),
      { numRuns: RUNS },
    );
  });
});
