// The comparator for load runs: a bare uWS server that answers POST /v1/check
// with the JSON body it received. Same HTTP stack, same body reading, no work:
// the ceiling of this machine and load generator.
import uWS from '@trufflesuite/uws-js-unofficial';

const port = Number(process.env.PORT ?? 0);
const app = uWS.App();
app.post('/v1/check', (res) => {
  let aborted = false;
  res.onAborted(() => {
    aborted = true;
  });
  const chunks: Buffer[] = [];
  res.onData((chunk, isLast) => {
    chunks.push(Buffer.from(new Uint8Array(chunk).slice()));
    if (!isLast || aborted) return;
    const body = Buffer.concat(chunks);
    res.cork(() => res.writeStatus('200 OK').writeHeader('content-type', 'application/json').end(body));
  });
});
app.listen('127.0.0.1', port, (socket) => {
  if (!socket) {
    process.stderr.write(`echo server cannot listen on ${port}\n`);
    process.exit(1);
  }
  process.stdout.write(`echo listening on ${uWS.us_socket_local_port(socket as unknown as uWS.us_socket)}\n`);
});
