// A gate process reading GATE_INTAKE_STREAM, as the intake tests that kill or stop
// instances start it, with what they read off it.
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { startGateProcess, type GateProcess } from './gate-process.js';
import { AUDIT_KEY } from './test-gate.js';

/** A gate on `stream` (claims after 1 s idle) with `checkThreads` check threads (0: the matching pool). */
export function startIntakeGate(redisUrl: string, prefix: string, stream: string, dataDir: string, checkThreads: number): Promise<GateProcess> {
  return startGateProcess(
    {
      REDIS_URL: redisUrl,
      GATE_REDIS_PREFIX: prefix,
      GATE_DATA_DIR: mkdtempSync(join(dataDir, 'gate-')),
      GATE_AUDIT_KEY: AUDIT_KEY,
      GATE_CHECK_THREADS: String(checkThreads),
      GATE_WORKERS: '1',
      GATE_INTAKE_STREAM: stream,
      GATE_INTAKE_CLAIM_IDLE_MS: '1000',
    },
    /reading intake stream/,
  );
}

/** The sum of a metric's samples whose line starts with `prefix`. */
export async function metricSum(gate: GateProcess, prefix: string): Promise<number> {
  const text = await (await fetch(`${gate.url}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(prefix))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

/** `count` intake entries, a third of them with a brand and a strong indicator. */
export function intakeListings(tag: string, count: number): Array<{ listing: string }> {
  return Array.from({ length: count }, (_, i) => ({
    listing: JSON.stringify({
      listingId: `${tag}-${i}`,
      sellerId: `s-${tag}-${i % 97}`,
      title: i % 3 === 0 ? `LV 高仿 手提包 ${i}` : `Plain cotton t-shirt no. ${i}`,
      category: 'bags',
    }),
  }));
}
