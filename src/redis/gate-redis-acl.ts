// What the gate's Redis user may do (issue 30, point 7): the commands the gate
// sends, on keys and channels under its prefix, and nothing else. The embedded
// server is configured from here, and docs/redis-acl.md shows the same rules for
// an operator's own Redis (scripts/redis-acl.ts prints them for any prefix).
// A command the gate starts (or stops) sending must be added here (or removed): a
// test finds every ioredis call and Lua `redis.call` in src/ and compares.
import { redisConfLine } from './redis-conf-token.js';

/** The ACL user the gate signs in as. */
export const GATE_REDIS_USER = 'gate';

/**
 * What ioredis sends by itself: its ready check (INFO), the connection's name
 * (CLIENT SETNAME), and with a Redis Cluster the slot map, the cluster's ready
 * check and ASK redirects. (CLIENT SETINFO, which it also tries, it lets fail.)
 */
export const CLIENT_LIBRARY_COMMANDS: readonly string[] = ['info', 'client|setname', 'cluster|slots', 'cluster|info', 'asking'];

/**
 * What the gate's code and its Lua scripts send: test/redis-acl.test.ts finds each
 * one in src/ (Redis checks every `redis.call` of a script against the caller's
 * ACL too). Not here, on purpose: SCRIPT (FLUSH, LOAD: luaCommand falls back to
 * EVAL), KEYS, FLUSHALL, FLUSHDB, CONFIG, DEBUG, ACL, SHUTDOWN, MONITOR, SORT.
 */
export const GATE_CODE_COMMANDS: readonly string[] = [
  'ping',
  'info',
  // luaCommand: EVALSHA, and EVAL when the server lacks the script. A script can
  // reach only what the rest of this list and the key patterns allow.
  'evalsha',
  'eval',
  'multi',
  'exec',
  'get',
  'mget',
  'set',
  'exists',
  'del',
  'expire',
  'persist',
  'incr',
  'decr',
  'hget',
  'hmget',
  'hgetall',
  'hkeys',
  'hset',
  'hsetnx',
  'hdel',
  'hincrby',
  'hscan',
  'lpush',
  'rpush',
  'lrange',
  'llen',
  'ltrim',
  'lrem',
  'sadd',
  'srem',
  'sismember',
  'smismember',
  'smembers',
  'scard',
  'sscan',
  'sunionstore',
  'zadd',
  'zrem',
  'zrandmember',
  'zrange',
  'zrevrange',
  'zremrangebyrank',
  'zremrangebyscore',
  'xadd',
  'xtrim',
  'xdel',
  'xlen',
  'xrange',
  'xrevrange',
  'xreadgroup',
  'xack',
  'xclaim',
  'xautoclaim',
  'xpending',
  'xgroup|create',
  'xgroup|delconsumer',
  'xinfo|groups',
  'xinfo|consumers',
  // backfill-ring-flags.lua walks the `confirmed:` sets of the ring graph. SCAN has
  // no key argument for ACL key patterns to check, so it lists names (not values)
  // of keys outside the prefix too.
  'scan',
  'publish',
  'subscribe',
];

/** Every command the gate's user may run. */
export const GATE_REDIS_COMMANDS: readonly string[] = [...new Set([...CLIENT_LIBRARY_COMMANDS, ...GATE_CODE_COMMANDS])];

/**
 * `text` as a Redis glob that matches itself (`*?[]\` escaped). Redis refuses a
 * key or channel pattern holding white space (ACL files are split at it): each
 * such character becomes `?`, which matches it, and any other one character.
 */
function globLiteral(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&').replace(/\s/g, '?');
}

/**
 * The gate user's permissions, for keys and channels beginning with `keyPrefix`
 * (GATE_REDIS_PREFIX; '' allows every key and channel). Every key of redis-keys.ts
 * begins with the prefix, its Redis Cluster hash tag (`{review}`) after it, so one
 * pattern covers them. Without password and on/off flag.
 */
export function gateUserRules(keyPrefix: string): string[] {
  const pattern = `${globLiteral(keyPrefix)}*`;
  return ['resetkeys', `~${pattern}`, 'resetchannels', `&${pattern}`, '-@all', ...GATE_REDIS_COMMANDS.map((command) => `+${command}`)];
}

/**
 * The default user: off (no client signs in as it, or is let in without signing
 * in) and without a password. It keeps the write commands, on every key, because
 * Redis 7.0 replays the append-only file as this user and refuses a MULTI/EXEC
 * block (which is how a script's writes are logged) that it may not run: the
 * acknowledged writes in it would be lost on restart, whatever prefix wrote them
 * (redis/redis#14541, fixed after 7.0).
 */
export const DEFAULT_USER_RULES: readonly string[] = ['reset', 'off', '~*', '-@all', '+@write', '-@dangerous', '+multi', '+exec'];

/**
 * The gate user's line of an ACL file (or redis.conf); `password` is an ACL
 * password rule: `>secret`, or `#` and its SHA-256 in hex (a file that holds only
 * the hash gives no one the password).
 */
export function gateUserLine(keyPrefix: string, password: string): string {
  return redisConfLine(['user', GATE_REDIS_USER, 'reset', 'on', password, ...gateUserRules(keyPrefix)]);
}
