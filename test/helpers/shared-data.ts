// Data in ../shared beside the repository (labelled corpus, dev pack, conformance
// cases). A clone without it still passes: tests that need it skip, saying why.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../src/config/repo-root.js';

export const SHARED_DIR = process.env.GATE_SHARED_DIR ?? join(repoRoot, '..', 'shared');

/** The path of a file in ../shared, or a skip message when it is absent. */
export function sharedFile(...parts: string[]): { path: string; skip: false } | { path: undefined; skip: string } {
  const path = join(SHARED_DIR, ...parts);
  if (existsSync(path)) return { path, skip: false };
  return { path: undefined, skip: `skipped: ${path} is not present (../shared is not beside this clone)` };
}
