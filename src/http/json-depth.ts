// Refuses JSON nested deeper than any request of the gate's needs, from its bytes
// before it is parsed: a megabyte of `[[[…` cost ~130 ms of event loop in
// JSON.parse (issue 30). One pass, no allocation.
import { GateError } from '../errors/gate-error.js';

export const MAX_JSON_DEPTH = 64;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;

export function checkJsonDepth(bytes: Uint8Array, maxDepth = MAX_JSON_DEPTH): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i] as number;
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) inString = true;
    else if (byte === OPEN_ARRAY || byte === OPEN_OBJECT) {
      if (++depth > maxDepth)
        throw new GateError('GATE_ERR_INVALID_BODY', `the body nests arrays and objects deeper than ${maxDepth} levels`, { field: 'body' });
    } else if (byte === CLOSE_ARRAY || byte === CLOSE_OBJECT) depth--;
  }
}
