import { MetricsRegistry, type Counter, type Histogram } from './metrics.js';

/** The gate's own metrics; gauges over other parts are registered by main.ts. */
export interface GateMetrics {
  registry: MetricsRegistry;
  checks: Counter;
  checkSeconds: Histogram;
  degraded: Counter;
  reviewsQueued: Counter;
  httpErrors: Counter;
  packSwaps: Counter;
  packRejected: Counter;
  authFailures: Counter;
}

export function createGateMetrics(): GateMetrics {
  const registry = new MetricsRegistry();
  return {
    registry,
    checks: registry.counter('gate_checks_total', 'Listings checked, by verdict.'),
    checkSeconds: registry.histogram('gate_check_duration_seconds', 'Time to answer POST /v1/check, from body received to response written.', [
      0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5,
    ]),
    degraded: registry.counter('gate_degraded_total', 'Verdicts given without a signal that could not be computed in time, by signal.'),
    reviewsQueued: registry.counter('gate_review_items_total', 'Review items appended to the queue (not counting repeats of the same content).'),
    httpErrors: registry.counter('gate_http_errors_total', 'Error responses, by code.'),
    packSwaps: registry.counter('gate_pack_swaps_total', 'Packs made live.'),
    packRejected: registry.counter('gate_pack_rejected_total', 'Packs refused by validation or compilation.'),
    authFailures: registry.counter('gate_auth_failures_total', 'Requests refused for a missing, unknown or under-privileged token, by route.'),
  };
}
