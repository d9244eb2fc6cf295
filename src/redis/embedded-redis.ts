// The gate's own redis-server, started when REDIS_URL is not set (contract section
// 4): AOF on, data under ./data/redis, listening on a free loopback port, stopped
// with the gate. Tests use the same class to get a private Redis they can kill.
// No one signs in as the default user: the gate signs in as its own ACL user, whose password
// is kept in the data directory (mode 0600), and which may run every command but
// the dangerous ones (FLUSHALL, CONFIG, KEYS, DEBUG, SHUTDOWN, ACL, ...), except
// INFO, which the client's ready check and the cluster detection read.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';

export interface EmbeddedRedisOptions {
  /** Directory for AOF and logs. */
  dataDir: string;
  /** Port to listen on; default: a free one. */
  port?: number;
  /** Append-only file on (default true): nothing acknowledged is lost on a crash. */
  appendOnly?: boolean;
  /** Extra `redis-server` arguments. */
  extraArgs?: string[];
}

/** The ACL user the gate signs in as, and what it may run. */
export const GATE_REDIS_USER = 'gate';
export const GATE_REDIS_USER_RULES = ['on', '~*', '&*', '+@all', '-@dangerous', '+info'];

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
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
      writeFileSync(file, randomBytes(24).toString('hex'), { mode: 0o600 });
    }
    chmodSync(file, 0o600);
    return readFileSync(file, 'utf8').trim();
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
    mkdirSync(this.dataDir, { recursive: true });
    await this.stopLeftover();
    this.port ||= this.options.port ?? (await freePort());
    this.password = this.ensurePassword();
    const args = [
      '--port', String(this.port),
      '--bind', '127.0.0.1',
      '--dir', this.dataDir,
      '--appendonly', this.options.appendOnly === false ? 'no' : 'yes',
      // `always`: a write Redis acknowledges is on disk. With `everysec`, Redis answers
      // writes it has not yet written while a slow background fsync is running, and a
      // kill -9 then loses them (seen here: 7 of 2,674 acknowledged review items). It
      // costs about 0.1 ms per write on this machine.
      '--appendfsync', 'always',
      '--save', '',
      '--maxmemory-policy', 'noeviction',
      '--protected-mode', 'yes',
      '--daemonize', 'no',
      '--pidfile', this.pidFile,
      // The default user cannot be switched off: Redis 7.0 replays the append-only
      // file as the default user, and refuses its MULTI/EXEC blocks if that user may
      // not run them (every queued review item would be lost on restart). It gets a
      // random password no one is told instead, so no client can sign in as it.
      '--user', 'default', 'on', 'resetpass', `>${randomBytes(32).toString('hex')}`, '~*', '&*', '+@all',
      '--user', GATE_REDIS_USER, 'reset', ...GATE_REDIS_USER_RULES, `>${this.password}`,
      ...(this.options.extraArgs ?? []),
    ];
    const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-4000);
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-4000);
    });
    const exited = new Promise<never>((_, reject) => {
      child.once('error', (error) =>
        reject(new Error(`cannot start redis-server (is it installed? apt-get install redis-server): ${error.message}`)),
      );
      child.once('exit', (code) => reject(new Error(`redis-server exited with code ${code}: ${this.stderr.trim()}`)));
    });
    exited.catch(() => undefined);
    await Promise.race([this.waitForPing(10_000), exited]);
  }

  private async waitForPing(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const probe = new Redis({ port: this.port, host: '127.0.0.1', username: GATE_REDIS_USER, password: this.password, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
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
