// Standard Webhooks signing (standardwebhooks.com): `webhook-id`,
// `webhook-timestamp` (Unix seconds) and `webhook-signature: v1,<base64 of
// HMAC-SHA256(secret, "<id>.<timestamp>.<body>")>`. The timestamp is signed, so
// a receiver can refuse a delivery older than its tolerance, and the id, so it
// can refuse one it has seen (issue 29: a captured delivery verified forever).
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface WebhookHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

function sign(secret: string, id: string, timestamp: string, body: string): string {
  return createHmac('sha256', secret).update(`${id}.${timestamp}.${body}`).digest('base64');
}

export function signWebhook(secret: string, id: string, body: string, now = Date.now()): WebhookHeaders {
  const timestamp = String(Math.floor(now / 1000));
  return { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${sign(secret, id, timestamp, body)}` };
}

export type WebhookVerdict = { ok: true; id: string } | { ok: false; why: 'missing headers' | 'bad signature' | 'stale' | 'replayed' };

export interface VerifyWebhookOptions {
  /** Deliveries signed further than this from now, either way, are refused. Default 300 s. */
  toleranceSeconds?: number;
  /** Ids already accepted (kept at least as long as the tolerance); a verified delivery's id is added. */
  seen?: Set<string>;
  now?: number;
}

/** What a receiver does with a delivery: the README's example uses it as is. */
export function verifyWebhook(
  secret: string,
  headers: Record<string, string | string[] | undefined>,
  body: string,
  options: VerifyWebhookOptions = {},
): WebhookVerdict {
  const header = (name: string): string => {
    const value = headers[name];
    return Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
  };
  const id = header('webhook-id');
  const timestamp = header('webhook-timestamp');
  const signatures = header('webhook-signature');
  if (!id || !/^\d+$/.test(timestamp) || !signatures) return { ok: false, why: 'missing headers' };
  const expected = Buffer.from(sign(secret, id, timestamp, body));
  const valid = signatures.split(' ').some((entry) => {
    const [version, signature] = entry.split(',', 2);
    if (version !== 'v1' || signature === undefined) return false;
    const given = Buffer.from(signature);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!valid) return { ok: false, why: 'bad signature' };
  const nowSeconds = Math.floor((options.now ?? Date.now()) / 1000);
  if (Math.abs(nowSeconds - Number(timestamp)) > (options.toleranceSeconds ?? 300)) return { ok: false, why: 'stale' };
  if (options.seen?.has(id)) return { ok: false, why: 'replayed' };
  options.seen?.add(id);
  return { ok: true, id };
}
