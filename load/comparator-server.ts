// The comparators' HTTP side (echo-server.ts, pool-echo-server.ts): uWS on
// 127.0.0.1:PORT answering POST /v1/check, reading the body as the gate does and
// never answering a request whose client went away.
import uWS from '@trufflesuite/uws-js-unofficial';

/** Given each request body (and performance.now() when its request arrived); calls `answer` with the JSON to send, now or later. */
export type CheckHandler = (body: Buffer, answer: (json: string | Buffer) => void, startedAt: number) => void;

/** POST /v1/check on `app`: the body read whole, no answer once the client went away. */
export function routeChecks(app: uWS.TemplatedApp, handle: CheckHandler): void {
  app.post('/v1/check', (res) => {
    const startedAt = performance.now();
    let aborted = false;
    res.onAborted(() => {
      aborted = true;
    });
    const chunks: Buffer[] = [];
    res.onData((chunk, isLast) => {
      chunks.push(Buffer.from(new Uint8Array(chunk).slice()));
      if (!isLast || aborted) return;
      handle(
        Buffer.concat(chunks),
        (json) => {
          if (!aborted) res.cork(() => res.writeStatus('200 OK').writeHeader('content-type', 'application/json').end(json));
        },
        startedAt,
      );
    });
  });
}

export function serveChecks(name: string, handle: CheckHandler): void {
  const port = Number(process.env.PORT ?? 0);
  const app = uWS.App();
  routeChecks(app, handle);
  app.listen('127.0.0.1', port, (socket) => {
    if (!socket) {
      process.stderr.write(`${name} server cannot listen on ${port}\n`);
      process.exit(1);
    }
    process.stdout.write(`${name} listening on ${uWS.us_socket_local_port(socket as unknown as uWS.us_socket)}\n`);
  });
}
