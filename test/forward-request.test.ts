// A check thread's forwarding of everything but checks to the main thread
// (src/check-thread/forward-request.ts), between real uWS Apps on 127.0.0.1: a
// forwarding App as a check thread runs it, and a stand-in for the main thread.
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { Agent, request, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { connect, createServer, type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import uWS from '@trufflesuite/uws-js-unofficial';
import { forwardRequest } from '../src/check-thread/forward-request.js';
import { ForwardTarget } from '../src/check-thread/forward-target.js';
import { forwardedPeer, isLoopback } from '../src/http/forwarded-peer.js';
import { patternChunk, patternSha256, patternStream } from './helpers/byte-pattern.js';
import { FIXED, startMainStandIn, type Echo, type MainStandIn, type Upload } from './helpers/main-stand-in.js';
import { messageLog } from '../src/observability/gate-logger.js';

// A collection before each memory baseline, so earlier tests' garbage is not counted against a later one.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const SECRET = 'forward-secret-for-tests-0123456789';
// A forwarding bug often shows as an answer that never comes.
const LIMIT = { timeout: 15_000 };
const MB = 1024 * 1024;

interface Forwarder {
  port: number;
  target: ForwardTarget;
  logged: string[];
  close(): void;
}

async function startForwarder(port: number): Promise<Forwarder> {
  const logged: string[] = [];
  const target = new ForwardTarget({ port, secret: SECRET, log: messageLog((message) => logged.push(message)) });
  const app = uWS.App();
  app.any('/*', (res, req) => forwardRequest(res, req, target));
  const socket = await new Promise<uWS.us_listen_socket>((resolve, reject) => {
    app.listen('127.0.0.1', 0, (listening) => (listening ? resolve(listening) : reject(new Error('the forwarder cannot listen'))));
  });
  return {
    port: uWS.us_socket_local_port(socket as unknown as uWS.us_socket),
    target,
    logged,
    close: () => {
      uWS.us_listen_socket_close(socket);
      target.close();
    },
  };
}

let main: MainStandIn;
let forwarder: Forwarder;
// One keep-alive connection, so answers that garble framing show in the next request; a
// connection of its own for each request that is cut on purpose.
const agent = new Agent({ keepAlive: true, maxSockets: 1 });
const single = new Agent({ keepAlive: false });

before(async () => {
  main = await startMainStandIn(SECRET);
  forwarder = await startForwarder(main.port);
});
after(() => {
  agent.destroy();
  single.destroy();
  forwarder.close();
  main.close();
});

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  rawHeaders: string[];
  body: Buffer;
}

function answerOf(res: IncomingMessage): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('error', reject);
    res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks) }));
  });
}

function send(port: number, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers, agent }, (res) => answerOf(res).then(resolve, reject));
    req.on('error', reject);
    req.end(body);
  });
}

