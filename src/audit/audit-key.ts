// The audit chain's HMAC key (issue 30 point 4): the configured one
// (GATE_AUDIT_KEY, GATE_AUDIT_KEY_FILE), or one made at the first start and kept
// in the data directory, readable by its owner only, like the embedded Redis's
// password. Never sent to Redis: whoever can write there cannot rebuild the chain.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Characters a configured key must have at least (a made one has 64 hex digits: 256 bits). */
export const AUDIT_KEY_MIN_LENGTH = 32;

export interface AuditKeySettings {
  /** The configured key; undefined: the one in keyFile, made when missing. */
  readonly key: string | undefined;
  readonly keyFile: string;
}

export function auditKey(settings: AuditKeySettings): Buffer {
  if (settings.key !== undefined) return Buffer.from(settings.key, 'utf8');
  if (!existsSync(settings.keyFile)) makeKeyFile(settings.keyFile);
  chmodSync(settings.keyFile, 0o600);
  const key = readFileSync(settings.keyFile, 'utf8').trim();
  if (key.length < AUDIT_KEY_MIN_LENGTH) throw new Error(`${settings.keyFile} must hold an audit key of at least ${AUDIT_KEY_MIN_LENGTH} characters`);
  return Buffer.from(key, 'utf8');
}

function makeKeyFile(keyFile: string): void {
  mkdirSync(dirname(keyFile), { recursive: true, mode: 0o700 });
  // Written aside and linked into place: two gates sharing a data directory and
  // starting together keep the first one's key, and neither reads a half-written file.
  const made = `${keyFile}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(made, randomBytes(32).toString('hex'), { mode: 0o600 });
  try {
    linkSync(made, keyFile);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    rmSync(made, { force: true });
  }
}
