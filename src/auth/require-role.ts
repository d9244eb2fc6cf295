// The one role check every route uses: refusals are counted and logged (never the
// token itself), and an admin API without an admin token configured is refused.
import { GateError } from '../errors/gate-error.js';
import type { Counter } from '../observability/metrics.js';
import type { Principal, Role, TokenRegistry } from './token-registry.js';

export interface RoleCheck {
  tokens: TokenRegistry;
  authFailures: Counter;
  log: (message: string) => void;
}

export function requireRole(check: RoleCheck, authorization: string, roles: readonly Role[], route: string): Principal {
  if (roles.includes('admin') && roles.length === 1 && !check.tokens.hasRole('admin')) {
    check.authFailures.inc({ route });
    throw new GateError('GATE_ERR_FORBIDDEN', 'the admin API is disabled: start the gate with GATE_ADMIN_TOKEN set');
  }
  try {
    return check.tokens.require(authorization, roles);
  } catch (error) {
    check.authFailures.inc({ route });
    check.log(`${route} call refused: ${(error as Error).message}`);
    throw error;
  }
}
