// The admin's re-check jobs (docs/rechecks.md): start one over a stream of
// listings or an NDJSON upload (202 with its id), read one, list them, pause,
// resume or cancel one.
import type { RouteRegistrar } from './route-table.js';
import type { AuditLog } from '../audit/audit-log.js';
import { GateError } from '../errors/gate-error.js';
import type { Rechecks } from '../recheck/rechecks.js';
import { onlyChangedOfQuery, recheckStartOf } from '../recheck/recheck-start.js';
import type { StateAction } from '../recheck/recheck-store.js';
import { sendData } from './respond.js';
import { route, UploadedFile, type RouteOptions } from './route-handler.js';

export interface RecheckRouteParts {
  rechecks: Rechecks;
  audit: AuditLog;
  /** GATE_REDIS_PREFIX: a source stream must be under it. */
  redisPrefix: string;
  /** Where an upload is written as it arrives (a new path per call). */
  uploadPath: () => string;
  maxUploadBytes: number;
}

export const RECHECKS_PATH = '/v1/admin/rechecks';
export const NDJSON_TYPES = ['application/x-ndjson', 'application/ndjson', 'application/jsonl'];
const ACTIONS: readonly StateAction[] = ['pause', 'resume', 'cancel'];

export function registerRecheckRoutes(app: RouteRegistrar, p: RecheckRouteParts, options: (extra?: Partial<RouteOptions>) => RouteOptions): void {
  const admin = { auth: { roles: ['admin'], name: 'admin' } } as const;

  app.post(
    RECHECKS_PATH,
    route(
      options({ ...admin, readsBody: true, upload: { mediaTypes: NDJSON_TYPES, path: p.uploadPath, maxBytes: p.maxUploadBytes } }),
      async ({ head, body, res, state }) => {
        let started: { id: string; total: number };
        if (body instanceof UploadedFile) {
          started = await p.rechecks.startOverUpload(body, onlyChangedOfQuery(head.query));
          await p.audit.record({ who: 'admin', what: 'recheck:start', subject: started.id, details: { source: 'upload', total: started.total } });
        } else {
          const source = recheckStartOf(body, p.redisPrefix);
          started = await p.rechecks.startOverStream(source);
          await p.audit.record({ who: 'admin', what: 'recheck:start', subject: started.id, details: { source: source.stream, total: started.total } });
        }
        sendData(res, state, 202, started, head.accept);
        return undefined;
      },
    ),
  );
  app.get(
    RECHECKS_PATH,
    route(options(admin), async () => ({ jobs: await p.rechecks.list() })),
  );
  app.get(
    `${RECHECKS_PATH}/:id`,
    route(options({ ...admin, paramCount: 1 }), ({ head }) => p.rechecks.get(head.params[0] ?? '')),
  );
  app.post(
    `${RECHECKS_PATH}/:id/:action`,
    route(options({ ...admin, paramCount: 2 }), async ({ head }) => {
      const [id = '', action = ''] = head.params;
      if (!(ACTIONS as readonly string[]).includes(action))
        throw new GateError('GATE_ERR_NOT_FOUND', `no action "${action}" on a re-check job; actions are ${ACTIONS.join(', ')}`, { field: 'action' });
      const view = await p.rechecks.setState(id, action as StateAction);
      await p.audit.record({ who: 'admin', what: `recheck:${action}`, subject: id });
      return view;
    }),
  );
}
