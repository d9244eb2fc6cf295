// Why normalization turns disguises into plain literals: compiling a pack's terms
// as (nearly) literal patterns against the alternative of matching separators in
// the pattern itself (a separator class between every letter, `l[^a-z0-9]{0,3}v`).
import { rulesEngine, patternFlags, escapeLiteral } from '../src/native/rules-engine.js';
import { termShape } from '../src/matcher/term-expression.js';

function randomTerms(count: number, seed: number): string[] {
  let s = seed;
  const rand = (): number => (s = (s * 48271) % 2147483647) / 2147483647;
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  return Array.from({ length: count }, () => Array.from({ length: 5 + Math.floor(rand() * 6) }, () => letters[Math.floor(rand() * 26)]).join(''));
}

function measure(expressions: string[]): { ms: number; bytes: number } | { error: string } {
  const started = performance.now();
  try {
    const db = rulesEngine.compile(expressions.map((expression, id) => ({ id, expression, flags: patternFlags.UTF8 | patternFlags.SOM_LEFTMOST })));
    const bytes = db.size();
    db.close();
    return { ms: performance.now() - started, bytes };
  } catch (error) {
    return { error: (error as Error).message.slice(0, 80) };
  }
}

export function runCompileBench(sizes = [1000, 3000]): void {
  console.log('\n## compiling N brand terms: normalized literals vs a separator class between letters\n');
  console.log('| terms | literals (as compiled here): ms | size MiB | separator class between letters: ms | size MiB |');
  console.log('|---:|---:|---:|---:|---:|');
  for (const n of sizes) {
    const terms = randomTerms(n, n);
    const ours = measure(terms.map((t) => termShape(t).expression));
    const separated = measure(terms.map((t) => Array.from(t, (c) => escapeLiteral(c)).join('[^a-z0-9]{0,3}')));
    const cell = (r: ReturnType<typeof measure>): string => ('error' in r ? `fails: ${r.error} | -` : `${r.ms.toFixed(0)} | ${(r.bytes / 2 ** 20).toFixed(1)}`);
    console.log(`| ${n.toLocaleString('en')} | ${cell(ours)} | ${cell(separated)} |`);
  }
}
