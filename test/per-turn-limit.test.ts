// The per-turn limit of background work: no more than so many starts between two
// turns of the event loop, the rest in later turns, in the order they asked.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { PerTurnLimit } from '../src/review/per-turn-limit.js';

/** Resolves in the check phase of the next turn of the event loop. */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('per-turn limit', () => {
  it('starts at most so many per turn, the others in later turns, first come first started', async () => {
    const limit = new PerTurnLimit(3);
    const started: Array<{ id: number; turn: number }> = [];
    let turn = 0;
    const counting = (async () => {
      for (let i = 0; i < 10; i++) {
        await nextTurn();
        turn++;
      }
    })();
    await Promise.all(Array.from({ length: 10 }, (_, id) => limit.take().then(() => void started.push({ id, turn }))));
    await counting;
    assert.deepEqual(
      started.map((s) => s.id),
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    );
    const perTurn = new Map<number, number>();
    for (const s of started) perTurn.set(s.turn, (perTurn.get(s.turn) ?? 0) + 1);
    assert.ok(
      [...perTurn.values()].every((n) => n <= 3),
      `starts per turn: ${JSON.stringify([...perTurn])}`,
    );
    assert.ok(perTurn.size >= 4, 'ten starts at three a turn take four turns');
  });

  it('lets a lone start through at once, and more after the turn ends', async () => {
    const limit = new PerTurnLimit(1);
    let first = false;
    await limit.take().then(() => (first = true));
    assert.ok(first);
    let second = false;
    const pending = limit.take().then(() => (second = true));
    await Promise.resolve();
    assert.equal(second, false, 'the second waits for the next turn');
    await pending;
    assert.ok(second);
  });

  it('refuses a limit below one', () => {
    assert.throws(() => new PerTurnLimit(0), /at least 1/);
  });
});
