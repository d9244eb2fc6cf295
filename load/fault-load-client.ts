// The load generator of the fault runs, as a process of its own: listings (a tenth
// from a listed seller) against POST /v1/check at a fixed arrival rate (open loop),
// every answer read. Run apart from the
// orchestrator, so that starting and stopping Redis (process spawns, polls) does
// not stall it and show up as the gate's latency.
// Usage: node dist/load/fault-load-client.js <json of FaultLoad> <output file>
// Prints `measuring` when the warm-up is over, and writes a FaultLoadResult as JSON.
import { writeFileSync } from 'node:fs';
import { startGeneratorMeter, type GeneratorMeter, type GeneratorState } from './generator-meter.js';
import { runOpenLoop, type OpenLoopAnswer } from './open-loop-load.js';
import { faultListingBodies } from './fault-listings.js';

export interface FaultLoad {
  port: number;
  /** Requests per second, evenly spaced (open loop). */
  rate: number;
  /** Seconds counted after the warm-up. */
  seconds: number;
  /** Seconds of load before counting starts, on the same connections (JIT, caches, connection set-up). */
  warmupSeconds: number;
  /** The most connections opened (each carries one request at a time). */
  connections: number;
}

export interface FaultAnswer {
  status: number;
  /** Latency in ms, from when the request fell due. */
  ms: number;
  /** Epoch ms when the answer arrived (performance.timeOrigin-based, comparable across processes). */
  at: number;
  verdict?: string;
  reviewId?: string;
  /** A reason says the lists could not be checked. */
  degradedLists: boolean;
  /** The refs of its `degraded` reasons (`lists:deadline`, `review-queue:spooled`, ...). */
  degraded: string[];
  /** The gate's own `tookMicros`: its time from reading the request to answering. */
  tookMicros?: number;
}

export interface FaultLoadResult {
  answers: FaultAnswer[];
  /** Requests that waited for a free connection: their latency includes the generator's own queue. */
  waitedForConnection: number;
  /** Epoch ms when counting began. */
  measuredFrom: number;
  /** The generator's own state while counting: what it shows is in every latency it measured. */
  generator: GeneratorState;
}

const now = (): number => performance.timeOrigin + performance.now();

function toFaultAnswer(answer: OpenLoopAnswer): FaultAnswer {
  let parsed: { verdict?: string; reviewId?: string; tookMicros?: number; reasons?: Array<{ code: string; ref: string }> } = {};
  try {
    parsed = JSON.parse(answer.body ?? '') as typeof parsed;
  } catch {
    // a non-JSON answer (the echo's, a refusal) is counted by its status
  }
  const degraded = (parsed.reasons ?? []).filter((r) => r.code === 'degraded').map((r) => r.ref);
  const out: FaultAnswer = {
    status: answer.status,
    ms: answer.latencyMs,
    at: answer.at,
    degradedLists: degraded.some((ref) => ref.startsWith('lists:')),
    degraded,
  };
  if (typeof parsed.tookMicros === 'number') out.tookMicros = parsed.tookMicros;
  if (parsed.verdict) out.verdict = parsed.verdict;
  if (parsed.reviewId) out.reviewId = parsed.reviewId;
  return out;
}

/** The warm-up and the counted part in one run, on the same connections. */
async function run(load: FaultLoad): Promise<FaultLoadResult> {
  const measuredFrom = now() + load.warmupSeconds * 1000;
  let meter: GeneratorMeter | undefined;
  setTimeout(() => {
    void startGeneratorMeter().then((started) => {
      meter = started;
      console.log('measuring');
    });
  }, load.warmupSeconds * 1000);
  const result = await runOpenLoop({
    port: load.port,
    path: '/v1/check',
    rate: load.rate,
    seconds: load.warmupSeconds + load.seconds,
    bodies: faultListingBodies(),
    maxConnections: load.connections,
    keepBodies: true,
  }).done;
  const generator: GeneratorState = meter ? await meter.stop() : { loopDelayP99Ms: NaN, loopDelayMaxMs: NaN, cpuShareOfCore: NaN, machineSteal: NaN };
  return {
    answers: result.answers.filter((a) => a.at >= measuredFrom).map(toFaultAnswer),
    measuredFrom,
    waitedForConnection: result.waitedForConnection,
    generator,
  };
}

const [spec, output] = process.argv.slice(2);
if (spec && output) {
  writeFileSync(output, JSON.stringify(await run(JSON.parse(spec) as FaultLoad)));
  console.log('done');
}
