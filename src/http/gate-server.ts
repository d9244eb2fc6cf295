// The gate's HTTP surface on uWebSockets.js (contract sections 1, 2 and 4).
import uWS from '@trufflesuite/uws-js-unofficial';
import type { TokenRegistry } from '../auth/token-registry.js';
import { AuthFailureLimiter } from '../auth/auth-failure-limiter.js';
import type { RoleCheck } from '../auth/require-role.js';
import { ThrottledLog } from '../observability/throttled-log.js';
import { GateError } from '../errors/gate-error.js';
import type { CheckService } from '../gate/check-service.js';
import { checkRequestOf, deadlineOf } from './check-input.js';
import { invalidFieldsError } from '../validation/invalid-fields-error.js';
import type { SellerCheckService } from '../gate/seller-check-service.js';
import { validateSellerCheck } from '../gate/seller-check.js';
import type { ReportDesk } from '../reports/report-desk.js';
import { checkString } from '../validation/field-issues.js';
import type { BlocklistStore } from '../lists/blocklist-store.js';
import type { FingerprintBank } from '../fingerprint/fingerprint-bank.js';
import type { GateMetrics } from '../observability/gate-metrics.js';
import type { LivePack } from '../pack/live-pack.js';
import type { PackManager } from '../pack/pack-manager.js';
import { FieldIssues, isPlainObject } from '../validation/field-issues.js';
import { route, toGateError, type RouteOptions } from './route-handler.js';
import { send, sendError } from './respond.js';
import { RouteTable, type RegisteredRoute } from './route-table.js';
import { registerReviewRoutes, type ReviewRouteParts } from './review-routes.js';
import { registerRightsHolderRoutes, type RightsHolderRouteParts } from './rights-holder-routes.js';
import { registerEnforcementRoutes, type EnforcementRouteParts } from './enforcement-routes.js';
import { registerReviewPageRoutes, type ReviewPageParts } from './review-page-routes.js';
import { registerPolicyPageRoutes } from './policy-page-routes.js';
import { registerErasureRoutes, type ErasureRouteParts } from './erasure-routes.js';
import { registerOpenApiRoutes } from './openapi-routes.js';
import { registerPackRoutes } from './pack-routes.js';
import { registerListRoutes } from './list-routes.js';
import { registerFingerprintRoutes } from './fingerprint-routes.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { StreamLimits } from '../stream/stream-connection.js';
import { metricCounters } from '../stream/stream-counters.js';
import { authorizeUpgrade, DRAIN_ANSWER_MARGIN_MS, registerCheckStream, STREAM_PATH, type CheckStreamRoute } from '../stream/stream-route.js';
import { registerRecheckRoutes, type RecheckRouteParts } from './recheck-routes.js';
import { registerWebhookRoutes, type WebhookRouteParts } from './webhook-routes.js';
import { registerPolicyRoutes, type PolicyRouteParts } from './policy-routes.js';
import type { GateLog } from '../observability/gate-logger.js';