const through = (method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> =>
  send(forwarder.port, method, path, headers, body);
const echoOf = (answer: Answer): Echo => JSON.parse(answer.body.toString()) as Echo;
const named = (echo: Echo, name: string): string[] => echo.headers.filter(([n]) => n === name).map(([, v]) => v);
const codeOf = (answer: Answer): unknown => (JSON.parse(answer.body.toString()) as { error: { code: unknown } }).error.code;

describe('what passes through', () => {
  it('passes a GET with its query string and headers, and the answer with its length', LIMIT, async () => {
    const answer = await through('GET', '/echo?x=1&y=%20z&x=2', { 'x-custom': 'a b', accept: 'application/json' });
    assert.equal(answer.status, 200);
    assert.equal(answer.headers['content-type'], 'application/json');
    assert.equal(answer.headers['content-length'], String(answer.body.length));
    const echo = echoOf(answer);
    assert.deepEqual([echo.method, echo.url, echo.query], ['GET', '/echo', 'x=1&y=%20z&x=2']);
    assert.deepEqual(named(echo, 'x-custom'), ['a b']);
    assert.deepEqual(named(echo, 'host'), [`127.0.0.1:${forwarder.port}`]);
  });

  it('passes a POST JSON body and its content type', LIMIT, async () => {
    const body = JSON.stringify({ title: 'Genuine läther bag', price: { amount: 12.5 } });
    const echo = echoOf(await through('POST', '/echo', { 'content-type': 'application/json' }, body));
    assert.equal(echo.method, 'POST');
    assert.equal(echo.body, body);
    assert.deepEqual(named(echo, 'content-type'), ['application/json']);
    assert.deepEqual(named(echo, 'content-length'), [String(Buffer.byteLength(body))]);
  });

  it('keeps repeated answer headers, and drops hop-by-hop ones and those uWS writes itself', LIMIT, async () => {
    const answer = await through('GET', '/cookies');
    assert.equal(answer.status, 200);
    assert.equal(answer.body.toString(), 'ok');
    assert.deepEqual(answer.headers['set-cookie'], ['a=1; Path=/', 'b=2; Path=/']);
    const count = (name: string): number => answer.rawHeaders.filter((header, i) => i % 2 === 0 && header.toLowerCase() === name).length;
    assert.equal(count('x-many'), 2);
    for (const name of ['keep-alive', 'proxy-authenticate', 'x-listed']) assert.equal(count(name), 0, name);
    for (const name of ['date', 'uwebsockets', 'content-length']) assert.equal(count(name), 1, name);
  });

  it('passes a 404 and a 405 through with their coded bodies', LIMIT, async () => {
    const missing = await through('GET', '/nowhere');
    assert.equal(missing.status, 404);
    assert.equal(codeOf(missing), 'GATE_ERR_NOT_FOUND');
    const wrongMethod = await through('DELETE', '/cookies');
    assert.equal(wrongMethod.status, 405);
    assert.equal(codeOf(wrongMethod), 'GATE_ERR_METHOD_NOT_ALLOWED');
  });

  it('answers HEAD with the length a GET would have and no body, and 204 with neither', LIMIT, async () => {
    const head = await through('HEAD', '/fixed');
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
    assert.equal(head.headers['content-type'], 'text/plain');
    assert.equal(head.headers['content-length'], String(FIXED.length));
    // The same keep-alive connection (the agent has one socket): a body sent after HEAD would garble this answer.
    const empty = await through('GET', '/empty');
    assert.equal(empty.status, 204);
    assert.equal(empty.headers['content-length'], undefined);
    assert.equal(echoOf(await through('GET', '/echo?after=head')).query, 'after=head');
  });
});

describe('who the main thread thinks is calling', () => {
  it("drops the client's own x-gate-peer and x-gate-forward, and hop-by-hop headers, and sends its own", LIMIT, async () => {
    const echo = echoOf(
      await through('GET', '/echo', {
        'x-gate-peer': '6.6.6.6',
        'x-gate-forward': 'a-guess',
        connection: 'keep-alive, x-private',
        'x-private': 'hop',
        'proxy-authorization': 'Basic eDp5',
        te: 'trailers',
      }),
    );
    assert.deepEqual(named(echo, 'x-gate-peer'), ['127.0.0.1']);
    assert.deepEqual(named(echo, 'x-gate-forward'), [SECRET]);
    for (const name of ['x-private', 'proxy-authorization', 'te']) assert.deepEqual(named(echo, name), [], name);
    assert.deepEqual(named(echo, 'connection'), ['keep-alive'], "the hop's own (node:http's), not the client's");
    assert.equal(echo.peer, '127.0.0.1');
  });

  it('forwardedPeer believes x-gate-peer only over loopback with the right secret', LIMIT, () => {
    const loopback = { address: '127.0.0.1', loopback: true };
    const forwarded = { gatePeer: '203.0.113.7', gateForward: SECRET };
    assert.equal(forwardedPeer(forwarded, loopback, SECRET), '203.0.113.7');
    assert.equal(forwardedPeer({ ...forwarded, gateForward: `${SECRET}x` }, loopback, SECRET), '127.0.0.1');
    assert.equal(forwardedPeer({ ...forwarded, gateForward: '' }, loopback, SECRET), '127.0.0.1');
    assert.equal(forwardedPeer({ ...forwarded, gateForward: '' }, loopback, ''), '127.0.0.1');
    assert.equal(forwardedPeer({ ...forwarded, gatePeer: '' }, loopback, SECRET), '127.0.0.1');
    assert.equal(forwardedPeer(forwarded, { address: '198.51.100.1', loopback: false }, SECRET), '198.51.100.1');
  });

  it('isLoopback knows 127/8, ::1 and ::ffff:127/104 in the bytes uWS gives', LIMIT, () => {
    const v6 = (...tail: number[]): Uint8Array => Uint8Array.from([...new Array<number>(16 - tail.length).fill(0), ...tail]);
    assert.equal(isLoopback(Uint8Array.from([127, 0, 0, 1])), true);
    assert.equal(isLoopback(Uint8Array.from([127, 9, 9, 9])), true);
    assert.equal(isLoopback(Uint8Array.from([10, 0, 0, 1])), false);
    assert.equal(isLoopback(v6(1)), true);
    assert.equal(isLoopback(v6(0xff, 0xff, 127, 0, 0, 1)), true);
    assert.equal(isLoopback(v6(0xff, 0xff, 10, 0, 0, 1)), false);
    assert.equal(isLoopback(v6(2)), false);
  });

  it("the route wrapper's auth-failure limiter counts the forwarded caller, not the loopback socket", LIMIT, async () => {
    // A new wrong token each time: the limiter also counts failures per token.
    let guess = 0;
    const asCaller = (peer: string, secret = SECRET): Promise<Answer> =>
      send(main.port, 'GET', '/limited', { authorization: `Bearer wrong-${++guess}`, 'x-gate-peer': peer, 'x-gate-forward': secret });
    assert.equal((await asCaller('10.0.0.1')).status, 401);
    assert.equal((await asCaller('10.0.0.1')).status, 401);
    assert.equal((await asCaller('10.0.0.1')).status, 429);
    assert.equal((await asCaller('10.0.0.2')).status, 401);
    // Without the secret the header is ignored: the caller is the socket's 127.0.0.1, not yet limited.
    assert.equal((await asCaller('10.0.0.1', 'a-guess')).status, 401);
  });
});

/** Hashes an answer's body as it arrives, pausing now and then like a slow client. */
function readHashed(res: IncomingMessage, progress: { read: number }): Promise<{ bytes: number; sha256: string }> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    let bytes = 0;
    let sincePause = 0;
    res.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      bytes += chunk.length;
      progress.read = bytes;
      sincePause += chunk.length;
      if (sincePause < 2 * MB) return;
      sincePause = 0;
      res.pause();
      setTimeout(() => res.resume(), 5);
    });
    res.on('error', reject);
    res.on('end', () => resolve({ bytes, sha256: hash.digest('hex') }));
  });
}

