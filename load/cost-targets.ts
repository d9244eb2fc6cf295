// The cost view's three servers, each a process of its own started as npm run
// load starts them: the gate (with its private redis-server as a child), the
// thread-app comparator (a uWS App deciding in each worker thread) and the bare
// uWS echo.
import type { ChildProcess } from 'node:child_process';
import { repoPath } from '../src/config/repo-root.js';
import { freePort } from '../src/redis/embedded-redis.js';
import { startProcess, stopProcess } from './child-process.js';
import type { CostTargetName } from './cost-results.js';

export interface CostTarget {
  name: CostTargetName;
  port: number;
  pid: number;
  /** It serves /metrics (the gate). */
  metrics: boolean;
  child: ChildProcess;
}

/** Starts the servers one after the other; those started are stopped when a later one fails. */
export async function startCostTargets(dataDir: string, packPath: string | undefined): Promise<CostTarget[]> {
  const pack = packPath ? { GATE_PACK: packPath } : {};
  const specs: Array<{ name: CostTargetName; script: string; env: NodeJS.ProcessEnv; ready: RegExp }> = [
    {
      name: 'gate',
      script: repoPath('dist', 'src', 'main.js'),
      env: { HOST: '127.0.0.1', GATE_DATA_DIR: dataDir, REDIS_URL: '', GATE_ADMIN_TOKEN: 'cost-admin-token-0123456789', ...pack },
      ready: /listening on/,
    },
    { name: 'thread-app', script: repoPath('dist', 'load', 'thread-app-server.js'), env: pack, ready: /thread app listening/ },
    { name: 'echo', script: repoPath('dist', 'load', 'echo-server.js'), env: {}, ready: /echo listening/ },
  ];
  const started: CostTarget[] = [];
  try {
    for (const spec of specs) {
      const port = await freePort();
      const child = await startProcess(spec.script, { ...spec.env, PORT: String(port) }, spec.ready, 300_000);
      if (child.pid === undefined) throw new Error(`${spec.script} has no pid`);
      started.push({ name: spec.name, port, pid: child.pid, metrics: spec.name === 'gate', child });
    }
  } catch (error) {
    await stopCostTargets(started);
    throw error;
  }
  return started;
}

export async function stopCostTargets(targets: readonly CostTarget[]): Promise<void> {
  for (const target of targets) await stopProcess(target.child);
}
