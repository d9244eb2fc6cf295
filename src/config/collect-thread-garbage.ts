// For the builds (pack-build-process.ts, bank-build-worker.ts): a build leaves
// hundreds of MiB of garbage (a parsed pack, index arrays built and then copied into
// shared memory) in a thread that then goes idle, and V8 does not collect an idle
// thread, so that memory stays taken while the next thing (the bank rebuild after a
// pack's seeding) needs as much again. Such a thread collects as soon as it has replied.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

/** Collects once the current task's locals are gone. */
export function collectAfterReply(): void {
  setImmediate(collect);
}

/** Collects now: before a long native step (a compilation), whose memory V8 does not see, the garbage of the step before it is freed. */
export function collectNow(): void {
  collect();
}
