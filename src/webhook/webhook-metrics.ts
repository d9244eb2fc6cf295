// The webhook dispatcher's figure: events waiting in the dead letters for an admin.
import type { MetricsRegistry } from '../observability/metrics.js';
import type { WebhookDispatcher } from './webhook-dispatcher.js';

export function registerWebhookDispatcherMetrics(registry: MetricsRegistry, dispatcher: Pick<WebhookDispatcher, 'deadLetterCount'>): void {
  registry.gauge(
    'gate_webhook_dead_letters',
    'Webhook events in the dead letters now, waiting for an admin to redeliver or drop them (counted every second).',
    () => dispatcher.deadLetterCount,
  );
}
