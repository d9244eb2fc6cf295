// A re-check job's threads yield to live traffic. A nice value only weighs the
// CPU's shares (nice 19 weighs 15 against nice 0's 1024); under SCHED_IDLE a
// thread weighs 3, and a waking thread of the normal policy always takes its core
// (docs/rechecks.md, "Below live traffic").
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
