// Turns a request body into a value: JSON (strict UTF-8) or MessagePack, by
// content type; anything else is refused with 415.
import { Unpackr } from 'msgpackr';
import { GateError } from '../errors/gate-error.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });
// Plain objects only: no records, no structured clones, no class instances from the wire.
const msgpack = new Unpackr({ useRecords: false, mapsAsObjects: true, structuredClone: false });

export type BodyFormat = 'json' | 'msgpack';

export function bodyFormat(contentType: string): BodyFormat {
  const type = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  if (type === 'application/json' || type.endsWith('+json')) return 'json';
  if (type === 'application/msgpack' || type === 'application/x-msgpack' || type === 'application/vnd.msgpack') return 'msgpack';
  throw new GateError(
    'GATE_ERR_UNSUPPORTED_MEDIA_TYPE',
    contentType === ''
      ? 'content-type is missing; send application/json or application/msgpack'
      : `content-type ${contentType} is not supported; send application/json or application/msgpack`,
    { field: 'content-type' },
  );
}

export function decodeBody(body: Uint8Array, format: BodyFormat): unknown {
  if (body.length === 0) throw new GateError('GATE_ERR_EMPTY_BODY', 'the request has no body', { field: 'body' });
  if (format === 'msgpack') {
    try {
      return msgpack.unpack(body);
    } catch (error) {
      throw new GateError('GATE_ERR_INVALID_BODY', `the body is not valid MessagePack: ${(error as Error).message}`, { field: 'body' });
    }
  }
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw new GateError('GATE_ERR_INVALID_BODY', 'the body is not valid UTF-8', { field: 'body' });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new GateError('GATE_ERR_INVALID_BODY', `the body is not valid JSON: ${(error as Error).message}`, { field: 'body' });
  }
}
