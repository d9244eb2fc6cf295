import { readFileSync } from 'node:fs';
import { repoPath } from '../config/repo-root.js';

function scriptFile(name: string): string {
  return readFileSync(repoPath('src', 'redis', 'scripts', `${name}.lua`), 'utf8');
}

/**
 * Reads a Lua script shipped in src/redis/scripts/, with the library files it
 * names (in src/redis/scripts/lib/) put in front: Redis runs each script alone,
 * so shared functions travel inside every script that calls them.
 */
export function luaScript(name: string, libraries: readonly string[] = []): string {
  return [...libraries.map((library) => scriptFile(`lib/${library}`)), scriptFile(name)].join('\n');
}
