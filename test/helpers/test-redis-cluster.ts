// A private three-master Redis Cluster on loopback for a test file: three
// redis-server processes with cluster mode on free ports, joined by
// `redis-cli --cluster create`, each in a temporary directory.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../src/redis/embedded-redis.js';

export interface TestRedisCluster {
  ports: number[];
  /** Seed URLs, one per master. */
  urls: string[];
  stop(): Promise<void>;
}

async function waitFor(what: string, probe: () => boolean, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function cli(port: number, ...args: string[]): string {
  const result = spawnSync('redis-cli', ['-p', String(port), ...args], { encoding: 'utf8' });
  return `${result.stdout}${result.stderr}`;
}

/** A node's cluster bus listens 10,000 above its port, so that port must be free too, and 55535 at most. */
const CLUSTER_BUS_OFFSET = 10_000;

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolveFree) => {
    const server = createServer();
    server.once('error', () => resolveFree(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolveFree(true)));
  });
}

async function nodePorts(): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < 3) {
    const port = await freePort();
    if (ports.includes(port) || port + CLUSTER_BUS_OFFSET > 65_535 || !(await portIsFree(port + CLUSTER_BUS_OFFSET))) continue;
    ports.push(port);
  }
  return ports;
}

/** Tries again on other ports when a node could not start (a port taken between its choice and its use). */
export async function startTestRedisCluster(attempts = 3): Promise<TestRedisCluster> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(await nodePorts());
    } catch (error) {
      if (!(error instanceof NodeExitedError) || attempt >= attempts) throw error;
    }
  }
}

class NodeExitedError extends Error {}

async function startOnce(ports: number[]): Promise<TestRedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'gate-test-cluster-'));
  const children: ChildProcess[] = ports.map((port) =>
    spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        `nodes-${port}.conf`,
        '--appendonly',
        'yes',
        '--appendfilename',
        `aof-${port}`,
        '--appenddirname',
        `aof-${port}`,
        '--save',
        '',
        '--maxmemory-policy',
        'noeviction',
      ],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    ),
  );
  const output = children.map(() => '');
  children.forEach((child, i) => child.stdout?.on('data', (chunk: Buffer) => (output[i] = `${output[i]}${chunk.toString()}`.slice(-2000))));
  const stop = async (): Promise<void> => {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children.map((child) => (child.exitCode !== null ? undefined : new Promise((r) => child.once('exit', r)))));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const [i, port] of ports.entries()) {
      await waitFor(`redis-server on ${port}`, () => {
        const child = children[i] as ChildProcess;
        if (child.exitCode !== null) throw new NodeExitedError(`redis-server on ${port} exited (${child.exitCode}): ${output[i]}`);
        return cli(port, 'ping').includes('PONG');
      });
    }
    const created = spawnSync('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'], {
      encoding: 'utf8',
    });
    if (created.status !== 0) throw new Error(`redis-cli --cluster create failed:\n${created.stdout}${created.stderr}`);
    for (const port of ports) await waitFor(`cluster state ok on ${port}`, () => cli(port, 'cluster', 'info').includes('cluster_state:ok'));
  } catch (error) {
    await stop();
    throw error;
  }
  return { ports, urls: ports.map((p) => `redis://127.0.0.1:${p}`), stop };
}
