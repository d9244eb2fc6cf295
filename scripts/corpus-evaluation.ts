// Runs a labelled corpus (lines of {expect, why, listing}) through a running gate
// over HTTP and tallies the verdicts per class.
import { readFileSync } from 'node:fs';
import { postRetrying } from './post-retrying.js';

export interface LabelledListing {
  expect: 'allow' | 'review' | 'block';
  why: string;
  listing: Record<string, unknown>;
}

export interface ClassTally {
  why: string;
  expect: string;
  total: number;
  right: number;
  allow: number;
  review: number;
  block: number;
}

export interface CorpusReport {
  classes: ClassTally[];
  blockRecall: number;
  falseBlock: number;
  reviewCatch: number;
  overReview: number;
  wrong: Array<{ why: string; expect: string; got: string; listingId: unknown; title: unknown }>;
  /** Checks asked again because the gate answered them degraded. */
  degradedAgain: number;
}

export function readCorpus(path: string): LabelledListing[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, i) => {
      try {
        return JSON.parse(line) as LabelledListing;
      } catch (error) {
        throw new Error(`${path}:${i + 1}: not JSON: ${(error as Error).message}`);
      }
    });
}

export async function evaluateCorpus(baseUrl: string, corpus: readonly LabelledListing[], concurrency = 16): Promise<CorpusReport> {
  const verdicts: string[] = new Array<string>(corpus.length);
  let next = 0;
  let degradedAgain = 0;
  const worker = async (): Promise<void> => {
    while (next < corpus.length) {
      const i = next++;
      const item = corpus[i];
      if (!item) continue;
      // Detection is judged here, not load: an answer the gate degraded (its text budget or
      // deadline ran out on a busy machine, reason `degraded`) is asked again, up to 3 times.
      for (let attempt = 1; ; attempt++) {
        const response = await postRetrying(`${baseUrl}/v1/check`, JSON.stringify(item.listing), { 'content-type': 'application/json', 'x-deadline-ms': '5000' });
        const body = (await response.json()) as { verdict?: string; reasons?: Array<{ code: string }>; error?: { message: string } };
        verdicts[i] = body.verdict ?? `error ${response.status}: ${body.error?.message ?? ''}`;
        if (attempt >= 3 || !body.reasons?.some((reason) => reason.code === 'degraded')) break;
        degradedAgain++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));

  const byClass = new Map<string, ClassTally>();
  const wrong: CorpusReport['wrong'] = [];
  let blockExpected = 0, blockGot = 0, notBlockExpected = 0, falseBlocks = 0, reviewExpected = 0, reviewCaught = 0, allowExpected = 0, overReviewed = 0;
  corpus.forEach((item, i) => {
    const got = verdicts[i] ?? 'none';
    const tally = byClass.get(item.why) ?? { why: item.why, expect: item.expect, total: 0, right: 0, allow: 0, review: 0, block: 0 };
    tally.total++;
    if (got === item.expect) tally.right++;
    else wrong.push({ why: item.why, expect: item.expect, got, listingId: item.listing.listingId, title: item.listing.title });
    if (got === 'allow' || got === 'review' || got === 'block') tally[got]++;
    byClass.set(item.why, tally);
    if (item.expect === 'block') {
      blockExpected++;
      if (got === 'block') blockGot++;
    } else {
      notBlockExpected++;
      if (got === 'block') falseBlocks++;
    }
    if (item.expect === 'review') {
      reviewExpected++;
      if (got === 'review' || got === 'block') reviewCaught++;
    }
    if (item.expect === 'allow') {
      allowExpected++;
      if (got === 'review') overReviewed++;
    }
  });
  const share = (a: number, b: number): number => (b === 0 ? 0 : a / b);
  return {
    classes: [...byClass.values()].sort((a, b) => a.expect.localeCompare(b.expect) || a.why.localeCompare(b.why)),
    blockRecall: share(blockGot, blockExpected),
    falseBlock: share(falseBlocks, notBlockExpected),
    reviewCatch: share(reviewCaught, reviewExpected),
    overReview: share(overReviewed, allowExpected),
    wrong,
    degradedAgain,
  };
}

export function formatReport(report: CorpusReport): string {
  const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
  const lines = [
    '| class | expect | listings | right | allow | review | block |',
    '|---|---|---:|---:|---:|---:|---:|',
    ...report.classes.map((c) => `| ${c.why} | ${c.expect} | ${c.total} | ${pct(c.right / c.total)} | ${c.allow} | ${c.review} | ${c.block} |`),
    '',
    `block recall ${pct(report.blockRecall)} · false-block ${pct(report.falseBlock)} · review-catch ${pct(report.reviewCatch)} · over-review ${pct(report.overReview)}${report.degradedAgain > 0 ? ` · ${report.degradedAgain} degraded answers asked again` : ''}`,
  ];
  return lines.join('\n');
}
