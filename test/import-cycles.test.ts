// No module of src/ reaches itself through its imports, type-only imports included
// (issue 28, point 5): a cycle makes load order matter and two files one concept.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { it } from 'node:test';
import { repoPath } from '../src/config/repo-root.js';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** Each cycle once, as the chain of files from where the search met it. */
function importCycles(root: string): string[] {
  const files = sourceFiles(root);
  const imports = new Map(
    files.map((file) => {
      const text = readFileSync(file, 'utf8');
      const targets = [...text.matchAll(/^(?:import|export)\b[^;]*? from '(\.[^']+)';/gm)].map((m) =>
        resolve(dirname(file), (m[1] as string).replace(/\.js$/, '.ts')),
      );
      return [file, targets.filter((target) => files.includes(target))];
    }),
  );
  const state = new Map<string, 'open' | 'done'>();
  const cycles: string[] = [];
  const visit = (file: string, chain: string[]): void => {
    state.set(file, 'open');
    chain.push(file);
    for (const next of imports.get(file) ?? []) {
      if (state.get(next) === 'open') cycles.push([...chain.slice(chain.indexOf(next)), next].map((f) => relative(root, f)).join(' -> '));
      else if (!state.has(next)) visit(next, chain);
    }
    chain.pop();
    state.set(file, 'done');
  };
  for (const file of files) if (!state.has(file)) visit(file, []);
  return cycles;
}

it('src/ has no import cycles', () => {
  assert.deepEqual(importCycles(repoPath('src')), []);
});
