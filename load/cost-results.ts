// What load:cost measures and writes to load-results/cost.json.
import type { IdleSplit } from './idle-split.js';

export type CostTargetName = 'gate' | 'thread-app' | 'echo';

/** CPU microseconds per answered check, by process and thread. */
export interface CpuMicros {
  /** The server's process and its children. */
  total: number;
  /** The main thread (its id is the process's). */
  eventLoop: number;
  /** The event loop's garbage collection pauses (nodejs_gc_duration_seconds_sum), part of `eventLoop`; undefined where the server has no /metrics. */
  eventLoopGc: number | undefined;
  /** Each thread named gate-* (gate-match: the matching pool; gate-app: the thread-app comparator's), most CPU first. */
  named: Array<{ name: string; micros: number }>;
  /** The process's other threads (V8's GC and compiler helpers, libuv's pool) and threads that ended. */
  other: number;
  /** Child processes called redis-server (the gate's private Redis). */
  redis: number;
  /** Any other child process (a pack build). */
  otherChildren: number;
}

export interface CostFigures {
  /** 2xx answers in the measured span. */
  answered: number;
  non2xx: number;
  /** Connection errors and timeouts. */
  errors: number;
  /** Open-loop latency at the fixed rate, from when each check fell due, ms. */
  latencyMs: { p50: number; p90: number; p99: number; p999: number; max: number };
  cpu: CpuMicros;
  /** The load generator (this process) over the same span. */
  generator: { cpuShareOfCore: number; microsPerCheck: number; loopDelayP99Ms: number; machineSteal: number };
  /** From the gate's /metrics over the span; undefined for the comparators. */
  gate: { verdicts: Record<string, number>; degradedSignals: number; gcMicrosByKind: Record<string, number> } | undefined;
}

export interface CostRound extends CostFigures {
  round: number;
}

export interface TargetCost {
  target: CostTargetName;
  rounds: CostRound[];
  /** Each figure's median over the rounds. */
  median: CostFigures;
  /** Every round's idle checks together. */
  idle: IdleSplit;
}

export interface CostResults {
  at: string;
  pack: string;
  /** Where the checks' bodies came from. */
  corpus: string;
  rate: number;
  seconds: number;
  warmupSeconds: number;
  connections: number;
  rounds: number;
  idle: { checksPerRound: number; gapMs: number };
  targets: TargetCost[];
}
