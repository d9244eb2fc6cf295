// An HTTP/1.1 response read from a socket's bytes by its Content-Length (the gate
// and the comparators are uWS, which always sends it): for the load generators
// here, which skip an HTTP client's own cost.

const HEADER_END = Buffer.from('\r\n\r\n');

export interface RawResponse {
  status: number;
  /** The status line and header lines, latin1. */
  head: string;
  body: Buffer;
  /** Bytes of `data` this response took (what follows belongs to the next one). */
  length: number;
}

/** A complete response at the start of `data`; undefined while more is to come. */
export function parseResponse(data: Buffer): RawResponse | undefined {
  const end = data.indexOf(HEADER_END);
  if (end < 0) return undefined;
  const head = data.subarray(0, end).toString('latin1');
  const status = Number(head.slice(9, 12));
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1];
  if (length === undefined) throw new Error(`a response without Content-Length: ${head.split('\r\n')[0] ?? ''}`);
  const bodyStart = end + HEADER_END.length;
  if (data.length < bodyStart + Number(length)) return undefined;
  return { status, head, body: data.subarray(bodyStart, bodyStart + Number(length)), length: bodyStart + Number(length) };
}

/** The value of header `name` in a response head; several lines of it joined by ", " (RFC 9110 5.3); undefined when absent. */
export function headerValue(head: string, name: string): string | undefined {
  const wanted = name.toLowerCase();
  const values = head
    .split('\r\n')
    .slice(1)
    .flatMap((line) => {
      const colon = line.indexOf(':');
      return colon > 0 && line.slice(0, colon).trim().toLowerCase() === wanted ? [line.slice(colon + 1).trim()] : [];
    });
  return values.length > 0 ? values.join(', ') : undefined;
}
