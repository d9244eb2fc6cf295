// load/idle-checks.ts and load/idle-split.ts against a server of the test's own:
// one check at a time, each with its own listingId, the server's phases and
// tookMicros read from the answers, and a server without Server-Timing said so.
import { strict as assert } from 'node:assert';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { runIdleChecks } from '../load/idle-checks.js';
import { idleSplit } from '../load/idle-split.js';

describe('idle checks', () => {
  const ids: string[] = [];
  let inFlight = 0;
  let mostInFlight = 0;
  let server: Server;
  let port = 0;
  before(async () => {
    server = createServer((request, response) => {
      mostInFlight = Math.max(mostInFlight, ++inFlight);
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        const listingId = (JSON.parse(body) as { listingId: string }).listingId;
        ids.push(listingId);
        const n = Number(listingId.split('-').pop());
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (request.headers['x-gate-timing'] === '1') headers['server-timing'] = `read;dur=0.01, match;dur=${(n + 1) / 10}, answer;dur=0.02`;
        inFlight--;
        const answer = JSON.stringify({ verdict: 'allow', tookMicros: 100 * (n + 1) });
        response.writeHead(200, { ...headers, 'content-length': Buffer.byteLength(answer) }).end(answer);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => server.close());

  it('sends one check at a time and splits the answers into the server phases', async () => {
    const samples = await runIdleChecks({
      port,
      path: '/v1/check',
      bodies: ['{"listingId":"x","title":"t"}'],
      count: 5,
      gapMs: 1,
      idPrefix: 'idle',
      headers: { 'x-gate-timing': '1' },
    });
    assert.deepEqual(ids.splice(0), ['idle-0', 'idle-1', 'idle-2', 'idle-3', 'idle-4']);
    assert.equal(mostInFlight, 1);
    const split = idleSplit(samples);
    assert.equal(split.checks, 5);
    assert.equal(split.non2xx, 0);
    assert.deepEqual(split.tookMicros, { p50: 300, p99: 500 });
    assert.deepEqual(
      split.phases?.map((p) => [p.name, Math.round(p.p50), p.seen]),
      [
        ['read', 10, 5],
        ['match', 300, 5],
        ['answer', 20, 5],
      ],
    );
    assert.ok(split.callerMicros.p50 > 0);
  });

  it('says there were no phases when the server sends no Server-Timing', async () => {
    const split = idleSplit(await runIdleChecks({ port, path: '/v1/check', bodies: ['{"title":"t"}'], count: 3, gapMs: 1, idPrefix: 'plain' }));
    assert.equal(split.phases, undefined);
    assert.equal(split.checks, 3);
  });
});
