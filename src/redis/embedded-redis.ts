// The gate's own redis-server, started when REDIS_URL is not set (contract section
// 4): AOF on, data under ./data/redis, listening on a free loopback port, stopped
// with the gate. Tests use the same class to get a private Redis they can kill.
// Its settings and users are in a redis.conf only the gate's OS user can read
// (embedded-redis-conf.ts); the default user is off, and the gate signs in as its
// own ACL user, limited to the commands, keys and channels it uses
// (gate-redis-acl.ts), whose password is kept in the data directory (mode 0600).
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { PRIVATE_FILE_MODE, privateDir } from '../config/private-dir.js';
import { embeddedRedisConf, type ExtraRedisUser } from './embedded-redis-conf.js';
import { GATE_REDIS_USER } from './gate-redis-acl.js';

export interface EmbeddedRedisOptions {
  /** Directory for AOF, config and password; made private (0700, its files 0600). */
  dataDir: string;
  /** Port to listen on; default: a free one. */
  port?: number;
  /** Ports a free one must not be: the gate's own, which it binds only after Redis has started. */
  avoidPorts?: readonly number[];
  /** Append-only file on (default true): nothing acknowledged is lost on a crash. */
  appendOnly?: boolean;
  /**
   * Keys and channels the gate user may touch begin with this: the gate passes
   * GATE_REDIS_PREFIX. Default '': every key (a test run gives each test a prefix
   * of its own on one server).
   */
  keyPrefix?: string;
  /** Further ACL users, written into the same private redis.conf. Default: none. */
  extraUsers?: readonly ExtraRedisUser[];
}

export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** A free port that is none of `avoid`: the kernel may hand out again a port it just handed to a caller that has not bound it yet. */
export async function freePortAvoiding(avoid: readonly number[], pick: () => Promise<number> = freePort): Promise<number> {
  for (;;) {
    const port = await pick();
    if (!avoid.includes(port)) return port;
  }
}

export class EmbeddedRedis {
  private child: ChildProcess | undefined;
  private stderr = '';
  port = 0;
  readonly dataDir: string;

  constructor(private readonly options: EmbeddedRedisOptions) {
    this.dataDir = resolve(options.dataDir);
  }

  private password = '';

  get url(): string {
    return `redis://${GATE_REDIS_USER}:${this.password}@127.0.0.1:${this.port}`;
  }

  /** The gate user's password: made once per data directory and kept there, readable by its owner only. */
  private ensurePassword(): string {
    const file = join(this.dataDir, 'gate-user.password');
    if (!existsSync(file)) {
      writeFileSync(file, randomBytes(24).toString('hex'), { mode: PRIVATE_FILE_MODE });
    }
    chmodSync(file, PRIVATE_FILE_MODE);
    return readFileSync(file, 'utf8').trim();
  }

  /** Writes redis.conf (0600), with the hash of the gate user's password, not the password. */
  private writeConf(): string {
    const file = join(this.dataDir, 'redis.conf');
    const text = embeddedRedisConf({
      port: this.port,
      dataDir: this.dataDir,
      pidFile: this.pidFile,
      appendOnly: this.options.appendOnly !== false,
      keyPrefix: this.options.keyPrefix ?? '',
      gatePasswordSha256: createHash('sha256').update(this.password).digest('hex'),
      extraUsers: this.options.extraUsers ?? [],
    });
    writeFileSync(file, text, { mode: PRIVATE_FILE_MODE });
    chmodSync(file, PRIVATE_FILE_MODE);
    return file;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  private get pidFile(): string {
    return join(this.dataDir, 'redis-server.pid');
  }

  /**
   * A redis-server left running on this data directory by a gate that died
   * without stopping it would share the append-only file with the new one: stop
   * it first (SIGTERM lets it finish writing).
   */
  private async stopLeftover(): Promise<void> {
    if (!existsSync(this.pidFile)) return;
    const pid = Number(readFileSync(this.pidFile, 'utf8').trim());
    const alive = (): boolean => {
      try {
        process.kill(pid, 0);
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('redis-server');
      } catch {
        return false;
      }
    };
    if (Number.isInteger(pid) && pid > 0 && alive()) {
      process.kill(pid, 'SIGTERM');
      const until = Date.now() + 10_000;
      while (alive() && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      if (alive()) throw new Error(`a redis-server (pid ${pid}) is still running on ${this.dataDir} and does not stop`);
    }
    rmSync(this.pidFile, { force: true });
  }

  async start(): Promise<void> {
    privateDir(this.dataDir);
    await this.stopLeftover();
    this.port ||= this.options.port ?? (await freePortAvoiding(this.options.avoidPorts ?? []));
    this.password = this.ensurePassword();
    const conf = this.writeConf();
    // Redis creates its files (append-only file, its rewrites, the pid file) with
    // mode 0644 less the umask it starts with, and has no setting for it: it starts
    // with 077, so they are 0600. spawn() has forked when it returns; a file the
    // thread pool creates meanwhile is only made more private than it asked.
    const umask = process.umask(0o077);
    let child: ChildProcess;
    try {
      // Only the config file's path as argument; and not the gate's environment,
      // which holds its tokens, of no use to redis-server.
      child = spawn('redis-server', [conf], { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin' } });
    } finally {
      process.umask(umask);
    }
    this.child = child;
    child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-4000);
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-4000);
    });
    const exited = new Promise<never>((_, reject) => {
      child.once('error', (error) => reject(new Error(`cannot start redis-server (is it installed? apt-get install redis-server): ${error.message}`)));
      child.once('exit', (code) => reject(new Error(`redis-server exited with code ${code}: ${this.stderr.trim()}`)));
    });
    exited.catch(() => undefined);
    await Promise.race([this.waitForPing(10_000), exited]);
  }

  private async waitForPing(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const probe = new Redis({
        port: this.port,
        host: '127.0.0.1',
        username: GATE_REDIS_USER,
        password: this.password,
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      probe.on('error', () => undefined);
      try {
        await probe.connect();
        await probe.ping();
        // With AOF on, Redis answers LOADING until the file is replayed.
        return;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`redis-server on port ${this.port} did not answer: ${(error as Error).message}`);
        await new Promise((r) => setTimeout(r, 50));
      } finally {
        probe.disconnect();
      }
    }
  }

  /** Stops Redis cleanly (SIGTERM: it flushes the AOF first). */
  async stop(): Promise<void> {
    await this.signal('SIGTERM');
  }

  /** Kills Redis without letting it flush anything (a crash). */
  async kill(): Promise<void> {
    await this.signal('SIGKILL');
  }

  private async signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const done = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill(signal);
    await done;
    this.child = undefined;
  }

  pause(): void {
    this.child?.kill('SIGSTOP');
  }

  resume(): void {
    this.child?.kill('SIGCONT');
  }
}
