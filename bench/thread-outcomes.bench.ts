// What a check thread's batch of 40 allowed checks costs to hand to the event loop:
// structuredClone (what postMessage does on both sides) of full outcomes against
// the flat strings of thread-allows.ts, written, cloned and read back.
import { Bench } from 'tinybench';
import { report } from './bench-report.js';
import type { ThreadCheckOutcome } from '../src/gate/check-service.js';
import { forEachThreadAllow, pushThreadAllow } from '../src/check-thread/thread-allows.js';
import { packAllowRecordAt } from '../src/review/allow-record.js';

const BATCH = 40;

function outcome(i: number): ThreadCheckOutcome {
  const request = {
    listingId: `st-genuine-${i}`,
    sellerId: `st-s${i}`,
    title: '2024新款女装韩版宽松显瘦连衣裙中长款气质法式桔梗裙子夏季',
    description: 'Soft cotton, machine washable',
    category: 'general',
    price: { amount: 99, currency: 'CNY' },
    images: [{ url: 'https://img.example/a.jpg', phash: 'a1b2c3d4e5f60718' }],
    seller: { phoneHash: `ph-${i}` },
    attributes: { shipFrom: 'CN' },
  };
  const response = {
    checkId: 'ck_0f8fad5b-d9cb-469f-a165-70867728950e',
    listingId: request.listingId,
    verdict: 'allow' as const,
    score: 0,
    reasons: [],
    policyVersion: 'dev-1',
    tookMicros: 41,
  };
  return {
    request,
    response,
    brands: [],
    fingerprintHits: { images: [], texts: [] },
    degradedSignals: [],
    matchMicros: 12.3,
    late: false,
    decidedAt: new Date().toISOString(),
  };
}

export async function runThreadOutcomesBench(): Promise<void> {
  const outcomes = Array.from({ length: BATCH }, (_, i) => outcome(i));
  let read = 0;
  const bench = new Bench({ time: 700 });
  bench
    .add(`full outcomes, ${BATCH} a batch: structuredClone`, () => {
      read += structuredClone({ type: 'outcomes', outcomes }).outcomes.length;
    })
    .add(`flat strings, ${BATCH} a batch: pack, structuredClone, read`, () => {
      const allows: string[] = [];
      for (const { request, response, matchMicros } of outcomes) {
        pushThreadAllow(allows, {
          listingId: request.listingId,
          sellerId: request.sellerId,
          packedRecord: packAllowRecordAt(Date.now(), response.checkId, response.reasons, response.policyVersion, request.sellerId),
          ringNodes: [`phone:${request.seller?.phoneHash ?? ''}`],
          region: request.attributes?.shipFrom ?? '',
          tookMicros: response.tookMicros,
          matchMicros,
          late: false,
        });
      }
      forEachThreadAllow(structuredClone({ type: 'outcomes', allows }).allows, () => read++);
    });
  await bench.run();
  report('handing a batch of allowed checks from a check thread to the event loop', bench, { label: 'check', perOp: BATCH });
}
