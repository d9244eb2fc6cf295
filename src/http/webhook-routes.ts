// The admin's webhook dead letters (issue 27, point 5): events whose attempts
// ran out (GATE_WEBHOOK_MAX_ATTEMPTS), listed oldest first; each redelivered
// (back to the outbox, same event id, attempts from zero) or dropped, audited.
import type { RouteRegistrar } from './route-table.js';
import type { AuditLog } from '../audit/audit-log.js';
import { GateError } from '../errors/gate-error.js';
import type { WebhookDeadLetters } from '../webhook/webhook-dead-letters.js';
import { route, type RouteOptions } from './route-handler.js';

export interface WebhookRouteParts {
  deadLetters: WebhookDeadLetters;
  /** False without GATE_WEBHOOK_URL: a redelivered event would wait for no dispatcher. */
  delivering: boolean;
  audit: AuditLog;
}

export const WEBHOOK_DEAD_LETTERS_PATH = '/v1/admin/webhooks/dead-letters';

function deadLetterId(raw: string | undefined, field: 'id' | 'after'): string {
  const id = raw ?? '';
  if (!/^\d{1,20}-\d{1,20}$/.test(id))
    throw new GateError('GATE_ERR_INVALID_FIELD', `${field} must be a dead letter's id as the list gives it (<ms>-<seq>)`, { field });
  return id;
}

export function registerWebhookRoutes(app: RouteRegistrar, p: WebhookRouteParts, options: (extra?: Partial<RouteOptions>) => RouteOptions): void {
  const admin = { auth: { roles: ['admin'], name: 'admin' } } as const;
  app.get(
    WEBHOOK_DEAD_LETTERS_PATH,
    route(options(admin), async ({ head }) => {
      const query = new URLSearchParams(head.query);
      const count = Math.min(1000, Math.max(1, Number(query.get('count') ?? 100) || 100));
      const after = query.get('after');
      return p.deadLetters.list(after === null ? undefined : deadLetterId(after, 'after'), count);
    }),
  );
  app.post(
    `${WEBHOOK_DEAD_LETTERS_PATH}/:id/redeliver`,
    route(options({ ...admin, paramCount: 1 }), async ({ head }) => {
      const id = deadLetterId(head.params[0], 'id');
      if (!p.delivering) throw new GateError('GATE_ERR_CONFLICT', 'no webhook is configured (GATE_WEBHOOK_URL): a redelivered event would not be sent');
      const outboxId = await p.deadLetters.redeliver(id);
      if (outboxId === undefined) throw new GateError('GATE_ERR_NOT_FOUND', `no webhook dead letter ${id}`, { field: 'id' });
      await p.audit.record({ who: 'admin', what: 'webhook:redeliver', subject: id, details: { outboxId } });
      return { id, redelivered: true, outboxId };
    }),
  );
  app.del(
    `${WEBHOOK_DEAD_LETTERS_PATH}/:id`,
    route(options({ ...admin, paramCount: 1 }), async ({ head }) => {
      const id = deadLetterId(head.params[0], 'id');
      if (!(await p.deadLetters.drop(id))) throw new GateError('GATE_ERR_NOT_FOUND', `no webhook dead letter ${id}`, { field: 'id' });
      await p.audit.record({ who: 'admin', what: 'webhook:drop', subject: id });
      return { id, dropped: true };
    }),
  );
}
