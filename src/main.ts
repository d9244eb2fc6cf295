// The composition root's process side: configuration from the environment,
// logging, and SIGTERM/SIGINT draining (contract section 4).
import { ConfigError, loadConfig } from './config/gate-config.js';
import { PackInvalidError } from './pack/pack-invalid-error.js';
import { startGate, type RunningGate } from './app/start-gate.js';
import { createGateLogger, type GateLog } from './observability/gate-logger.js';
import { surviveClosedLogPipe } from './observability/survive-closed-log-pipe.js';

surviveClosedLogPipe();

/** JSON lines on stdout (gate-logger.ts); an unusable GATE_LOG_LEVEL ends the start before anything else. */
function openLog(): GateLog {
  try {
    return createGateLogger({ name: 'gate' });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  }
}
const log = openLog();

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
    log.info(`${signal}: draining`);
    gate.stop().then(
      () => {
        log.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        log.error(`error while stopping: ${(error as Error).message}`, { err: error });
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
  if (error instanceof ConfigError) log.error(error.message);
  else if (error instanceof PackInvalidError)
    log.error(`cannot start: ${error.message}\n${error.issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`, { issues: error.issues });
  else log.error(`cannot start: ${error instanceof Error ? error.message : String(error)}`, { err: error });
  process.exit(1);
});
