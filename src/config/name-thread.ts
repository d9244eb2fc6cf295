// A thread's name in /proc (its comm, at most 15 bytes) is how a reading of
// /proc/<pid>/task tells the gate's threads apart: V8's and libuv's helper threads
// are all called "node", and so is a worker thread that does not name itself.
import { writeFileSync } from 'node:fs';

/** Names the calling thread (cut to 15 bytes); where /proc/thread-self is not there (not Linux) it stays as it is. */
export function nameThread(name: string): void {
  const bytes = Buffer.from(name).subarray(0, 15);
  try {
    writeFileSync('/proc/thread-self/comm', bytes);
  } catch {
    // not Linux, or /proc not mounted: the name is only ever read for measuring
  }
}
