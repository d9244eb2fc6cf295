// The embedded redis-server's redis.conf. Everything goes in this file (mode 0600,
// in the 0700 data directory) and redis-server gets only its path: arguments are
// readable by every local user in /proc/<pid>/cmdline, and were, with the ACL
// passwords in them, while Redis started (issue 30, point 7).
import { DEFAULT_USER_RULES, gateUserLine } from './gate-redis-acl.js';
import { redisConfLine } from './redis-conf-token.js';

/** A further ACL user (tests add one that may look at everything). */
export interface ExtraRedisUser {
  name: string;
  /** ACL password rule: `>secret` or `#<sha256 hex>`. */
  password: string;
  rules: readonly string[];
}

export interface EmbeddedRedisConf {
  port: number;
  dataDir: string;
  pidFile: string;
  appendOnly: boolean;
  /** Keys and channels the gate user may touch begin with this ('' for all). */
  keyPrefix: string;
  /** SHA-256 of the gate user's password, in hex. */
  gatePasswordSha256: string;
  extraUsers: readonly ExtraRedisUser[];
}

export function embeddedRedisConf(conf: EmbeddedRedisConf): string {
  const lines: string[][] = [
    ['port', String(conf.port)],
    ['bind', '127.0.0.1'],
    ['protected-mode', 'yes'],
    ['daemonize', 'no'],
    ['dir', conf.dataDir],
    ['pidfile', conf.pidFile],
    ['appendonly', conf.appendOnly ? 'yes' : 'no'],
    // `always`: a write Redis acknowledges is on disk. With `everysec`, Redis answers
    // writes it has not yet written while a slow background fsync is running, and a
    // kill -9 then loses them (seen here: 7 of 2,674 acknowledged review items). It
    // costs about 0.1 ms per write on this machine.
    ['appendfsync', 'always'],
    ['save', ''],
    ['maxmemory-policy', 'noeviction'],
    // The gate's compact allow records stay in listpack hashes (docs/redis-keys.md).
    ['hash-max-listpack-entries', '512'],
    ['hash-max-listpack-value', '2048'],
    // The review cluster index (sorted sets of review ids, often a few hundred in a band bucket).
    ['zset-max-listpack-entries', '512'],
    // A user may use only the channels named in its rules (Redis 7's default, said here).
    ['acl-pubsub-default', 'resetchannels'],
    ['user', 'default', ...DEFAULT_USER_RULES],
  ];
  const users = [gateUserLine(conf.keyPrefix, `#${conf.gatePasswordSha256}`)];
  for (const user of conf.extraUsers) users.push(redisConfLine(['user', user.name, 'reset', 'on', user.password, ...user.rules]));
  return `${[...lines.map(redisConfLine), ...users].join('\n')}\n`;
}
