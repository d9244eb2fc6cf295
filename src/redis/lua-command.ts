// Our Lua scripts as plain functions over EVALSHA, falling back to EVAL when the
// server does not have the script (first use, a restart, a failover, another
// cluster node), which loads it there.
//
// Not ioredis's defineCommand: every auto-pipeline ioredis builds copies each
// defined command onto itself (two properties per script, plus a table by SHA),
// so with a dozen scripts each batch of commands became a large dictionary-mode
// object. Under load those batches outlive a scavenge, were promoted, and the old
// generation grew by kilobytes per request until a full collection stalled the
// publish path. EVALSHA is a built-in command: a batch stays small.
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { luaScript } from './lua-script.js';

type Argument = string | number | Buffer;

/** Runs the script; a fixed number of keys is sent before the arguments, or the caller passes the count first. */
export function luaCommand<Command extends (...args: never[]) => Promise<unknown>>(
  redis: Redis,
  name: string,
  numberOfKeys?: number,
  libraries: readonly string[] = [],
): Command {
  const lua = luaScript(name, libraries);
  const sha = createHash('sha1').update(lua).digest('hex');
  const run = async (...args: Argument[]): Promise<unknown> => {
    const withCount: Argument[] = numberOfKeys === undefined ? args : [numberOfKeys, ...args];
    const [count, ...rest] = withCount as [number | string, ...Argument[]];
    try {
      return await redis.evalsha(sha, count, ...rest);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return redis.eval(lua, count, ...rest);
    }
  };
  return run as unknown as Command;
}
