// The pack the cost view's servers run and the checks it sends them. LOAD_PACK:
// demo (the repository's demo pack, the default), scale (the scale pack and its
// listing stream, as npm run load), or the path of a pack file
// (../shared/packs/dev-pack.json: the figures). The checks, but for the
// scale pack's own stream: LOAD_COST_CORPUS (a .jsonl of {listing}), else
// ../shared/corpus/dev.jsonl where it is beside the clone (its first 1,000, as
// ../shared/tools/cpu-cost.mjs sends), else the repository's labelled
// test/fixtures/mini-corpus.jsonl.
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { repoPath, repoRoot } from '../src/config/repo-root.js';
import { listingStream, scalePack } from './scale-pack.js';

export interface CostInputs {
  /** The pack as the report names it: demo, scale, or its path from the repository's root. */
  pack: string;
  /** Passed to the gate and the thread-app comparator as GATE_PACK; undefined: the demo pack. */
  packPath: string | undefined;
  bodies: string[];
  /** Where the bodies came from, for the report. */
  corpus: string;
}

const CORPUS_LISTINGS = 1000;

function corpusBodies(): { bodies: string[]; corpus: string } {
  const shared = join(process.env.GATE_SHARED_DIR ?? repoPath('..', 'shared'), 'corpus', 'dev.jsonl');
  const fixture = repoPath('test', 'fixtures', 'mini-corpus.jsonl');
  const chosen = process.env.LOAD_COST_CORPUS ? resolve(process.env.LOAD_COST_CORPUS) : existsSync(shared) ? shared : fixture;
  const lines = readFileSync(chosen, 'utf8').trim().split('\n').slice(0, CORPUS_LISTINGS);
  const bodies = lines.map((line) => JSON.stringify((JSON.parse(line) as { listing: unknown }).listing));
  const name = relative(repoRoot, chosen);
  const why = chosen === fixture && !process.env.LOAD_COST_CORPUS ? `; ${relative(repoRoot, shared)} is not there` : '';
  return { bodies, corpus: `${name} (${bodies.length} listings, each sent in turn${why})` };
}

/** The inputs for `pack`; a generated pack is written into `dataDir`. */
export function costInputs(pack: string, dataDir: string): CostInputs {
  if (pack === 'demo') return { pack, packPath: undefined, ...corpusBodies() };
  if (pack === 'scale') {
    const data = scalePack();
    const packPath = join(dataDir, 'scale-pack.json');
    writeFileSync(packPath, JSON.stringify(data.pack));
    const bodies = listingStream(data, 20_000).map((l) => JSON.stringify(l));
    return { pack, packPath, bodies, corpus: `the scale pack's listing stream (${bodies.length} listings, load/scale-pack.ts)` };
  }
  if (!existsSync(pack) || !statSync(pack).isFile()) throw new Error(`LOAD_PACK must be "demo", "scale" or the path of a pack file, got "${pack}"`);
  return { pack: relative(repoRoot, resolve(pack)), packPath: resolve(pack), ...corpusBodies() };
}
