// What starts a re-check job, read from a request: POST /v1/admin/rechecks's JSON
// body, or the `recheck`, `source` and `onlyChanged` an admin adds to a change of
// a list, a bank or the pack. Each problem is a coded error naming its field.
import { GateError } from '../errors/gate-error.js';
import { isPlainObject } from '../validation/field-issues.js';

/** A job over an existing stream of listings (entries as the intake's). */
export interface StreamSource {
  stream: string;
  onlyChanged: boolean;
}

const START_FIELDS = ['source', 'onlyChanged'];

function invalid(field: string, message: string): GateError {
  return new GateError('GATE_ERR_INVALID_FIELD', `${field} ${message}`, { field });
}

function streamOf(raw: unknown, field: string, prefix: string): string {
  if (!isPlainObject(raw)) throw invalid(field, 'must be an object { "stream": "<key of a Redis stream of listings>" }');
  const stream = raw.stream;
  if (typeof stream !== 'string' || stream.length === 0 || stream.length > 512)
    throw invalid(`${field}.stream`, 'must be the key of a Redis stream (1-512 characters)');
  // The gate's Redis user may touch keys under its prefix only (docs/redis-acl.md).
  if (!stream.startsWith(prefix)) throw invalid(`${field}.stream`, `must begin with GATE_REDIS_PREFIX ("${prefix}"), the only keys the gate may read`);
  const unknown = Object.keys(raw).find((key) => key !== 'stream');
  if (unknown !== undefined)
    throw invalid(`${field}.${unknown}`, 'is not a field of a source (it has "stream" only; upload NDJSON with content-type application/x-ndjson instead)');
  return stream;
}

function onlyChangedOf(raw: unknown, field: string, fallback: boolean): boolean {
  if (raw === undefined) return fallback;
  if (typeof raw !== 'boolean') throw invalid(field, 'must be true or false');
  return raw;
}

/** POST /v1/admin/rechecks with a JSON body: `{ "source": { "stream": … }, "onlyChanged"?: boolean }` (default false). */
export function recheckStartOf(body: unknown, prefix: string): StreamSource {
  if (!isPlainObject(body)) throw invalid('body', 'must be an object { "source": { "stream": … }, "onlyChanged"?: boolean }');
  const unknown = Object.keys(body).find((key) => !START_FIELDS.includes(key));
  if (unknown !== undefined) throw invalid(unknown, `is not a field of a re-check job (its fields are ${START_FIELDS.join(', ')})`);
  if (body.source === undefined) throw invalid('source', 'is required: { "stream": "<key>" }, or upload NDJSON with content-type application/x-ndjson');
  return { stream: streamOf(body.source, 'source', prefix), onlyChanged: onlyChangedOf(body.onlyChanged, 'onlyChanged', false) };
}

/** `?onlyChanged=true|false` of an NDJSON upload (default false). */
export function onlyChangedOfQuery(query: string): boolean {
  const raw = new URLSearchParams(query).get('onlyChanged');
  if (raw === null || raw === '') return false;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw invalid('onlyChanged', `must be true or false, got "${raw}"`);
}

/**
 * The job an admin asks for with a change: `recheck: true` and `source`, in the
 * change's body, onlyChanged defaulting to true (what changed is what the admin
 * wants to see). Undefined when `recheck` is absent or false.
 */
export function recheckAfterChange(body: Record<string, unknown>, prefix: string): StreamSource | undefined {
  const { recheck } = body;
  if (recheck === undefined || recheck === false) {
    if (body.source !== undefined) throw invalid('recheck', 'must be true for a source to be re-checked');
    return undefined;
  }
  if (recheck !== true) throw invalid('recheck', 'must be true or false');
  if (body.source === undefined) throw invalid('source', 'is required with recheck: true: { "stream": "<key of a Redis stream of listings>" }');
  return { stream: streamOf(body.source, 'source', prefix), onlyChanged: onlyChangedOf(body.onlyChanged, 'onlyChanged', true) };
}

/**
 * A change whose job matches every listing and reports changed verdicts only (a
 * text bank, a pack: any listing may be near an added text or meet a changed
 * rule, so only the verdicts tell): `onlyChanged: false` is refused, naming it.
 */
export function changesOnly(source: StreamSource | undefined, what: string): StreamSource | undefined {
  if (source && !source.onlyChanged)
    throw invalid(
      'onlyChanged',
      `must be true (or absent) with recheck: true on ${what}: every listing is matched and only changed verdicts are reported; POST /v1/admin/rechecks emits every verdict`,
    );
  return source;
}

/** The same, from a query string (PUT /v1/admin/pack, whose body is the pack): `?recheck=true&source=<stream>&onlyChanged=…`. */
export function recheckAfterChangeQuery(query: string, prefix: string): StreamSource | undefined {
  const params = new URLSearchParams(query);
  const recheck = params.get('recheck');
  const source = params.get('source');
  const onlyChanged = params.get('onlyChanged');
  const bool = (raw: string | null, field: string): boolean | undefined => {
    if (raw === null || raw === '') return undefined;
    if (raw === 'true' || raw === '1') return true;
    if (raw === 'false' || raw === '0') return false;
    throw invalid(field, `must be true or false, got "${raw}"`);
  };
  return recheckAfterChange(
    {
      ...(bool(recheck, 'recheck') !== undefined ? { recheck: bool(recheck, 'recheck') } : {}),
      ...(source !== null ? { source: { stream: source } } : {}),
      ...(bool(onlyChanged, 'onlyChanged') !== undefined ? { onlyChanged: bool(onlyChanged, 'onlyChanged') } : {}),
    },
    prefix,
  );
}
