// `npm start`: a supervisor (node:cluster primary) that runs the gate in one worker
// process and starts it again when it dies without being asked to: a crash in
// native code (Hyperscan, uWS) takes the whole process, and the publish path needs
// a gate back within seconds. SIGTERM/SIGINT are passed on; the gate drains and
// the supervisor exits with it. Restarts back off when the gate keeps dying at
// start (a bad configuration or pack), and stop after too many in a row.
// One worker, not one per core: uWS listens outside Node's cluster sharing, and
// the gate already uses every core through its matching threads.
import cluster, { type Worker } from 'node:cluster';
import { gateProcessEnv } from './config/gate-process-env.js';
import { createGateLogger } from './observability/gate-logger.js';
import { surviveClosedLogPipe } from './observability/survive-closed-log-pipe.js';

const MAX_QUICK_DEATHS = 5;
/** A gate that lived this long counts as started: its next death restarts at once. */
const STARTED_AFTER_MS = 30_000;

surviveClosedLogPipe();

// The gate (main.ts) validates GATE_LOG_LEVEL and says why it is unusable; here it falls back to info.
const log = (() => {
  try {
    return createGateLogger({ name: 'supervisor' });
  } catch {
    return createGateLogger({ name: 'supervisor', level: 'info' });
  }
})();

if (cluster.isPrimary) {
  cluster.setupPrimary({ exec: new URL('./main.js', import.meta.url).pathname });
  let stopping = false;
  let quickDeaths = 0;
  let current: Worker | undefined;
  const start = (): void => {
    const startedAt = Date.now();
    const worker = cluster.fork(gateProcessEnv());
    current = worker;
    worker.on('exit', (code, signal) => {
      if (stopping) {
        log.info(`gate exited (${signal ?? code}); stopping`);
        process.exit(typeof code === 'number' ? code : 0);
      }
      const lived = Date.now() - startedAt;
      quickDeaths = lived < STARTED_AFTER_MS ? quickDeaths + 1 : 0;
      if (quickDeaths > MAX_QUICK_DEATHS) {
        log.error(`gate died ${quickDeaths} times within ${STARTED_AFTER_MS / 1000} s of starting; giving up (last: ${signal ?? `exit ${code}`})`);
        process.exit(1);
      }
      const delay = quickDeaths === 0 ? 0 : Math.min(100 * 2 ** quickDeaths, 5000);
      log.warn(`gate died (${signal ?? `exit ${code}`}) after ${(lived / 1000).toFixed(1)} s; restarting in ${delay} ms`);
      setTimeout(start, delay);
    });
  };
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: passing it to the gate`);
    if (current && current.process.exitCode === null) current.process.kill(signal);
    else process.exit(0);
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  log.info(`starting the gate (pid ${process.pid} supervises)`);
  start();
}
