// What the load generator itself went through while it measured: its own
// event-loop delay and CPU, and the machine's steal time. A stall of the generator
// is in every latency it measured, whichever server it measured.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { readCpuTicks, stealShare } from './machine-cpu-ticks.js';

export interface GeneratorState {
  /** This process's event-loop delay (a due request or an arrived answer waited this long to be handled), ms. */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  /** This process's CPU time over the measured span, as a share of one core. */
  cpuShareOfCore: number;
  /** The share of the whole machine's CPU time the hypervisor took meanwhile (/proc/stat steal). */
  machineSteal: number;
}

export interface GeneratorMeter {
  /** Ends the span and says what it held. */
  stop(): Promise<GeneratorState>;
}

/** Starts measuring this process and the machine from now. */
export async function startGeneratorMeter(): Promise<GeneratorMeter> {
  const ticks = await readCpuTicks();
  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  loopDelay.enable();
  const cpu = process.cpuUsage();
  const started = performance.now();
  return {
    async stop(): Promise<GeneratorState> {
      loopDelay.disable();
      const used = process.cpuUsage(cpu);
      const elapsedMs = performance.now() - started;
      return {
        loopDelayP99Ms: loopDelay.percentile(99) / 1e6,
        loopDelayMaxMs: loopDelay.max / 1e6,
        cpuShareOfCore: (used.user + used.system) / 1000 / elapsedMs,
        machineSteal: stealShare(ticks, await readCpuTicks()),
      };
    },
  };
}