/** Samples the process's RSS until stopped; returns the peak over the start. */
function watchRss(): () => number {
  gc();
  const start = process.memoryUsage.rss();
  let peak = start;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 5).unref(); // a test that times out never stops it
  return () => {
    clearInterval(timer);
    peak = Math.max(peak, process.memoryUsage.rss());
    return peak - start;
  };
}

describe('streaming', () => {
  for (const chunked of [false, true]) {
    const framing = chunked ? 'chunked' : 'declared length';
    it(`streams a 100 MB upload byte-exact, the forwarder's memory rising by less than 64 MB (${framing})`, LIMIT, async (t) => {
      const size = 100 * MB;
      const stop = watchRss();
      const started = performance.now();
      let readWhenSent = 0;
      const answer = await new Promise<Answer>((resolve, reject) => {
        // Without a length node:http sends the body chunked, several chunks to a read: the last can come while the socket is paused.
        const headers = chunked ? {} : { 'content-length': String(size) };
        const req = request({ host: '127.0.0.1', port: forwarder.port, method: 'PUT', path: '/upload', headers, agent }, (res) =>
          answerOf(res).then(resolve, reject),
        );
        req.on('error', reject);
        // All sent: the main thread has read all but what sits in socket buffers (some 15 MB here), unless the forwarder held it.
        req.on('finish', () => (readWhenSent = main.progress.uploadRead));
        patternStream(size).pipe(req);
      });
      const growth = stop();
      t.diagnostic(
        `100 MB upload (${framing}): ${(performance.now() - started).toFixed(0)} ms, RSS peak ${(growth / MB).toFixed(1)} MB over the start, ${(readWhenSent / MB).toFixed(1)} MB read by the main thread when the client had sent all`,
      );
      assert.equal(answer.status, 200);
      const upload = JSON.parse(answer.body.toString()) as Upload;
      assert.deepEqual(upload, { bytes: size, sha256: patternSha256(size) });
      assert.ok(growth < 64 * MB, `RSS rose by ${(growth / MB).toFixed(1)} MB`);
      assert.ok(readWhenSent > size / 2, `the main thread had read ${(readWhenSent / MB).toFixed(1)} MB when the client had sent all`);
      // The same connection: a socket left paused after the body would never read this request.
      assert.equal(echoOf(await through('GET', '/echo?after=upload')).query, 'after=upload');
    });
  }

  it("resumes the client's socket when the body ends while it is paused, so the connection's next request is read", LIMIT, async () => {
    // One write holding a 32 KB chunk and the chunked body's end: uWS hands both over from one read. A
    // forwarder with no connection to the main thread yet holds the chunk (over node:http's 16 KB) and
    // pauses; the end arrives while paused.
    const part = patternChunk(3).subarray(0, 32 * 1024);
    const fresh = await startForwarder(main.port);
    const socket = connect(fresh.port, '127.0.0.1');
    let received = '';
    socket.on('data', (data: Buffer) => (received += data.toString('latin1')));
    const answers = (count: number): Promise<void> =>
      new Promise((resolve) => {
        const check = (): void => {
          if ((received.match(/HTTP\/1\.1 200 OK/g) ?? []).length < count) return;
          socket.off('data', check);
          resolve();
        };
        socket.on('data', check);
        check();
      });
    socket.write(
      Buffer.concat([
        Buffer.from(`PUT /upload HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n${part.length.toString(16)}\r\n`),
        part,
        Buffer.from('\r\n0\r\n\r\n'),
      ]),
    );
    try {
      await within(5_000, answers(1), 'the upload was never answered');
      socket.write('GET /echo?next=1 HTTP/1.1\r\nhost: x\r\n\r\n');
      await within(3_000, answers(2), "the connection's next request was never read");
      assert.ok(received.includes(`"sha256":"${createHash('sha256').update(part).digest('hex')}"`));
    } finally {
      socket.destroy();
      fresh.close();
    }
  });

  /** What may sit between the main thread and the client when the main thread has written all. */
  const IN_FLIGHT_AT_MOST = 48 * MB;
  for (const path of ['/large', '/large-chunked']) {
    it(`streams a 100 MB answer byte-exact to a slow reader (${path === '/large' ? 'declared length' : 'chunked'})`, LIMIT, async (t) => {
      const size = 100 * MB;
      const stop = watchRss();
      const progress = { read: 0, readWhenWritten: 0 };
      // All written: the client has read all but what sits in socket buffers and uWS's (12 MB on a quiet machine,
      // up to 30 MB seen under CI's load: loopback buffers grow), unless the forwarder held it.
      void main.nextWritten().then(() => (progress.readWhenWritten = progress.read));
      const got = await new Promise<{ status: number; chunked: boolean; bytes: number; sha256: string }>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: forwarder.port, path: `${path}?bytes=${size}`, agent }, (res) => {
          readHashed(res, progress).then(
            (read) => resolve({ status: res.statusCode ?? 0, chunked: res.headers['transfer-encoding'] === 'chunked', ...read }),
            reject,
          );
        });
        req.on('error', reject);
        req.end();
      });
      const growth = stop();
      t.diagnostic(
        `100 MB answer (${path}): RSS peak ${(growth / MB).toFixed(1)} MB over the start, ${(progress.readWhenWritten / MB).toFixed(1)} MB read by the client when the main thread had written all`,
      );
      assert.deepEqual(got, { status: 200, chunked: path === '/large-chunked', bytes: size, sha256: patternSha256(size) });
      assert.ok(growth < 64 * MB, `RSS rose by ${(growth / MB).toFixed(1)} MB`);
      assert.ok(
        progress.readWhenWritten > size - IN_FLIGHT_AT_MOST,
        `the client had read ${(progress.readWhenWritten / MB).toFixed(1)} MB when the main thread had written all`,
      );
    });
  }
});

