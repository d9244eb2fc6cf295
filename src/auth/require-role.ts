// The one role check every route uses, made from the request's headers before a
// byte of its body is read: refusals are counted and logged with their source
// (never the token itself), sources and tokens that keep failing are refused with
// 429 for a while, and an admin API without an admin token configured is refused.
import { createHash } from 'node:crypto';
import { GateError } from '../errors/gate-error.js';
import type { ThrottledLog } from '../observability/throttled-log.js';
import type { AuthFailureLimiter } from './auth-failure-limiter.js';
import type { Principal, Role, TokenRegistry } from './token-registry.js';

export interface RoleCheck {
  tokens: TokenRegistry;
  authFailures: { inc(labels: { route: string }): void };
  limiter: Pick<AuthFailureLimiter, 'tracking' | 'refusedFor' | 'failed'>;
  log: ThrottledLog;
}

function tokenKey(authorization: string): string {
  return `token:${createHash('sha256').update(authorization).digest('base64url').slice(0, 22)}`;
}

/** `source` gives the caller's address; it is asked only when something failed lately. */
export function requireRole(check: RoleCheck, authorization: string, roles: readonly Role[], route: string, source: () => string): Principal {
  if (roles.includes('admin') && roles.length === 1 && !check.tokens.hasRole('admin')) {
    check.authFailures.inc({ route });
    throw new GateError('GATE_ERR_FORBIDDEN', 'the admin API is disabled: start the gate with GATE_ADMIN_TOKEN set');
  }
  let address: string | undefined;
  if (check.limiter.tracking) {
    address = source();
    const wait = Math.max(check.limiter.refusedFor(`ip:${address}`), authorization === '' ? 0 : check.limiter.refusedFor(tokenKey(authorization)));
    if (wait > 0) {
      check.authFailures.inc({ route });
      check.log.note('auth-limited', `${route} call from ${address} refused: too many failed authentications, for ${wait} s`, { route, address });
      throw new GateError('GATE_ERR_RATE_LIMITED', 'too many failed authentications from this address or with this token; retry after `retry-after` seconds', {
        details: { retryAfterSeconds: wait },
      });
    }
  }
  try {
    return check.tokens.require(authorization, roles);
  } catch (error) {
    address ??= source();
    check.authFailures.inc({ route });
    // Only unknown tokens count towards the limit: a known token of another role is a mistake, not a guess.
    if (error instanceof GateError && error.code === 'GATE_ERR_UNAUTHORIZED') {
      check.limiter.failed(`ip:${address}`);
      if (authorization !== '') check.limiter.failed(tokenKey(authorization));
    }
    check.log.note(`auth:${route}`, `${route} call from ${address} refused: ${(error as Error).message}`, { route, address });
    throw error;
  }
}
