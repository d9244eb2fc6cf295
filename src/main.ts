// The composition root's process side: configuration from the environment,
// logging, and SIGTERM/SIGINT draining (contract section 4).
import { ConfigError, loadConfig } from './config/gate-config.js';
import { PackInvalidError } from './pack/pack-invalid-error.js';
import { startGate, type RunningGate } from './app/start-gate.js';
import { surviveClosedLogPipe } from './observability/survive-closed-log-pipe.js';

surviveClosedLogPipe();

function log(message: string): void {
  process.stdout.write(`${new Date().toISOString()} gate ${message}\n`);
}

async function main(): Promise<void> {
  const config = loadConfig();
  // Listened for before the gate starts: the check threads answer /healthz while
  // the start is still finishing, and a SIGTERM then must drain, not kill.
  let signalled: string | undefined;
  let gate: RunningGate | undefined;
  let stopping = false;
  const stop = (signal: string): void => {
    signalled = signal;
    if (stopping || !gate) return;
    stopping = true;
    log(`${signal}: draining`);
    gate.stop().then(
      () => {
        log('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        log(`error while stopping: ${(error as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  gate = await startGate(config, log);
  if (signalled) stop(signalled);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) log(error.message);
  else if (error instanceof PackInvalidError) log(`cannot start: ${error.message}\n${error.issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`);
  else log(`cannot start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