export interface GateServerParts {
  checks: CheckService;
  sellerChecks: SellerCheckService;
  reports: ReportDesk;
  livePack: LivePack;
  packs: PackManager;
  lists: BlocklistStore;
  fingerprints: FingerprintBank;
  audit: AuditLog;
  review: Omit<ReviewRouteParts, 'tokens' | 'metrics' | 'log' | 'audit'>;
  rightsHolder: Omit<RightsHolderRouteParts, 'tokens' | 'metrics' | 'log' | 'audit'>;
  enforcement: Omit<EnforcementRouteParts, 'tokens' | 'metrics' | 'log' | 'audit'>;
  reviewPage: Omit<ReviewPageParts, 'tokens' | 'metrics' | 'log'>;
  rechecks: Omit<RecheckRouteParts, 'audit'>;
  erasure: Omit<ErasureRouteParts, 'audit'>;
  webhooks: Omit<WebhookRouteParts, 'audit'>;
  policy: Omit<PolicyRouteParts, 'livePack' | 'packs' | 'audit' | 'log' | 'packUpload'>;
  tokens: TokenRegistry;
  metrics: GateMetrics;
  /** True while Redis answers. */
  redisReady: () => boolean;
  /** The check threads, when they take the checks: ready once each has the live pack and matched a warm-up listing. */
  checkThreads?: {
    readonly ready: boolean;
    readonly readyCount: number;
    readonly count: number;
    readonly forwardSecret: string;
    settle(): Promise<void>;
    refuse(key: string, untilEpochMs: number): void;
  };
  maxBodyBytes: number;
  /** Where an admin's pack upload is written as it arrives (a new path per call). */
  packUploadPath: () => string;
  /** Failed authentications an address or token may make in a minute before it is refused with 429. */
  authFailureLimit: number;
  defaultDeadlineMs: number;
  /** Bounds of each check socket connection. */
  stream: StreamLimits;
  log: GateLog;
  /** Set when check threads forward to this server: their `x-gate-peer` then names the caller. Default: unset. */
  forwardSecret?: string;
}

/** An uploaded pack may be this large, whatever GATE_MAX_BODY_BYTES says. */
const MAX_PACK_UPLOAD_BYTES = 512 * 1024 * 1024;

export class GateServer {
  private listenSocket: uWS.us_listen_socket | undefined;
  readonly inFlight = { count: 0 };
  port = 0;
  draining = false;

  private readonly roleCheck: RoleCheck;
  /** The one limiter of failed authentications (check threads follow its refusals). */
  private readonly authLimiter: AuthFailureLimiter;
  private stream: CheckStreamRoute | undefined;
  private table: RouteTable | undefined;

  constructor(private readonly parts: GateServerParts) {
    this.authLimiter = new AuthFailureLimiter({ maxFailures: parts.authFailureLimit });
    const threads = parts.checkThreads;
    if (threads) this.authLimiter.onRefused = (key, until) => threads.refuse(key, until);
    this.roleCheck = {
      tokens: parts.tokens,
      authFailures: parts.metrics.authFailures,
      limiter: this.authLimiter,
      log: new ThrottledLog(parts.log),
    };
  }

  private options(extra: Partial<RouteOptions> = {}): RouteOptions {
    const threads = this.parts.checkThreads;
    const settle = threads ? () => threads.settle() : undefined;
    return {
      maxBodyBytes: this.parts.maxBodyBytes,
      metrics: this.parts.metrics,
      log: this.parts.log,
      inFlight: this.inFlight,
      roleCheck: this.roleCheck,
      settle,
      forwardSecret: this.parts.forwardSecret ?? threads?.forwardSecret,
      ...extra,
    };
  }

  /** The routes the server registered (known once it listens). */
  get routes(): readonly RegisteredRoute[] {
    return this.table?.routes ?? [];
  }

