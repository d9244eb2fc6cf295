// The in-process table of set members across reloads: after a reconnect it keeps
// serving while it reloads (as it served through the disconnection), while after a
// bulk write or an unreadable message it asks to be bypassed until reloaded.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { MembershipMirror } from '../src/lists/membership-mirror.js';
import { silentLog } from '../src/observability/gate-logger.js';

/** A mirror over a "Redis" the test controls: each scan waits until released. */
function controlledMirror(): {
  mirror: MembershipMirror;
  members: Set<string>;
  release: () => void;
  failNext: () => void;
  scans: () => number;
} {
  const members = new Set<string>(['listed-1']);
  let waiting: Array<(failed: boolean) => void> = [];
  let scans = 0;
  const mirror = new MembershipMirror({
    name: 'test',
    resyncMs: 3_600_000,
    retryMs: 20,
    log: silentLog,
    scan: async (add) => {
      scans++;
      const failed = await new Promise<boolean>((resolve) => waiting.push(resolve));
      if (failed) throw new Error('Connection is closed.');
      for (const member of members) add('sellers', member);
    },
  });
  const settleScans = (failed: boolean): void => {
    const now = waiting;
    waiting = [];
    for (const resolve of now) resolve(failed);
  };
  return {
    mirror,
    members,
    release: () => settleScans(false),
    failNext: () => settleScans(true),
    scans: () => scans,
  };
}

const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('membership mirror', () => {
  it('keeps answering from the table it has while a reconnect reloads it, then from the new one', async () => {
    const { mirror, members, release, scans } = controlledMirror();
    mirror.start();
    assert.equal(mirror.mightContain('sellers', 'anyone'), true, 'not loaded yet: callers must ask Redis');
    release();
    await settle();
    assert.equal(mirror.isComplete, true);
    assert.equal(mirror.mightContain('sellers', 'clean-seller'), false);

    members.add('listed-while-away');
    mirror.refresh();
    await settle();
    assert.equal(scans(), 2, 'a reload started');
    assert.equal(mirror.isComplete, true, 'still serving during the reload');
    assert.equal(mirror.mightContain('sellers', 'clean-seller'), false);
    release();
    await settle();
    assert.equal(mirror.mightContain('sellers', 'listed-while-away'), true, 'the reload brought in what was missed');
    mirror.close();
  });

  it("tries a reconnect's reload again when Redis cannot answer it yet, serving meanwhile", async () => {
    const { mirror, members, release, failNext, scans } = controlledMirror();
    mirror.start();
    release();
    await settle();
    members.add('listed-while-away');
    mirror.refresh();
    await settle();
    failNext();
    await settle();
    assert.equal(mirror.isComplete, true, 'still serving after the failed reload');
    assert.equal(mirror.mightContain('sellers', 'listed-while-away'), false, 'not learnt yet');
    const deadline = Date.now() + 2000;
    while (scans() < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    assert.equal(scans(), 3, 'the reload was tried again');
    release();
    await settle();
    assert.equal(mirror.mightContain('sellers', 'listed-while-away'), true, 'the retried reload brought in what was missed');
    mirror.close();
  });

  it('is bypassed from a bulk write or an unreadable message until its reload is in', async () => {
    const { mirror, release } = controlledMirror();
    mirror.start();
    release();
    await settle();
    mirror.distrust();
    assert.equal(mirror.isComplete, false);
    assert.equal(mirror.mightContain('sellers', 'clean-seller'), true, 'callers must ask Redis');
    release();
    await settle();
    assert.equal(mirror.isComplete, true);
    assert.equal(mirror.mightContain('sellers', 'clean-seller'), false);
    mirror.close();
  });
});
