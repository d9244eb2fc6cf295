// The fingerprint banks' figures: entries, the last rebuild, the shared memory of their indexes.
import type { MetricsRegistry } from '../observability/metrics.js';
import type { FingerprintBank } from './fingerprint-bank.js';
import { FINGERPRINT_KINDS } from './fingerprint-kind.js';

export function registerFingerprintMetrics(registry: MetricsRegistry, fingerprints: Pick<FingerprintBank, 'size' | 'lastRebuildMs'>): void {
  registry.gauge(
    'gate_fingerprint_bank_entries',
    'Entries in each fingerprint bank.',
    () => FINGERPRINT_KINDS.map((kind) => ({ labels: { bank: kind }, value: fingerprints.size(kind) })),
    ['bank'],
  );
  registry.gauge('gate_fingerprint_rebuild_seconds', 'Time the last fingerprint index rebuild took.', () => fingerprints.lastRebuildMs / 1000);
}

/** Registered apart from the others: /metrics lists it among the memory figures. */
export function registerFingerprintMemoryMetrics(registry: MetricsRegistry, fingerprints: Pick<FingerprintBank, 'current'>): void {
  registry.gauge('gate_fingerprint_index_bytes', 'Shared memory held by the fingerprint indexes.', () => fingerprints.current.shared.arrays.buffer.byteLength);
}
