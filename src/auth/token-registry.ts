// Bearer tokens with roles (contract section 5). Tokens are kept only as SHA-256
// digests and compared in constant time, so neither memory dumps nor timing give
// a token away.
import { createHash, timingSafeEqual } from 'node:crypto';
import { GateError } from '../errors/gate-error.js';

export type Role = 'publisher' | 'reviewer' | 'rights_holder' | 'admin' | 'metrics';

interface TokenEntry {
  digest: Buffer;
  role: Role;
  /** For rights holders: whose data the token sees. */
  subject?: string;
}

export interface Principal {
  role: Role;
  subject?: string;
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

export class TokenRegistry {
  private readonly entries: TokenEntry[] = [];

  add(token: string, role: Role, subject?: string): void {
    const entry: TokenEntry = { digest: digest(token), role };
    if (subject !== undefined) entry.subject = subject;
    this.entries.push(entry);
  }

  hasRole(role: Role): boolean {
    return this.entries.some((e) => e.role === role);
  }

  /** The token's principal, or undefined when the header carries no known token. */
  /** Adds `name:token` entries (a bare token gets a name from its hash). */
  addNamed(entry: string, role: Role): void {
    const colon = entry.indexOf(':');
    const token = colon >= 0 ? entry.slice(colon + 1) : entry;
    const name = colon >= 0 ? entry.slice(0, colon) : `${role}-${digest(token).toString('hex').slice(0, 8)}`;
    this.add(token, role, name);
  }

  identify(authorization: string): Principal | undefined {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match?.[1]) return undefined;
    const presented = digest(match[1]);
    let found: TokenEntry | undefined;
    // Every entry is compared, so the time taken does not reveal which one matched.
    for (const entry of this.entries) if (timingSafeEqual(entry.digest, presented)) found ??= entry;
    if (!found) return undefined;
    return found.subject !== undefined ? { role: found.role, subject: found.subject } : { role: found.role };
  }

  /**
   * Checks that the request may act in one of `roles`; admin may act in every role.
   * Throws 401 for no or unknown token and 403 for a known token of another role.
   */
  require(authorization: string, roles: readonly Role[]): Principal {
    const principal = this.identify(authorization);
    if (!principal) {
      throw new GateError('GATE_ERR_UNAUTHORIZED', authorization === '' ? 'this endpoint needs `authorization: Bearer <token>`' : 'unknown token');
    }
    if (principal.role !== 'admin' && !roles.includes(principal.role)) {
      throw new GateError('GATE_ERR_FORBIDDEN', `a ${principal.role} token may not call this endpoint (needs ${roles.join(' or ')})`);
    }
    return principal;
  }
}