/** `promise`, or a rejection after `ms`; uWS would itself time the request out after 10 s. */
function within<T>(ms: number, promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(what)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

describe('failures', () => {
  it('a client gone mid-upload cuts the request to the main thread, and the forwarder keeps serving', LIMIT, async () => {
    const uploadsBefore = main.uploads.length;
    const cut = main.nextAbort();
    const size = 100 * MB;
    let sent = 0;
    const req = request({
      host: '127.0.0.1',
      port: forwarder.port,
      method: 'PUT',
      path: '/upload',
      headers: { 'content-length': String(size) },
      agent: single,
    });
    req.on('error', () => undefined); // destroyed on purpose
    const body = patternStream(size);
    body.on('data', (chunk: Buffer) => {
      sent += chunk.length;
      if (sent >= 8 * MB) {
        body.unpipe(req);
        body.destroy();
        req.destroy();
      }
    });
    body.pipe(req);
    const seen = await within(3_000, cut, 'the main thread never saw the upload cut off');
    assert.equal(seen.path, '/upload');
    assert.ok(seen.bytes < size, `the main thread read ${seen.bytes} bytes`);
    assert.equal(main.uploads.length, uploadsBefore);
    assert.equal(echoOf(await through('GET', '/echo?after=cut')).query, 'after=cut');
  });

  it('relays an answer given before the body ended (a refusal from the headers) at once', LIMIT, async () => {
    // uWS (the main thread's as much as the forwarder's) stops reading a body once it has answered and
    // closes the connection when its 10 s idle timer runs out, so the client hangs up after the answer.
    const size = 20 * MB;
    const started = performance.now();
    const answer = await new Promise<Answer>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port: forwarder.port, method: 'PUT', path: '/refuse', headers: { 'content-length': String(size) }, agent: single },
        (res) => {
          answerOf(res).then((got) => {
            req.destroy();
            resolve(got);
          }, reject);
        },
      );
      req.on('error', (error) => (req.destroyed ? undefined : reject(error)));
      patternStream(size).pipe(req);
    });
    assert.ok(performance.now() - started < 2_000, 'answered within 2 s');
    assert.equal(answer.status, 401);
    assert.equal(codeOf(answer), 'GATE_ERR_UNAUTHORIZED');
    assert.equal(echoOf(await through('GET', '/echo?after=refusal')).query, 'after=refusal');
  });

  it('a client gone mid-answer cuts the request to the main thread', LIMIT, async () => {
    const cut = main.nextAbort();
    const size = 50 * MB;
    await new Promise<void>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: forwarder.port, path: `/large?bytes=${size}`, agent: single }, (res) => {
        let read = 0;
        res.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read < MB) return;
          req.destroy();
          resolve();
        });
      });
      req.on('error', (error) => (req.destroyed ? undefined : reject(error)));
      req.end();
    });
    const seen = await within(3_000, cut, 'the main thread never saw the answer cut off');
    assert.equal(seen.path, '/large');
    assert.ok(seen.bytes < size, `the main thread wrote ${seen.bytes} bytes`);
    assert.equal(echoOf(await through('GET', '/echo?after=cut')).query, 'after=cut');
  });

  for (const chunked of [false, true]) {
    it(`closes the client's connection when the main thread's answer breaks off (${chunked ? 'chunked' : 'declared length'})`, LIMIT, async () => {
      const outcome = await new Promise<string>((resolve) => {
        const req = request({ host: '127.0.0.1', port: forwarder.port, path: `/cut?chunked=${chunked ? 1 : 0}`, agent: single }, (res) => {
          let read = 0;
          res.on('data', (chunk: Buffer) => (read += chunk.length));
          res.on('error', (error) => resolve(`error after ${read} bytes: ${error.message}`));
          res.on('end', () => resolve(`complete after ${read} bytes`));
        });
        req.on('error', (error) => resolve(`request error: ${error.message}`));
        req.end();
      });
      assert.match(outcome, /^error after 65536 bytes: aborted$/);
    });
  }

  it("answers 502 GATE_ERR_FORWARD_FAILED, in the gate's error shape, when the main thread is not there", LIMIT, async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const nowhere = await startForwarder(port);
    try {
      const answer = await send(nowhere.port, 'POST', '/v1/admin/pack', { 'content-type': 'application/json' }, '{"a":1}');
      assert.equal(answer.status, 502);
      assert.equal(answer.headers['content-type'], 'application/json');
      const body = JSON.parse(answer.body.toString()) as { error: { code: string; message: string } };
      assert.equal(body.error.code, 'GATE_ERR_FORWARD_FAILED');
      assert.equal(typeof body.error.message, 'string');
      assert.match(nowhere.logged.join('\n'), /POST \/v1\/admin\/pack .*ECONNREFUSED/);
    } finally {
      nowhere.close();
    }
  });

  it('refuses a bad port or a short secret, naming the option', LIMIT, () => {
    assert.throws(() => new ForwardTarget({ port: 0, secret: SECRET }), /options\.port must be an integer from 1 to 65535/);
    assert.throws(() => new ForwardTarget({ port: 8080, secret: 'short' }), /options\.secret must be at least 16 visible ASCII characters/);
    assert.throws(() => new ForwardTarget({ port: 8080, secret: `${SECRET} with spaces` }), /options\.secret must be at least 16 visible ASCII characters/);
  });
});

