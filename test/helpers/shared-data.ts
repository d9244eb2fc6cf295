// Data in ../shared beside the repository (labelled corpus, dev pack, conformance
// cases). A clone without it still passes: tests that need it skip, saying why;
// with GATE_REQUIRE_SHARED=1 (set by .ci/run, where ../shared is always beside the
// clone) a missing file fails the test instead, so CI cannot pass by skipping.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../src/config/repo-root.js';

export const SHARED_DIR = process.env.GATE_SHARED_DIR ?? join(repoRoot, '..', 'shared');

/** The path of a file in ../shared, or a skip message when it is absent. */
export function sharedFile(...parts: string[]): { path: string; skip: false } | { path: undefined; skip: string } {
  const path = join(SHARED_DIR, ...parts);
  if (existsSync(path)) return { path, skip: false };
  if (process.env.GATE_REQUIRE_SHARED === '1') throw new Error(`${path} is missing, and GATE_REQUIRE_SHARED=1 says it must be there`);
  return { path: undefined, skip: `skipped: ${path} is not present (../shared is not beside this clone)` };
}
