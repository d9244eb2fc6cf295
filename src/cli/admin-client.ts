// The gate's admin API over fetch, with the admin token. A 4xx or 5xx answer is a
// ServerError carrying the gate's error body as sent; a gate that cannot be
// reached is a CliError, never a stack trace.
import { CliError, ServerError, usageError } from './cli-errors.js';

export type RequestBody = { json: unknown } | { bytes: Uint8Array; contentType: string };

/** The gate's error body, read from the wire. */
export interface WireError {
  code: string;
  message: string;
  field?: string;
  details?: unknown;
}

export function wireErrorOf(body: unknown): WireError | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const error = (body as { error?: unknown }).error;
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, message, field, details } = error as Record<string, unknown>;
  if (typeof code !== 'string' || typeof message !== 'string') return undefined;
  return { code, message, ...(typeof field === 'string' ? { field } : {}), ...(details === undefined ? {} : { details }) };
}

export class AdminClient {
  private readonly base: URL;

  constructor(
    url: string,
    private readonly token: string,
  ) {
    try {
      this.base = new URL(url);
    } catch {
      throw usageError(`--url ${url} is not a URL (such as http://127.0.0.1:8080)`);
    }
    if (this.base.protocol !== 'http:' && this.base.protocol !== 'https:') throw usageError(`--url ${url} must be http:// or https://`);
  }

  /** The answer's body, decoded when it is JSON. */
  async request(method: string, path: string, body?: RequestBody): Promise<unknown> {
    const url = new URL(path, this.base);
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}`, accept: 'application/json' };
    let payload: Uint8Array | string | undefined;
    if (body !== undefined && 'json' in body) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body.json);
    } else if (body !== undefined) {
      headers['content-type'] = body.contentType;
      payload = body.bytes;
    }
    let response: Response;
    try {
      response = await fetch(url, { method, headers, ...(payload === undefined ? {} : { body: payload }) });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new CliError(
        'GATECTL_ERR_UNREACHABLE',
        `cannot reach the gate at ${this.base.origin}: ${cause?.code ?? cause?.message ?? (error as Error).message}`,
      );
    }
    const text = await response.text();
    let answer: unknown = text;
    if ((response.headers.get('content-type') ?? '').includes('json')) {
      try {
        answer = JSON.parse(text) as unknown;
      } catch {
        throw new CliError('GATECTL_ERR_BAD_ANSWER', `${method} ${url.pathname} answered ${response.status} with a body that is not JSON`);
      }
    }
    if (!response.ok) {
      const error = wireErrorOf(answer);
      const what = error ? `${error.code}: ${error.message}` : text.slice(0, 200);
      throw new ServerError(response.status, answer, `${method} ${url.pathname} answered ${response.status} ${what}`);
    }
    return answer;
  }
}
