// A re-check job's threads yield to live traffic. Nice values only weigh the CPU's
// shares (a nice-19 thread still gets about 1.5% against each nice-0 one, and
// preempts on waking); under SCHED_IDLE a thread runs only when no thread of the
// normal policy wants the CPU (docs/rechecks.md, "Below live traffic").
import { idleThreadSchedule } from '../native/rules-engine.js';
import { lowerThreadPriority } from './lower-thread-priority.js';

/** How a background thread runs: its nice value, and whether under SCHED_IDLE (GATE_RECHECK_SCHEDULING). */
export interface BackgroundPriority {
  nice: number;
  idle: boolean;
}

/** Lowers the calling thread to `priority`; the policy it runs under: `idle`, or `nice` where SCHED_IDLE was not asked for or is not there. */
export function runInBackground(priority: BackgroundPriority): 'idle' | 'nice' {
  lowerThreadPriority(priority.nice);
  if (!priority.idle) return 'nice';
  try {
    return idleThreadSchedule() ? 'idle' : 'nice';
  } catch {
    return 'nice'; // refused here (a seccomp profile, say): the nice value holds
  }
}
