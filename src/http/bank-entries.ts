// The fingerprint banks' names and entries as an admin or a rights holder sends
// them, checked with errors naming the entry.
import { GateError } from '../errors/gate-error.js';
import type { BankEntry } from '../fingerprint/fingerprint-bank.js';
import { FINGERPRINT_KINDS, isImageKind, type FingerprintKind } from '../fingerprint/fingerprint-kind.js';
import { textGrams } from '../fingerprint/text-grams.js';
import { MIN_GRAMS } from '../fingerprint/text-index.js';
import { isPlainObject } from '../validation/field-issues.js';

export function fingerprintKindOf(raw: string): FingerprintKind {
  if ((FINGERPRINT_KINDS as readonly string[]).includes(raw)) return raw as FingerprintKind;
  throw new GateError('GATE_ERR_NOT_FOUND', `no fingerprint bank "${raw}"; banks are ${FINGERPRINT_KINDS.join(', ')}`, { field: 'kind' });
}

export function bankEntries(kind: FingerprintKind, body: unknown): BankEntry[] {
  const fail = (field: string, message: string): never => {
    throw new GateError('GATE_ERR_INVALID_FIELD', `${field} ${message}`, { field });
  };
  if (!isPlainObject(body) || !Array.isArray(body.entries)) return fail('entries', 'must be an array of entries');
  if (body.entries.length === 0 || body.entries.length > 100_000) return fail('entries', 'must hold 1 to 100,000 entries');
  const image = isImageKind(kind);
  return body.entries.map((raw: unknown, i: number): BankEntry => {
    if (!isPlainObject(raw)) return fail(`entries[${i}]`, 'must be an object');
    if (typeof raw.ref !== 'string' || raw.ref.length === 0 || raw.ref.length > 128) return fail(`entries[${i}].ref`, 'must be a string of 1-128 characters');
    if (image) {
      if (typeof raw.phash !== 'string' || !/^[0-9a-fA-F]{16}$/.test(raw.phash))
        return fail(`entries[${i}].phash`, 'must be 16 hexadecimal characters (a 64-bit hash)');
      return { ref: raw.ref, value: raw.phash.toLowerCase() };
    }
    if (typeof raw.text !== 'string' || raw.text.length > 20_000) return fail(`entries[${i}].text`, 'must be a string of at most 20,000 characters');
    if (textGrams(raw.text).length < MIN_GRAMS) return fail(`entries[${i}].text`, `is too short to fingerprint (fewer than ${MIN_GRAMS} distinct 3-grams)`);
    return { ref: raw.ref, value: raw.text };
  });
}
