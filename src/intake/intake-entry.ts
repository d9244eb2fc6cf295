// Reads the check request an intake entry carries (contract section 6): the
// entry's field `listing`, JSON or MessagePack, decoded and validated exactly as
// the body of POST /v1/check. A bad entry gets the coded error an HTTP caller
// would get (naming the field), never a silent drop.
import { GateError } from '../errors/gate-error.js';
import type { CheckRequest } from '../gate/check-request.js';
import { checkRequestOf } from '../http/check-input.js';
import { decodeBody, type BodyFormat } from '../http/decode-body.js';
import { checkJsonDepth } from '../http/json-depth.js';
import { isPlainObject } from '../validation/field-issues.js';

export type IntakeEntry =
  | { ok: true; request: CheckRequest; format: BodyFormat }
  /** `listingId`: the entry's, when it has a readable one (else ''). */
  | { ok: false; error: GateError; format: BodyFormat; listingId: string };

const LISTING_FIELD = 'listing';
const OPEN_BRACE = 0x7b;

/** JSON when the first byte past white space opens an object; a MessagePack check request is a map, never 0x7b (the integer 123). */
export function entryFormat(bytes: Uint8Array): BodyFormat {
  for (const byte of bytes) {
    if (byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d) continue;
    return byte === OPEN_BRACE ? 'json' : 'msgpack';
  }
  return 'json';
}

function listingIdOf(value: unknown): string {
  if (!isPlainObject(value)) return '';
  const id = value.listingId;
  return typeof id === 'string' && id.length <= 128 ? id : '';
}

/** `fields`: the entry's field names and values, alternating, as Redis returned them. */
export function readIntakeEntry(fields: readonly Buffer[], maxBytes: number): IntakeEntry {
  let bytes: Buffer | undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i]?.toString() === LISTING_FIELD) bytes = fields[i + 1];
  }
  if (bytes === undefined) {
    return {
      ok: false,
      format: 'json',
      listingId: '',
      error: new GateError('GATE_ERR_INVALID_FIELD', 'the entry has no field "listing" (a check request as JSON or MessagePack)', { field: LISTING_FIELD }),
    };
  }
  const format = entryFormat(bytes);
  if (bytes.length > maxBytes) {
    return {
      ok: false,
      format,
      listingId: '',
      error: new GateError('GATE_ERR_BODY_TOO_LARGE', `the listing is ${bytes.length} bytes; the limit is ${maxBytes} (GATE_MAX_BODY_BYTES)`, {
        field: LISTING_FIELD,
      }),
    };
  }
  let decoded: unknown;
  try {
    if (format === 'json') checkJsonDepth(bytes);
    decoded = decodeBody(bytes, format);
  } catch (error) {
    const cause = error instanceof GateError ? error : new GateError('GATE_ERR_INVALID_BODY', String(error));
    return { ok: false, format, listingId: '', error: new GateError(cause.code, cause.message.replace(/^the body/, 'the listing'), { field: LISTING_FIELD }) };
  }
  try {
    return { ok: true, format, request: checkRequestOf(decoded) };
  } catch (error) {
    if (!(error instanceof GateError)) throw error;
    return { ok: false, format, listingId: listingIdOf(decoded), error };
  }
}
