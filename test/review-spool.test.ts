// The local spool of what Redis could not take: a replay takes every item once
// (many at a time when asked, in order otherwise) and puts back what fails, and
// new items wait behind a replay only when it takes an outage's backlog.
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { LATE_ITEMS_FOR_BACKLOG, ReviewSpool, type SpoolCause } from '../src/review/review-spool.js';

interface Entry {
  id: number;
}

const freshDir = (): string => mkdtempSync(join(tmpdir(), 'review-spool-test-'));
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Spools `count` entries into a new spool and returns it. */
async function spoolOf(count: number): Promise<ReviewSpool<Entry>> {
  const spool = new ReviewSpool<Entry>(freshDir());
  for (let id = 0; id < count; id++) await spool.append({ id });
  return spool;
}

describe('review spool replay', () => {
  it('takes every item exactly once with many lanes, at most that many at a time, and puts back those that fail', async () => {
    const spool = await spoolOf(200);
    const taken: number[] = [];
    let inFlight = 0;
    let mostInFlight = 0;
    const replayed = await spool.replay(async (entry) => {
      inFlight++;
      mostInFlight = Math.max(mostInFlight, inFlight);
      await tick();
      inFlight--;
      if (entry.id % 10 === 0) throw new Error('Redis went away again');
      taken.push(entry.id);
    }, 16);
    assert.equal(replayed, 180);
    assert.equal(mostInFlight, 16, 'sixteen lanes were busy at once');
    assert.deepEqual(
      [...taken].sort((a, b) => a - b),
      Array.from({ length: 200 }, (_, id) => id).filter((id) => id % 10 !== 0),
    );
    assert.ok(await spool.pending(), 'the failed ones are back in the spool');
    const second: number[] = [];
    assert.equal(await spool.replay(async (entry) => void second.push(entry.id), 16), 20);
    assert.deepEqual(
      second.sort((a, b) => a - b),
      Array.from({ length: 20 }, (_, i) => i * 10),
    );
    assert.equal(await spool.pending(), false);
    await spool.close();
  });

  it('sets a torn line aside and replays the rest, with every lane done before the replay ends', async () => {
    const dir = freshDir();
    const lines = Array.from({ length: 40 }, (_, id) => JSON.stringify({ id }));
    lines.splice(20, 0, '{"id": 4'); // torn by a crash of the machine mid-write
    writeFileSync(join(dir, 'review-spool.jsonl'), `${lines.join('\n')}\n`);
    const spool = new ReviewSpool<Entry>(dir);
    let inFlight = 0;
    const taken: number[] = [];
    const replayed = await spool.replay(async (entry) => {
      inFlight++;
      await tick();
      inFlight--;
      taken.push(entry.id);
    }, 8);
    assert.equal(inFlight, 0, 'no lane still running once the replay returned');
    assert.equal(replayed, 40);
    assert.equal(taken.length, 40);
    assert.equal(spool.unreadable, 1);
    assert.equal(readFileSync(join(dir, 'review-spool.unreadable.jsonl'), 'utf8'), '{"id": 4\n');
    assert.equal(await spool.pending(), false, 'the next replay is not stopped by it');
    await spool.close();
  });

  it('replays text in any script intact, a line at a time, with blank lines and a last line without its newline', async () => {
    const dir = freshDir();
    const titles = ['正品 LV 手提包', 'حقيبة يد أصلية', 'Ｎｉｋｅ 👟🔥', 'plain'];
    const body = `${titles.map((title, id) => JSON.stringify({ id, title })).join('\n\n  \n')}`;
    writeFileSync(join(dir, 'review-spool.jsonl'), body);
    const spool = new ReviewSpool<Entry & { title: string }>(dir);
    const taken: Array<Entry & { title: string }> = [];
    assert.equal(await spool.replay(async (entry) => void taken.push(entry), 3), titles.length);
    assert.deepEqual(
      taken.sort((a, b) => a.id - b.id).map((entry) => entry.title),
      titles,
    );
    assert.equal(spool.unreadable, 0);
    await spool.close();
  });

  it('fails, keeping its file, when an item can go neither to Redis nor back into the spool, and only after every lane ended', async () => {
    const dir = freshDir();
    const spool = new ReviewSpool<Entry>(dir);
    for (let id = 0; id < 30; id++) await spool.append({ id });
    let inFlight = 0;
    let first = true;
    const original = spool.append.bind(spool);
    spool.append = (entry: Entry, cause?: SpoolCause) => (entry.id === 3 ? Promise.reject(new Error('disk full')) : original(entry, cause));
    await assert.rejects(
      spool.replay(async (entry) => {
        inFlight++;
        await tick();
        inFlight--;
        if (first || entry.id === 3) {
          first = false;
          throw new Error('Redis went away again');
        }
      }, 4),
      /disk full/,
    );
    assert.equal(inFlight, 0, 'no lane still running once the replay failed');
    assert.ok(existsSync(join(dir, 'review-spool.replaying.jsonl')), 'the replay file stays for the next replay');
    assert.equal(spool.replayInProgress, false);
  });

  it('replays one at a time and in order by default (list changes need their order)', async () => {
    const spool = await spoolOf(50);
    const taken: number[] = [];
    let inFlight = 0;
    await spool.replay(async (entry) => {
      inFlight++;
      assert.equal(inFlight, 1);
      await tick();
      inFlight--;
      taken.push(entry.id);
    });
    assert.deepEqual(
      taken,
      Array.from({ length: 50 }, (_, id) => id),
    );
    await spool.close();
  });
});

