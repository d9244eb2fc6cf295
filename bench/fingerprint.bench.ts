// Fingerprint lookups against banks of 1,000,000 image hashes and 100,000 texts,
// each next to a linear scan of the same bank, plus build time and memory.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Bench } from 'tinybench';
import { repoRoot } from '../src/config/repo-root.js';
import { buildImageIndex, lookupImage, scanImages } from '../src/fingerprint/image-index.js';
import { gramsOfNormalized, gramsOfNormalizedInJs, textGrams } from '../src/fingerprint/text-grams.js';
import { buildTextIndex, fingerprintGrams, lookupText, minhash, minhashInJs, scanTexts, type TextIndexData } from '../src/fingerprint/text-index.js';
import { normalizeChars } from '../src/normalize/normalize-text.js';
import { report } from './bench-report.js';

function random(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 48271) % 2147483647) / 2147483647;
}

/** A vocabulary of 4,000 made-up words: listing texts share words, not whole passages. */
function vocabulary(rand: () => number): string[] {
  const syllables = 'ka ri to mo na se lu vi pe do ga zu fe ho ja qi xu bo ce wa'.split(' ');
  return Array.from({ length: 4000 }, () =>
    Array.from({ length: 2 + Math.floor(rand() * 3) }, () => syllables[Math.floor(rand() * syllables.length)]).join(''),
  );
}

function indexBytes(arrays: Uint32Array[]): number {
  return arrays.reduce((sum, a) => sum + a.byteLength, 0);
}

