import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// Modules run both from src/ (tests under a loader) and from dist/src/ (built),
// so data files shipped in the repository are found from the repository root.
function findRepoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'native-rules'))) return dir;
    const parent = resolve(dir, '..');
    if (parent === dir) throw new Error(`cannot find the repository root above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

export const repoRoot = findRepoRoot();

export function repoPath(...parts: string[]): string {
  return join(repoRoot, ...parts);
}
