// A gate in a process of its own (dist/src/main.js), for tests that kill one with
// SIGKILL or run several on one Redis: its output kept, its start awaited, not timed
// (the two cores are shared with other test files).
import { spawn, type ChildProcess } from 'node:child_process';
import { repoPath } from '../../src/config/repo-root.js';
import { freePort } from '../../src/redis/embedded-redis.js';
import { eventually } from './gate-calls.js';

export interface GateProcess {
  child: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<number | null>;
}

/** Starts a gate on a free port with `env` over this process's, and resolves once its output shows `ready`. */
export async function startGateProcess(env: NodeJS.ProcessEnv, ready: RegExp = /listening on/): Promise<GateProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [repoPath('dist', 'src', 'main.js')], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    await eventually(
      `the gate's output to show ${ready}`,
      async () => (ready.test(output) ? true : child.exitCode !== null ? Promise.reject(new Error(output)) : undefined),
      60_000,
    );
  } catch (error) {
    child.kill('SIGKILL');
    // The output as it is now, not as it was when the wait began.
    throw new Error(`${(error as Error).message}:\n${output}`);
  }
  return { child, url: `http://127.0.0.1:${port}`, output: () => output, exited };
}

/** SIGTERM, then SIGKILL after 15 s; nothing for a gate already gone. */
export async function stopGateProcess(gate: GateProcess | undefined): Promise<void> {
  if (!gate || gate.child.exitCode !== null || gate.child.signalCode !== null) return;
  gate.child.kill('SIGTERM');
  await Promise.race([gate.exited, new Promise((r) => setTimeout(r, 15_000))]);
  if (gate.child.exitCode === null) gate.child.kill('SIGKILL');
}
