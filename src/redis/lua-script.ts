import { readFileSync } from 'node:fs';
import { repoPath } from '../config/repo-root.js';

/** Reads a Lua script shipped in src/redis/scripts/. */
export function luaScript(name: string): string {
  return readFileSync(repoPath('src', 'redis', 'scripts', `${name}.lua`), 'utf8');
}
