import { childrenOf, MetricsRegistry, type Counter, type Histogram } from './metrics.js';
import type { StreamMetrics } from '../stream/stream-counters.js';

/**
 * The gate's own metrics; gauges over other parts are registered by main.ts. The
 * histograms a check observes are their (label-less) children, made once: a
 * prom-client `observe(value)` on the histogram itself makes a closure per call.
 */
export interface GateMetrics extends StreamMetrics {
  registry: MetricsRegistry;
  checks: Counter;
  checkSeconds: Histogram.Internal<string>;
  matchingSeconds: Histogram.Internal<string>;
  reviewQueueSeconds: Histogram.Internal<string>;
  lateChecks: Counter;
  degraded: Counter;
  shed: Counter;
  refusalSeconds: Histogram.Internal<string>;
  reviewsQueued: Counter;
  httpErrors: Counter;
  packSwaps: Counter;
  packRejected: Counter;
  packBuilds: Counter;
  authFailures: Counter;
  reviewDecisions: Counter;
  reviewClaims: Counter;
  qaSampled: Counter;
  webhooksDelivered: Counter;
  webhooksFailed: Counter;
  webhooksDeadLettered: Counter;
  /** Cached children of the counters a check increments, by their one label's value. */
  checksBy: (verdict: string) => Counter.Internal;
  degradedBy: (signal: string) => Counter.Internal;
  shedBy: (mode: string) => Counter.Internal;
  httpErrorsBy: (code: string) => Counter.Internal;
}

export function createGateMetrics(): GateMetrics {
  const registry = new MetricsRegistry();
  const metrics = {
    registry,
    checks: registry.counter('gate_checks_total', 'Listings checked, by verdict.', ['verdict']),
    checkSeconds: registry
      .histogram(
        'gate_check_duration_seconds',
        'Time to answer POST /v1/check, from body received to response written.',
        [0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5],
      )
      .labels(),
    // The two waits of a check on other threads and processes, which grow when the
    // machine's cores are taken: the matching pool's round trip, and a review item's
    // write to Redis (which Redis fsyncs before it answers).
    matchingSeconds: registry
      .histogram(
        'gate_check_matching_seconds',
        "Time from a check's arrival to its listing matched by the pool: what the adaptive admission bound follows (GATE_ADMISSION_TARGET_MS).",
        [0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.003, 0.005, 0.01, 0.02, 0.05],
      )
      .labels(),
    reviewQueueSeconds: registry
      .histogram(
        'gate_review_queue_wait_seconds',
        'Time a review verdict waited for its item to be written to Redis and fsynced (or, when Redis did not take it in time, spooled to local disk) before the answer.',
        [0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.003, 0.005, 0.01, 0.02, 0.05],
      )
      .labels(),
    lateChecks: registry.counter(
      'gate_checks_late_total',
      'Checks answered more than 2 ms after their deadline (x-deadline-ms), counted from the moment the request arrived.',
    ),
    degraded: registry.counter('gate_degraded_total', 'Verdicts given without a signal that could not be computed in time, by signal.', ['signal']),
    shed: registry.counter('gate_shed_total', 'Checks shed because the matching pool was full, by how they were answered (review or 503).', ['mode']),
    refusalSeconds: registry
      .histogram(
        'gate_refusal_duration_seconds',
        "Time from a request's arrival at the gate to its overload refusal (503 + retry-after) being written: most are refused before their body is read.",
        [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.05],
      )
      .labels(),
    reviewsQueued: registry.counter('gate_review_items_total', 'Review items appended to the queue (not counting repeats of the same content).'),
    httpErrors: registry.counter('gate_http_errors_total', 'Error responses, by code.', ['code']),
    packSwaps: registry.counter('gate_pack_swaps_total', 'Packs made live.'),
    packRejected: registry.counter('gate_pack_rejected_total', 'Packs refused by validation or compilation.'),
    packBuilds: registry.counter(
      'gate_pack_builds_total',
      'Packs readied to go live or judge a rollout, by how: compiled, database-cache (the compiled database was in the shared cache), memory (a pack this instance had built before: a rollback or rollout).',
      ['how'],
    ),
    authFailures: registry.counter('gate_auth_failures_total', 'Requests refused for a missing, unknown or under-privileged token, by route.', ['route']),
    reviewDecisions: registry.counter(
      'gate_review_decisions_total',
      'Reviewer decisions applied, by decision and by what queued the item (gate, qa, ...). QA items decided block are allows the gate missed.',
      ['decision', 'source'],
    ),
    reviewClaims: registry.counter('gate_review_claims_total', 'Items handed to reviewers.'),
    qaSampled: registry.counter('gate_qa_sampled_total', 'Allow verdicts sampled into the QA review queue.'),
    webhooksDelivered: registry.counter('gate_webhooks_delivered_total', 'Webhook events delivered (2xx).'),
    webhooksFailed: registry.counter('gate_webhook_attempts_failed_total', 'Webhook delivery attempts that failed (retried until GATE_WEBHOOK_MAX_ATTEMPTS).'),
    webhooksDeadLettered: registry.counter(
      'gate_webhooks_dead_lettered_total',
      'Webhook events moved to the dead letters after GATE_WEBHOOK_MAX_ATTEMPTS failed attempts.',
    ),
    streamConnections: registry.counter('gate_stream_connections_total', 'Check socket connections opened (GET /v1/check/stream).'),
    streamClosed: registry.counter(
      'gate_stream_closed_total',
      'Check socket connections closed, by close code (1000/1005 the client, 1001 draining, 1006 gone, 1008 a message without a usable seq, 1009 a message too large, 1011 an answer dropped, 1013 over the bounds).',
      ['code'],
    ),
    streamMessages: registry.counter('gate_stream_messages_total', 'Messages received on check sockets.'),
    streamUpgradesRefused: registry.counter(
      'gate_stream_upgrades_refused_total',
      'Check socket upgrades refused (503) because their listener held GATE_STREAM_CONNECTIONS sockets already.',
    ),
    streamAnswers: registry.counter('gate_stream_answers_total', 'Answers sent on check sockets: a check response, or an error by its code.', [
      'outcome',
      'code',
    ]),
    streamHeld: registry.counter(
      'gate_stream_held_total',
      'Check socket messages that waited unchecked, by reason: their connection had GATE_STREAM_IN_FLIGHT checks running (in_flight), or uWS held over GATE_STREAM_BUFFER_BYTES of answers its client had not read (unread), or their check thread had worked GATE_THREAD_TURN_MS without a pause (turn).',
      ['reason'],
    ),
  };
  return {
    ...metrics,
    checksBy: childrenOf(metrics.checks),
    degradedBy: childrenOf(metrics.degraded),
    shedBy: childrenOf(metrics.shed),
    httpErrorsBy: childrenOf(metrics.httpErrors),
  };
}
