// A receiver of the gate's webhooks for Node's http server: what the README shows a
// marketplace running (issue 27, point 5). It refuses a bad signature, and a
// timestamp outside the tolerance: a captured delivery replayed later. Within the
// tolerance it remembers the ids it took, and answers a replay 200 without applying
// it again. A retry carries a fresh timestamp, so an event can still come twice
// (at least once): `apply` keeps, per listing, the highest `sequence`.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { verifyWebhook } from './standard-webhook.js';

export interface WebhookReceiverOptions {
  /** Deliveries signed further than this from now, either way, are refused. Default 300 s. */
  toleranceSeconds?: number;
  /** Largest body read. Default 1 MiB. */
  maxBodyBytes?: number;
  /** The receiver's clock (ms). Default Date.now. */
  now?: () => number;
}

/** Applies a verified event; a throw answers 500, and the gate tries again. */
export type ApplyWebhook = (event: unknown, id: string) => void | Promise<void>;

export function webhookReceiver(
  secret: string,
  apply: ApplyWebhook,
  options: WebhookReceiverOptions = {},
): (request: IncomingMessage, response: ServerResponse) => void {
  const tolerance = options.toleranceSeconds ?? 300;
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const now = options.now ?? Date.now;
  /** Id → when it may be forgotten: once its timestamp is refused anyway (it may be up to the tolerance ahead). */
  const taken = new Map<string, number>();

  const handle = async (request: IncomingMessage, body: string): Promise<{ status: number; text: string }> => {
    const at = now();
    const verdict = verifyWebhook(secret, request.headers, body, { toleranceSeconds: tolerance, now: at });
    if (!verdict.ok) return { status: 400, text: verdict.why };
    for (const [id, forgetAt] of taken) {
      if (forgetAt > at) break; // insertion order is forgetting order
      taken.delete(id);
    }
    if (taken.has(verdict.id)) return { status: 200, text: 'replayed' };
    taken.set(verdict.id, at + 2 * tolerance * 1000);
    try {
      await apply(JSON.parse(body) as unknown, verdict.id);
    } catch (error) {
      taken.delete(verdict.id); // not taken: the gate's retry must get through
      return { status: 500, text: (error as Error).message };
    }
    return { status: 204, text: '' };
  };

  return (request, response) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBodyBytes) chunks.push(chunk);
    });
    request.on('end', () => {
      if (size > maxBodyBytes) return void response.writeHead(413).end('too large');
      handle(request, Buffer.concat(chunks).toString('utf8')).then(
        ({ status, text }) => response.writeHead(status).end(text),
        (error: unknown) => response.writeHead(500).end((error as Error).message),
      );
    });
  };
}
