// The first check thread listens on a port found free a moment before; another
// process can take it meanwhile (a clean-clone run failed so), and the gate then
// tries another port instead of failing to start.
import { strict as assert } from 'node:assert';
import { createServer, type Server } from 'node:net';
import { after, describe, it } from 'node:test';
import { listenOnChosenPort } from '../src/check-thread/first-listener.js';
import { freePort } from '../src/redis/embedded-redis.js';
import { messageLog, silentLog } from '../src/observability/gate-logger.js';

function listenOn(port: number, opened: Server[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      opened.push(server);
      resolve(port);
    });
  });
}

describe('listening on a chosen free port', () => {
  const opened: Server[] = [];
  after(() => opened.forEach((server) => server.close()));

  it('chooses again when the free port was taken before it was bound', async () => {
    const taken = await listenOn(await freePort('127.0.0.1'), opened);
    const chosen: number[] = [];
    const logged: string[] = [];
    const port = await listenOnChosenPort(
      async () => {
        const next = chosen.length === 0 ? taken : await freePort('127.0.0.1');
        chosen.push(next);
        return next;
      },
      (p) => listenOn(p, opened),
      { attempts: 5, chosenFreshly: true, log: messageLog((m) => logged.push(m)) },
    );
    assert.notEqual(port, taken);
    assert.equal(chosen.length, 2);
    assert.match(logged.join('\n'), new RegExp(`free port ${taken} \\(taken meanwhile: .*EADDRINUSE`));
  });

  it('fails at once on a port the configuration named', async () => {
    const taken = await listenOn(await freePort('127.0.0.1'), opened);
    let chosen = 0;
    await assert.rejects(
      listenOnChosenPort(
        async () => (chosen++, taken),
        (p) => listenOn(p, opened),
        { attempts: 5, chosenFreshly: false, log: silentLog },
      ),
      /EADDRINUSE/,
    );
    assert.equal(chosen, 1);
  });

  it('gives up after its attempts, with the last error', async () => {
    const taken = await listenOn(await freePort('127.0.0.1'), opened);
    let chosen = 0;
    await assert.rejects(
      listenOnChosenPort(
        async () => (chosen++, taken),
        (p) => listenOn(p, opened),
        { attempts: 3, chosenFreshly: true, log: silentLog },
      ),
      /EADDRINUSE/,
    );
    assert.equal(chosen, 3);
  });
});
