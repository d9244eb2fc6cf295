// Serving comes first: on Linux each thread has its own nice value, so a thread
// that builds in the background can yield the CPU to the event loop and the
// matching threads without slowing them.
import { setPriority } from 'node:os';

/** Lowers the calling thread's priority to `nice` (0 normal, 19 lowest); where that is not permitted it stays as it is. */
export function lowerThreadPriority(nice: number): void {
  try {
    setPriority(nice);
  } catch {
    // not permitted here: the thread runs at normal priority
  }
}
