// A seller's image host for the proxy tests: a real HTTP server on 127.0.0.1, port 0,
// that counts and keeps every request it gets, so a test can tell "refused before any
// request" from "fetched and then refused".
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A 1x1 PNG. */
export const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

export interface ImageHost {
  port: number;
  /** Every request received: path and headers. */
  requests: Array<{ path: string; headers: IncomingHttpHeaders }>;
  close(): Promise<void>;
}

/** Routes: path -> what to answer. Any other path: the PNG. */
export type ImageRoutes = Record<string, (response: ServerResponse) => void>;

export async function startImageHost(routes: ImageRoutes = {}): Promise<ImageHost> {
  const requests: ImageHost['requests'] = [];
  const server = createServer((request, response) => {
    const path = request.url ?? '/';
    requests.push({ path, headers: request.headers });
    // A client that hangs up mid-body is what some tests want; it is not this server's error.
    response.on('error', () => undefined);
    const answer = routes[path];
    if (answer) answer(response);
    else response.writeHead(200, { 'content-type': 'image/png', 'content-length': PNG.length }).end(PNG);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