describe('new items during a replay', () => {
  it('join the spool while it takes an outage backlog, and go to Redis while it takes only such late joiners', async () => {
    const spool = await spoolOf(3);
    const seenDuringBacklog: boolean[] = [];
    await spool.replay(async (entry) => {
      seenDuringBacklog.push(spool.newItemsJoinReplay);
      // A check answered meanwhile joins the spool behind the replay.
      if (entry.id === 0) await spool.append({ id: 100 }, 'behind-replay');
    });
    assert.deepEqual(seenDuringBacklog, [true, true, true]);
    assert.equal(spool.newItemsJoinReplay, false, 'not once the replay is over');

    const seenDuringJoiners: boolean[] = [];
    assert.equal(
      await spool.replay(async () => {
        seenDuringJoiners.push(spool.newItemsJoinReplay);
      }),
      1,
    );
    assert.deepEqual(seenDuringJoiners, [false], 'a replay of late joiners alone holds nothing back');
    assert.equal(spool.replayInProgress, false);
    await spool.close();
  });

  it('join it again once Redis failed an item since the last replay', async () => {
    const spool = await spoolOf(1);
    await spool.replay(async () => {
      await spool.append({ id: 1 }, 'behind-replay');
    });
    await spool.append({ id: 2 }); // Redis could not take this one in time
    const seen: boolean[] = [];
    await spool.replay(async () => void seen.push(spool.newItemsJoinReplay));
    assert.deepEqual(seen, [true, true]);
    await spool.close();
  });

  it('join it for a backlog of items Redis took too long for, not for the few a stall left', async () => {
    const spool = new ReviewSpool<Entry>(freshDir());
    const joinsDuringReplayOf = async (lateItems: number): Promise<boolean[]> => {
      for (let id = 0; id < lateItems; id++) await spool.append({ id }, 'late');
      const seen: boolean[] = [];
      assert.equal(await spool.replay(async () => void seen.push(spool.newItemsJoinReplay)), lateItems);
      return seen;
    };
    assert.deepEqual(await joinsDuringReplayOf(LATE_ITEMS_FOR_BACKLOG - 1), Array(LATE_ITEMS_FOR_BACKLOG - 1).fill(false), 'a stall holds nothing back');
    assert.deepEqual(await joinsDuringReplayOf(LATE_ITEMS_FOR_BACKLOG), Array(LATE_ITEMS_FOR_BACKLOG).fill(true), 'a slow Redis does');
    await spool.close();
  });

  it('go to Redis during the first replay after a start that found the spool empty, when a stall left a few late items', async () => {
    const spool = new ReviewSpool<Entry>(freshDir());
    await spool.append({ id: 1 }, 'late');
    const seen: boolean[] = [];
    assert.equal(await spool.replay(async () => void seen.push(spool.newItemsJoinReplay)), 1);
    assert.deepEqual(seen, [false]);
    await spool.close();
  });

  it('join it during the first replay after a start, which takes what a previous process left', async () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'review-spool.jsonl'), `${JSON.stringify({ id: 7 })}\n`);
    const spool = new ReviewSpool<Entry>(dir);
    const seen: Array<{ id: number; joins: boolean }> = [];
    assert.equal(await spool.replay(async (entry) => void seen.push({ id: entry.id, joins: spool.newItemsJoinReplay })), 1);
    assert.deepEqual(seen, [{ id: 7, joins: true }]);
    await spool.close();
  });
});
