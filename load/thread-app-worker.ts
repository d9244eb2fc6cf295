// One thread of the thread-app comparator (thread-app-server.ts): a uWS App on
// the shared port that decides each check in this thread.
import { parentPort, workerData } from 'node:worker_threads';
import uWS from '@trufflesuite/uws-js-unofficial';
import { routeChecks } from './comparator-server.js';
import { decodeBody } from '../src/http/decode-body.js';
import { validateCheckRequest } from '../src/gate/validate-check-request.js';
import { listingTextFields } from '../src/matcher/listing-fields.js';
import { findText } from '../src/matcher/find-text-hits.js';
import type { PatternMeta } from '../src/matcher/pattern-plan.js';
import { rulesEngine } from '../src/native/rules-engine.js';
import { prepareNormalizer } from '../src/normalize/normalize-text.js';
import { scoreListing } from '../src/gate/score-listing.js';
import type { PolicyPack } from '../src/pack/policy-pack.js';
import { nameThread } from '../src/config/name-thread.js';

export interface ThreadAppSetup {
  port: number;
  pack: PolicyPack;
  packKey: string;
  databaseBytes: Uint8Array;
  meta: PatternMeta;
}

const setup = workerData as ThreadAppSetup;
nameThread('gate-app'); // load:cost counts its CPU apart from the main thread's
prepareNormalizer();
const db = rulesEngine.deserialize(setup.databaseBytes, setup.packKey);
let checks = 0;

function decide(bytes: Uint8Array, startedAt: number): string {
  const validation = validateCheckRequest(decodeBody(bytes, 'json'));
  if (!validation.ok) return JSON.stringify({ error: { code: 'GATE_ERR_INVALID_FIELD', field: validation.issues[0]?.path } });
  const request = validation.request;
  const text = findText(db, setup.meta, listingTextFields(request));
  const scored = scoreListing(setup.pack, { sellerId: request.sellerId, category: request.category, price: request.price, textHits: text.hits, listHits: [] });
  return JSON.stringify({
    checkId: `ck_thread_${++checks}`,
    listingId: request.listingId,
    verdict: scored.verdict,
    score: scored.score,
    reasons: scored.reasons,
    policyVersion: setup.pack.packVersion,
    tookMicros: Math.round((performance.now() - startedAt) * 1000),
  });
}

const app = uWS.App();
routeChecks(app, (body, answer, startedAt) => answer(decide(body, startedAt)));
app.listen('127.0.0.1', setup.port, (socket) => {
  if (!socket) throw new Error(`thread app cannot listen on ${setup.port}`);
  parentPort?.postMessage({ port: uWS.us_socket_local_port(socket as unknown as uWS.us_socket) });
});
