// Opens the check socket. The gate refuses an upgrade with a coded error body
// (401, 403, 429 with retry-after) before any upgrade: that becomes the
// GateClientError the HTTP check would have given.
import WebSocket from 'ws';
import { GateClientError } from './gate-client-error.js';
import { readAnswer } from './read-answer.js';
import { retryAfterMs } from './retry-after.js';
import { decode, formatOf } from './wire-format.js';

export function openSocket(url: string, headers: Record<string, string>): Promise<WebSocket> {
  // perMessageDeflate off: the gate's socket does not compress, and listings are small.
  const socket = new WebSocket(url, { headers, perMessageDeflate: false });
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(socket));
    socket.on('error', (error) => reject(new GateClientError('CLIENT_ERR_NETWORK', `the check socket did not open: ${error.message}`, { cause: error })));
    socket.once('unexpected-response', (request, response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', (error) =>
        reject(new GateClientError('CLIENT_ERR_NETWORK', `the refusal of the upgrade could not be read: ${error.message}`, { cause: error })),
      );
      response.on('end', () => {
        request.destroy();
        const status = response.statusCode ?? 0;
        const header = response.headers['retry-after'];
        const retryAfter = status === 429 || status === 503 ? retryAfterMs(typeof header === 'string' ? header : null) : undefined;
        let value: unknown;
        try {
          value = decode(Buffer.concat(chunks), formatOf(response.headers['content-type'] ?? null));
        } catch {
          value = undefined;
        }
        const answer = readAnswer(value);
        if (answer.kind === 'error') {
          const { code, message, field, details } = answer.error;
          reject(new GateClientError(code, message, { status, field, details, retryAfterMs: retryAfter }));
        } else
          reject(
            new GateClientError('CLIENT_ERR_BAD_ANSWER', `the gate refused the upgrade with ${status} and no error body`, { status, retryAfterMs: retryAfter }),
          );
      });
    });
  });
}
