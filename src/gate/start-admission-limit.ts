// The adaptive bound on checks in flight as the gate runs it: with its own 1 ms
// event-loop delay probe, read and reset once per window of the bound.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { AdmissionLimit } from './admission-limit.js';

export interface AdmissionSettings {
  /** GATE_MAX_CHECKS_IN_FLIGHT. */
  maxChecksInFlight: number;
  /** GATE_ADMISSION_TARGET_MS; 0: no adaptive bound. */
  admissionTargetMs: number;
  /** GATE_ADMISSION_LOOP_DELAY_MS; 0: the event loop's delay is not watched. */
  admissionLoopDelayMs: number;
}

/** The bound, and what stops its probe; none when the target is 0. */
export function startAdmissionLimit(settings: AdmissionSettings): { limit: AdmissionLimit; stop: () => void } | undefined {
  if (settings.admissionTargetMs <= 0) return undefined;
  const probe = monitorEventLoopDelay({ resolution: 1 });
  probe.enable();
  const limit = new AdmissionLimit({
    max: settings.maxChecksInFlight,
    targetMs: settings.admissionTargetMs,
    ...(settings.admissionLoopDelayMs > 0
      ? {
          loopDelayTargetMs: settings.admissionLoopDelayMs,
          loopDelay: () => {
            const p90 = Math.max(0, probe.percentile(90) / 1e6 - 1);
            probe.reset();
            return p90;
          },
        }
      : {}),
  });
  return { limit, stop: () => probe.disable() };
}
