// What the policy lifecycle tests share: a labelled corpus and the pack it goes
// with (the shared dev corpus and dev pack when ../shared is there, else the
// repository's corpus and the demo pack), checks of many listings over HTTP a
// few at a time, and a pack made live by an admin.
import { readFileSync } from 'node:fs';
import { DEMO_PACK_PATH } from '../../src/config/gate-config.js';
import { repoPath } from '../../src/config/repo-root.js';
import { readCorpus, type LabelledListing } from '../../scripts/corpus-evaluation.js';
import { postRetrying } from '../../scripts/post-retrying.js';
import { sharedFile } from './shared-data.js';
import { admin, type TestGate } from './test-gate.js';

export interface CorpusAndPack {
  listings: Array<Record<string, unknown> & { listingId: string; sellerId: string }>;
  pack: Record<string, unknown>;
  /** Which corpus, for the test's diagnostics. */
  name: string;
}

export function corpusAndPack(): CorpusAndPack {
  const dev = sharedFile('corpus', 'dev.jsonl');
  const devPack = sharedFile('packs', 'dev-pack.json');
  const [corpusPath, packPath, name] =
    dev.path !== undefined && devPack.path !== undefined
      ? [dev.path, devPack.path, 'the dev corpus with the dev pack']
      : [repoPath('test', 'fixtures', 'mini-corpus.jsonl'), DEMO_PACK_PATH, `the repository corpus with the demo pack (${dev.skip || devPack.skip})`];
  const listings = readCorpus(corpusPath).map((entry: LabelledListing) => entry.listing as CorpusAndPack['listings'][number]);
  return { listings, pack: JSON.parse(readFileSync(packPath, 'utf8')) as Record<string, unknown>, name };
}

export interface CheckAnswer {
  listingId: string;
  verdict: string;
  score: number;
  reasons: Array<{ code: string; ref: string; field?: string; start?: number; end?: number }>;
  policyVersion: string;
}

/** Checks every listing, `concurrency` at a time; `gateOf` picks the gate of the i-th. */
export async function checkAll(listings: ReadonlyArray<Record<string, unknown>>, gateOf: (i: number) => TestGate, concurrency = 8): Promise<CheckAnswer[]> {
  const answers: CheckAnswer[] = new Array(listings.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < listings.length) {
      const i = next++;
      const response = await postRetrying(`${gateOf(i).url}/v1/check`, JSON.stringify(listings[i]), { 'content-type': 'application/json' });
      if (response.status !== 200) throw new Error(`check of listing ${i} answered ${response.status}: ${await response.text()}`);
      answers[i] = (await response.json()) as CheckAnswer;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return answers;
}

/** PUT /v1/admin/pack; the answer's status and JSON body. */
export async function putPack(gate: TestGate, pack: unknown, query = ''): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${gate.url}/v1/admin/pack${query}`, {
    method: 'PUT',
    headers: { ...admin(), 'content-type': 'application/json' },
    body: JSON.stringify(pack),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Resolves with the milliseconds `condition` took to hold, checked every 5 ms; Infinity past `limitMs`. */
export async function until(condition: () => Promise<boolean>, limitMs: number): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < limitMs) {
    if (await condition()) return performance.now() - started;
    await new Promise((r) => setTimeout(r, 5));
  }
  return Infinity;
}