/** A raw client connection: what came back, the answers counted by status line, and when the gate closed it. */
interface RawClient {
  text(): string;
  /** Resolves once `count` answers have come, rejects if the connection closes first. */
  answers(count: number): Promise<void>;
  closed: Promise<void>;
  write(bytes: string | Buffer): void;
  destroy(): void;
}

function rawClient(port: number): RawClient {
  const socket = connect(port, '127.0.0.1');
  let received = '';
  let isClosed = false;
  const waiting: Array<() => void> = [];
  const notify = (): void => waiting.splice(0).forEach((wake) => wake());
  socket.on('data', (data: Buffer) => {
    received += data.toString('latin1');
    notify();
  });
  socket.on('error', () => undefined); // 'close' follows
  const closed = new Promise<void>((resolve) =>
    socket.on('close', () => {
      isClosed = true;
      notify();
      resolve();
    }),
  );
  const count = (): number => (received.match(/HTTP\/1\.1 \d{3} /g) ?? []).length;
  return {
    text: () => received,
    answers: (wanted) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          if (count() >= wanted) resolve();
          else if (isClosed) reject(new Error(`the connection was closed after ${count()} answer(s): ${JSON.stringify(received.slice(0, 300))}`));
          else waiting.push(check);
        };
        check();
      }),
    closed,
    write: (bytes) => socket.write(bytes),
    destroy: () => socket.destroy(),
  };
}