  private build(): uWS.TemplatedApp {
    const p = this.parts;
    const app = new RouteTable(uWS.App());
    this.table = app;
    const publisher = { roles: ['publisher'], name: 'check', enforced: () => p.tokens.hasRole('publisher') } as const;
    const body = this.options({ readsBody: true, auth: publisher });
    const packUpload = { path: p.packUploadPath, maxBytes: Math.max(p.maxBodyBytes, MAX_PACK_UPLOAD_BYTES) };

    app.get(
      '/healthz',
      route(this.options(), () => ({ status: 'ok', pid: process.pid })),
    );
    app.get(
      '/readyz',
      route(this.options(), ({ res, state }) => {
        const pack = p.livePack.current;
        const threads = p.checkThreads;
        const ready = pack !== undefined && p.redisReady() && !this.draining && (threads?.ready ?? true);
        const status: Record<string, unknown> = { ready, pack: pack?.pack.packVersion ?? null, redis: p.redisReady() ? 'up' : 'down', draining: this.draining };
        if (threads) status.checkThreads = `${threads.readyCount} of ${threads.count} ready`;
        send(res, state, ready ? 200 : 503, JSON.stringify(status), 'application/json');
        return undefined;
      }),
    );
    app.get(
      '/metrics',
      // prom-client renders asynchronously: route() has set onAborted, and send() corks the answer or drops it if the client left.
      route(this.options({ auth: { roles: ['metrics'], name: 'metrics', enforced: () => p.tokens.hasRole('metrics') } }), async ({ res, state }) => {
        const text = await p.metrics.registry.metrics();
        send(res, state, 200, text, p.metrics.registry.contentType);
        return undefined;
      }),
    );

    app.post(
      '/v1/check',
      route({ ...body, admit: () => p.checks.admit() }, async ({ head, body: raw, startedAt, timing }) => {
        if (this.draining) throw new GateError('GATE_ERR_OVERLOADED', 'the gate is shutting down');
        const deadlineMs = deadlineOf(head.deadlineMs, p.defaultDeadlineMs);
        return p.checks.check(checkRequestOf(raw), startedAt, deadlineMs, undefined, timing);
      }),
    );

    const toError = (error: unknown): GateError => toGateError(error, p.log);
    // With check threads the sockets are theirs; this App's listener is on loopback, for what they forward.
    this.stream = registerCheckStream(app, {
      // No draining check here: what a socket accepted before the drain is still checked; the socket refuses what comes after.
      check: async (request, startedAt, deadlineMs) => {
        const release = p.checks.admit();
        try {
          return await p.checks.check(request, startedAt, deadlineMs);
        } finally {
          release();
        }
      },
      limits: p.stream,
      defaultDeadlineMs: p.defaultDeadlineMs,
      maxBodyBytes: p.maxBodyBytes,
      counters: metricCounters(p.metrics),
      pending: this.inFlight,
      toGateError: toError,
      admitUpgrade: (res, req) =>
        authorizeUpgrade(
          {
            roleCheck: this.roleCheck,
            enforced: publisher.enforced,
            forwardSecret: this.parts.forwardSecret ?? p.checkThreads?.forwardSecret,
            httpErrors: p.metrics.httpErrors,
            toGateError: toError,
          },
          res,
          req,
        ),
    });
    // A GET that asks for no upgrade (or one a check thread forwarded, its token unknown): the token is checked, as for the socket.
    app.get(
      STREAM_PATH,
      route(this.options({ auth: publisher }), () => {
        throw new GateError('GATE_ERR_UPGRADE_REQUIRED', `${STREAM_PATH} is a WebSocket: send upgrade: websocket`, { field: 'upgrade' });
      }),
    );

    app.post(
      '/v1/check/seller',
      route(body, async ({ head, body: raw, startedAt }) => {
        if (this.draining) throw new GateError('GATE_ERR_OVERLOADED', 'the gate is shutting down');
        const deadlineMs = deadlineOf(head.deadlineMs, p.defaultDeadlineMs);
        const validation = validateSellerCheck(raw);
        if (!validation.ok) throw invalidFieldsError(validation.issues, { details: true });
        return p.sellerChecks.check(validation.request, startedAt, deadlineMs);
      }),
    );
    app.post(
      '/v1/reports',
      route(this.options({ readsBody: true, auth: { ...publisher, name: 'report' } }), async ({ body: raw }) => {
        const issues = new FieldIssues();
        if (!isPlainObject(raw))
          throw new GateError('GATE_ERR_INVALID_FIELD', 'body must be an object { "listingId", "reporterId", "reason", "evidence"? }', { field: 'body' });
        const listingId = checkString(issues, 'listingId', raw.listingId, { min: 1, max: 128, required: true });
        const reporterId = checkString(issues, 'reporterId', raw.reporterId, { min: 1, max: 128, required: true });
        const reason = checkString(issues, 'reason', raw.reason, { min: 1, max: 500, required: true });
        const evidence = checkString(issues, 'evidence', raw.evidence, { max: 5000 });
        if (!issues.empty || listingId === undefined || reporterId === undefined || reason === undefined) throw invalidFieldsError(issues.list);
        return p.reports.file(listingId, reporterId, reason, evidence);
      }),
    );

    const rechecks = { rechecks: p.rechecks.rechecks, redisPrefix: p.rechecks.redisPrefix };
    registerPackRoutes(app, { livePack: p.livePack, packs: p.packs, audit: p.audit, ...rechecks, packUpload, log: p.log }, (extra) => this.options(extra));
    registerListRoutes(app, { lists: p.lists, changes: p.review.changes, rings: p.enforcement.rings, audit: p.audit, ...rechecks, log: p.log }, (extra) =>
      this.options(extra),
    );
    registerReviewRoutes(app, { ...p.review, audit: p.audit, tokens: p.tokens, metrics: p.metrics, log: p.log }, (extra) => this.options(extra));
    registerRightsHolderRoutes(app, { ...p.rightsHolder, audit: p.audit, tokens: p.tokens, metrics: p.metrics, log: p.log }, (extra) => this.options(extra));
    registerEnforcementRoutes(app, { ...p.enforcement, audit: p.audit, tokens: p.tokens, metrics: p.metrics, log: p.log }, (extra) => this.options(extra));
    registerReviewPageRoutes(app, { ...p.reviewPage, tokens: p.tokens, metrics: p.metrics, log: p.log }, (extra) => this.options(extra));
    registerPolicyPageRoutes(app, (extra) => this.options(extra));
    registerRecheckRoutes(app, { ...p.rechecks, audit: p.audit }, (extra) => this.options(extra));
    registerErasureRoutes(app, { ...p.erasure, audit: p.audit }, (extra) => this.options(extra));
    registerWebhookRoutes(app, { ...p.webhooks, audit: p.audit }, (extra) => this.options(extra));
    registerPolicyRoutes(app, { ...p.policy, livePack: p.livePack, packs: p.packs, packUpload, audit: p.audit, log: p.log }, (extra) => this.options(extra));
    registerOpenApiRoutes(app, (extra) => this.options(extra));
    registerFingerprintRoutes(app, { fingerprints: p.fingerprints, audit: p.audit, ...rechecks }, (extra) => this.options(extra));

    app.fallback(
      route(this.options(), ({ head, res, state }) => {
        const known = app.hasPath(head.url);
        const error = known
          ? new GateError('GATE_ERR_METHOD_NOT_ALLOWED', `${head.method.toUpperCase()} is not allowed on ${head.url}`)
          : new GateError('GATE_ERR_NOT_FOUND', `no route ${head.method.toUpperCase()} ${head.url}`);
        p.metrics.httpErrorsBy(error.code).inc();
        sendError(res, state, error, head.accept);
        return undefined;
      }),
    );
    return app.app;
  }

  listen(host: string, port: number): Promise<number> {
    const app = this.build();
    return new Promise((resolve, reject) => {
      app.listen(host, port, (socket) => {
        if (!socket) {
          reject(new Error(`cannot listen on ${host}:${port} (in use?)`));
          return;
        }
        this.listenSocket = socket;
        this.port = uWS.us_socket_local_port(socket as unknown as uWS.us_socket);
        resolve(this.port);
      });
    });
  }

  /** Stops accepting connections and waits (up to `timeoutMs`) for requests in flight and for check sockets to close. */
  async drain(timeoutMs = 10_000): Promise<void> {
    this.draining = true;
    if (this.listenSocket) uWS.us_listen_socket_close(this.listenSocket);
    this.listenSocket = undefined;
    const stream = this.stream;
    stream?.drain();
    const until = Date.now() + timeoutMs;
    let abandoned = false;
    while ((this.inFlight.count > 0 || (stream?.connections ?? 0) > 0) && Date.now() < until) {
      if (!abandoned && Date.now() >= until - DRAIN_ANSWER_MARGIN_MS) {
        abandoned = true;
        stream?.abandon();
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}
