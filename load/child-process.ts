// The processes a load run starts (the gate, the echo server): started with an
// environment, ready once their output says so, stopped with SIGTERM (SIGKILL
// after 10 s). Output is kept only until the process is ready; LOAD_GATE_LOG=<file>
// appends the gate's output after that to the file (its log lines, --trace-gc).
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { gateProcessEnv } from '../src/config/gate-process-env.js';

export async function startProcess(
  script: string,
  env: NodeJS.ProcessEnv,
  ready: RegExp,
  timeoutMs = 30_000,
  nodeArgs: readonly string[] = [],
): Promise<ChildProcess> {
  // Every process started here gets the gate's process environment, as `npm start` gives the gate.
  const child = spawn(process.execPath, [...nodeArgs, script], { env: { ...process.env, ...gateProcessEnv(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start:\n${output}`)), timeoutMs);
    const onData = (d: Buffer): void => {
      output += d.toString();
      if (ready.test(output)) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stderr?.off('data', onData);
        const keep = process.env.LOAD_GATE_LOG;
        if (keep && script.endsWith('main.js')) child.stdout?.pipe(createWriteStream(keep, { flags: 'a' }));
        else child.stdout?.resume();
        child.stderr?.resume();
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}:\n${output}`)));
  });
  return child;
}

export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
}
