// The deadline budget: the answer is due a reserve before the caller's deadline,
// the review queue gets what is left after the signals, and nothing is planned
// past the deadline, for any deadline a caller may send.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { answerDueMs, queueBudgetMs, signalBudgetMs } from '../src/gate/deadline-budget.js';

describe('deadline budget', () => {
  it('at the default 20 ms: signals until 14 ms, the queue until 15.5 ms, the answer due at 16 ms', () => {
    assert.equal(answerDueMs(20), 16);
    assert.equal(signalBudgetMs(20, 0), 14);
    assert.equal(queueBudgetMs(20, 0), 15.5);
    assert.equal(signalBudgetMs(20, 4), 10, 'time already spent comes off');
    assert.equal(signalBudgetMs(20, 30), 0, 'never negative');
  });

  it('keeps at most 5 ms and at least 1 ms back, and never more than half the deadline', () => {
    assert.equal(answerDueMs(1000), 995);
    assert.equal(answerDueMs(4), 3);
    assert.equal(answerDueMs(1), 0.5);
  });

  it('orders signals, queue and answer before the deadline, for every deadline from 1 ms to 60 s', () => {
    fc.assert(
      fc.property(fc.double({ min: 1, max: 60_000, noNaN: true }), (deadline) => {
        const signals = signalBudgetMs(deadline, 0);
        const queue = queueBudgetMs(deadline, 0);
        const due = answerDueMs(deadline);
        assert.ok(signals > 0 && signals <= queue + 1e-9 && queue < due && due < deadline, `${deadline}: ${signals} ${queue} ${due}`);
      }),
    );
  });
});
