// The two encodings the gate speaks (contract section 1): JSON, and MessagePack as
// plain maps (msgpackr's standalone pack, no record extension), which any
// MessagePack decoder reads.
import { pack, unpack } from 'msgpackr';

export type WireFormat = 'json' | 'msgpack';

export const CONTENT_TYPE: Readonly<Record<WireFormat, string>> = { json: 'application/json', msgpack: 'application/msgpack' };

export function encode(value: unknown, format: WireFormat): string | Uint8Array {
  return format === 'json' ? JSON.stringify(value) : pack(value);
}

/** Throws when the bytes are not a value of `format`. */
export function decode(bytes: Uint8Array, format: WireFormat): unknown {
  return format === 'json' ? (JSON.parse(new TextDecoder().decode(bytes)) as unknown) : (unpack(bytes) as unknown);
}

/** The encoding of an answer, by its content type (JSON when it names neither). */
export function formatOf(contentType: string | null): WireFormat {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  return type === 'application/msgpack' || type === 'application/x-msgpack' || type === 'application/vnd.msgpack' ? 'msgpack' : 'json';
}
