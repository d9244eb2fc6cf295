// A webhook receiver for the delivery tests: a real HTTP server on 127.0.0.1,
// port 0, that keeps every request (headers, body, arrival, connection) and
// answers each as the test says: a status with a body, or nothing at all.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';

export interface ReceivedHook {
  headers: IncomingHttpHeaders;
  body: string;
  event: { eventId?: string; listingId?: string };
  /** Date.now() when the body had arrived. */
  at: number;
  /** Which connection it came on (1, 2, ... in order of first use). */
  connection: number;
}

/** `hang`: never answer (the dispatcher's timeout ends the attempt). */
export type HookAnswer = { status: number; body?: string | Buffer } | 'hang';

export interface WebhookReceiver {
  url: string;
  received: ReceivedHook[];
  connections(): number;
  close(): Promise<void>;
}

export async function startWebhookReceiver(answer: (hook: ReceivedHook) => HookAnswer): Promise<WebhookReceiver> {
  const received: ReceivedHook[] = [];
  const sockets = new Map<Socket, number>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      if (!sockets.has(request.socket)) sockets.set(request.socket, sockets.size + 1);
      const hook: ReceivedHook = {
        headers: request.headers,
        body,
        event: JSON.parse(body) as ReceivedHook['event'],
        at: Date.now(),
        connection: sockets.get(request.socket) ?? 0,
      };
      received.push(hook);
      // The dispatcher hangs up on an attempt past its timeout; that is not this server's error.
      response.on('error', () => undefined);
      const what = answer(hook);
      if (what !== 'hang') response.writeHead(what.status).end(what.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks?via=test`,
    received,
    connections: () => sockets.size,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