export async function runFingerprintBench(imageCount = 1_000_000, textCount = 100_000): Promise<void> {
  const rand = random(12345);
  const hi = Uint32Array.from({ length: imageCount }, () => Math.floor(rand() * 2 ** 32));
  const lo = Uint32Array.from({ length: imageCount }, () => Math.floor(rand() * 2 ** 32));
  let started = performance.now();
  const images = buildImageIndex(hi, lo);
  const imageBuildMs = performance.now() - started;
  const imageMemory = indexBytes([images.hi, images.lo, images.table]);

  const queries = Array.from({ length: 1000 }, (_, i) => {
    const k = Math.floor(rand() * imageCount);
    let qh = hi[k] ?? 0;
    let ql = lo[k] ?? 0;
    for (let b = 0; b < i % 9; b++) {
      const bit = Math.floor(rand() * 64);
      if (bit < 32) ql = (ql ^ (1 << bit)) >>> 0;
      else qh = (qh ^ (1 << (bit - 32))) >>> 0;
    }
    return [qh, ql] as const;
  });
  let q = 0;
  const imageBench = new Bench({ time: 2000 });
  imageBench
    .add(`linear scan of ${imageCount.toLocaleString('en')} hashes`, () => {
      const [qh, ql] = queries[q++ % queries.length] ?? [0, 0];
      return scanImages(images, qh, ql);
    })
    .add('multi-index hashing lookup (4 chunks of 19, 15, 15, 15 bits, radii 2, 1, 1, 1)', () => {
      const [qh, ql] = queries[q++ % queries.length] ?? [0, 0];
      return lookupImage(images, qh, ql);
    });
  await imageBench.run();
  report(`image lookup, ${imageCount.toLocaleString('en')} banked hashes (one listing image within distance 0-8 of a banked one)`, imageBench, {
    label: 'lookup',
    perOp: 1,
  });
  console.log(
    `\nimage index: built in ${imageBuildMs.toFixed(0)} ms; ${(imageMemory / 2 ** 20).toFixed(1)} MiB (${(((imageMemory / imageCount) * 1e6) / 2 ** 20).toFixed(1)} MiB per million entries)`,
  );

  // Banked texts made of real listing titles (../shared/real-titles, research data
  // read at run time, not copied) when present; otherwise of made-up words.
  const titlesFile = join(repoRoot, '..', 'shared', 'real-titles', 'taobao-titles.jsonl');
  let pieces: string[];
  if (existsSync(titlesFile)) {
    pieces = readFileSync(titlesFile, 'utf8')
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { title: string }).title);
    console.log(`\ntext bank: ${textCount.toLocaleString('en')} texts of 3 real Taobao titles each (${pieces.length} titles)`);
  } else {
    const words = vocabulary(rand);
    pieces = Array.from({ length: 20_000 }, () => Array.from({ length: 8 }, () => words[Math.floor(rand() * words.length)]).join(' '));
    console.log(`\ntext bank: ${textCount.toLocaleString('en')} texts of made-up words (../shared/real-titles is absent)`);
  }
  const pick = (): string => pieces[Math.floor(rand() * pieces.length)] ?? '';
  const texts = Array.from({ length: textCount }, () => [pick(), pick(), pick()].join('，'));
  started = performance.now();
  const fingerprints = texts.map((t) => fingerprintGrams(textGrams(t)));
  const fingerprintMs = performance.now() - started;
  started = performance.now();
  const textIndex: TextIndexData = buildTextIndex(fingerprints);
  const textBuildMs = performance.now() - started;
  const textMemory = indexBytes([textIndex.gramOffsets, textIndex.grams, textIndex.offsets, textIndex.ids, textIndex.bandKeys]);
  // A re-post: the same parts in another order, with a few words added.
  const listings = Array.from({ length: 200 }, () => {
    const parts = (texts[Math.floor(rand() * textCount)] ?? '').split('，');
    return textGrams([parts[2], parts[0], parts[1], '全国包邮'].join(' '));
  });
  let t = 0;
  const textBench = new Bench({ time: 2000 });
  textBench
    .add(`linear scan of ${textCount.toLocaleString('en')} texts (exact similarity)`, () =>
      scanTexts(textIndex, listings[t++ % listings.length] ?? new Uint32Array(0)),
    )
    .add('MinHash LSH lookup (32 bands x 3 rows) + exact check', () => lookupText(textIndex, listings[t++ % listings.length] ?? new Uint32Array(0)))
    .add('3-grams of a listing text (part of every lookup)', () => textGrams(texts[t++ % texts.length] ?? ''));
  await textBench.run();
  report(`text lookup, ${textCount.toLocaleString('en')} banked texts (an edited copy of a banked text)`, textBench, { label: 'lookup', perOp: 1 });

  // The two kernels of every text lookup, native (the gate's) against their TypeScript references.
  const normalized = texts.slice(0, 200).map((text) => [normalizeChars(text)]);
  const gramSets = normalized.map((parts) => gramsOfNormalized(parts));
  let k = 0;
  const kernelBench = new Bench({ time: 1000 });
  kernelBench
    .add('3-grams of a normalized listing text, TypeScript', () => gramsOfNormalizedInJs(normalized[k++ % normalized.length] ?? []))
    .add('3-grams of a normalized listing text, native', () => gramsOfNormalized(normalized[k++ % normalized.length] ?? []))
    .add('MinHash signature (96 hashes), TypeScript', () => minhashInJs(gramSets[k++ % gramSets.length] ?? new Uint32Array(0)))
    .add('MinHash signature (96 hashes), native', () => minhash(gramSets[k++ % gramSets.length] ?? new Uint32Array(0)));
  await kernelBench.run();
  report(`text lookup kernels (${Math.round(gramSets.reduce((n, g) => n + g.length, 0) / gramSets.length)} grams per text on average)`, kernelBench, {
    label: 'text',
    perOp: 1,
  });
  console.log(
    `\ntext index: fingerprints computed in ${fingerprintMs.toFixed(0)} ms, index built in ${textBuildMs.toFixed(0)} ms; ${(textMemory / 2 ** 20).toFixed(1)} MiB (${(((textMemory / textCount) * 1e6) / 2 ** 20).toFixed(0)} MiB per million texts)`,
  );
}