/** A chunked PUT whose 32 KB chunk and end go in one write, so that uWS hands both over from one read. */
function chunkedPutInOneWrite(path: string, part: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from(`PUT ${path} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n${part.length.toString(16)}\r\n`),
    part,
    Buffer.from('\r\n0\r\n\r\n'),
  ]);
}

// uWS arms its 10 s idle timer on res.resume() and fires it 8 to 12 s later (it counts in 4 s ticks);
// at a body's end it disarms it, until the answer. An answer later than 12 s after a body that ended
// while its socket was paused shows whether anything armed it again meanwhile.
const LATE_ANSWER_MS = 13_000;
const LATE = { timeout: 30_000 };

describe('a late answer to a body that ended while its socket was paused', { concurrency: true }, () => {
  const part = patternChunk(5).subarray(0, 32 * 1024);
  const partSha256 = createHash('sha256').update(part).digest('hex');

  it("reaches the client through the forwarder, and the connection's next request is read", LATE, async () => {
    // A forwarder with no connection to the main thread yet holds the 32 KB chunk (over node:http's 16 KB) and pauses; the end arrives while paused.
    const fresh = await startForwarder(main.port);
    const client = rawClient(fresh.port);
    try {
      client.write(chunkedPutInOneWrite(`/late?ms=${LATE_ANSWER_MS}`, part));
      await client.answers(1);
      assert.match(client.text(), /^HTTP\/1\.1 200 OK/);
      assert.ok(client.text().includes(`"sha256":"${partSha256}"`), client.text());
      client.write('GET /echo?next=1 HTTP/1.1\r\nhost: x\r\n\r\n');
      await within(3_000, client.answers(2), "the connection's next request was never read");
    } finally {
      client.destroy();
      fresh.close();
    }
  });

  it('is given by the main thread after writing the body to a file, on the same connection as the next request', LATE, async () => {
    // The route wrapper's body-to-file read pauses the socket while a write is in flight; the end came in the same read.
    const client = rawClient(main.port);
    try {
      client.write(chunkedPutInOneWrite(`/to-file?ms=${LATE_ANSWER_MS}`, part));
      await client.answers(1);
      assert.match(client.text(), /^HTTP\/1\.1 200 OK/);
      assert.ok(client.text().includes(`{"bytes":${part.length}}`), client.text());
      client.write('GET /echo?next=1 HTTP/1.1\r\nhost: x\r\n\r\n');
      await within(3_000, client.answers(2), "the connection's next request was never read");
    } finally {
      client.destroy();
    }
  });

  it('still does not wait for a client that stops sending mid-body: uWS drops it, and its file is removed', LATE, async () => {
    const client = rawClient(forwarder.port);
    try {
      client.write(`PUT /to-file HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${8 * MB}\r\n\r\n`);
      client.write(Buffer.concat([patternChunk(0), patternChunk(1), patternChunk(2), patternChunk(3)]));
      const started = performance.now();
      await within(20_000, client.closed, 'a client that stopped sending was never dropped');
      const waited = Math.round(performance.now() - started);
      assert.ok(waited > 5_000, `dropped after ${waited} ms, sooner than uWS's idle timer could have run out`);
      assert.equal(client.text(), '', 'no answer: the connection is closed');
      for (let i = 0; i < 50 && main.filesWritten().length > 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      assert.deepEqual(main.filesWritten(), []);
    } finally {
      client.destroy();
    }
  });
});
