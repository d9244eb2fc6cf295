// The bound on checks in flight, adaptive or fixed, and how many are in flight now.
import type { MetricsRegistry } from '../observability/metrics.js';
import type { AdmissionLimit } from './admission-limit.js';
import type { CheckService } from './check-service.js';

export interface AdmissionParts {
  /** Absent when GATE_ADMISSION_TARGET_MS is 0: the bound is GATE_MAX_CHECKS_IN_FLIGHT. */
  admissionLimit: Pick<AdmissionLimit, 'limit' | 'decreases'> | undefined;
  maxChecksInFlight: number;
  checks: Pick<CheckService, 'checksInFlight'>;
}

export function registerAdmissionMetrics(registry: MetricsRegistry, parts: AdmissionParts): void {
  const { admissionLimit, maxChecksInFlight, checks } = parts;
  registry.gauge(
    'gate_admission_limit',
    'Checks in flight admitted now: the adaptive bound (GATE_ADMISSION_TARGET_MS) within GATE_MAX_CHECKS_IN_FLIGHT.',
    () => admissionLimit?.limit ?? maxChecksInFlight,
  );
  registry.countedBy(
    'gate_admission_limit_decreases_total',
    'Times the adaptive bound on checks in flight shrank because matching took longer than GATE_ADMISSION_TARGET_MS.',
    () => admissionLimit?.decreases ?? 0,
  );
  registry.gauge('gate_checks_in_flight', 'Checks admitted and not answered yet (GATE_MAX_CHECKS_IN_FLIGHT bounds them).', () => checks.checksInFlight);
}
