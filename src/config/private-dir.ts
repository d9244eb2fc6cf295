// What the gate keeps under GATE_DATA_DIR (Redis's append-only file, its config
// and password, the review and change spools, packs being built) is readable by the gate's own OS
// user only (issue 30, point 7): folders 0700, files 0600.
import { chmodSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Gives `path`, and everything under it, the private modes (what an earlier version left readable too). */
function restrictTree(path: string): void {
  try {
    const stat = lstatSync(path);
    if (stat.isSymbolicLink()) return; // chmod would follow it out of the folder
    if (stat.isDirectory()) {
      if ((stat.mode & 0o777) !== PRIVATE_DIR_MODE) chmodSync(path, PRIVATE_DIR_MODE);
      for (const name of readdirSync(path)) restrictTree(join(path, name));
    } else if ((stat.mode & 0o777) !== PRIVATE_FILE_MODE) {
      chmodSync(path, PRIVATE_FILE_MODE);
    }
  } catch (error) {
    // Removed meanwhile (a temporary file of a running Redis's rewrite, another
    // process's pack-build folder): no mode left to set.
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

/**
 * Makes `dir` (and each parent it has to create) a private folder, and makes what
 * it already holds private. A parent that exists is left as the operator set it.
 */
export function privateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  restrictTree(dir);
}
