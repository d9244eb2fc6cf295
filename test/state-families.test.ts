// npm run load:state folds key names into families and gives each its bound, as
// docs/redis-keys.md does: a family put under the wrong bound skews the projection.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { boundOf, familyOf } from '../load/state-families.js';

describe('key families of the state report', () => {
  it("folds ids, hashes and numbers, and names each family's bound", () => {
    const cases: Array<[string, string, string]> = [
      ['gate:{verdicts:17}:v:g-mxb0-12', 'gate:{verdicts:*}:v:*', 'retention'],
      ['gate:{verdicts:3}:a:1764979200000:16:5', 'gate:{verdicts:*}:a:*:*:*', 'allow-window'],
      ['gate:{verdicts:3}:a:periods', 'gate:{verdicts:*}:a:periods', 'allow-window'],
      ['gate:{review}:item:rv_0f8fad5b-d9cb-469f-a165-70867728950e', 'gate:{review}:item:*', 'retention'],
      ['gate:{review}:item:rv_JdPqWbYxTkLmNoPe', 'gate:{review}:item:*', 'retention'],
      ['gate:{review}:stream:normal', 'gate:{review}:stream:normal', 'two days'],
      ['gate:{review}:near:t3:1883541345', 'gate:{review}:near:*:*', 'pending items'],
      ['gate:{review}:dead', 'gate:{review}:dead', 'capped'],
      ['gate:{rings}:listings:seller-1', 'gate:{rings}:listings:*', 'not traffic'],
      ['gate:{complaints}:item:cp_1', 'gate:{complaints}:item:*', 'retention'],
      ['gate:{complaints}:holder:acme', 'gate:{complaints}:holder:acme', 'retention'],
      ['gate:{complaints}:open:acme:L-1', 'gate:{complaints}:open:acme:*', 'pending items'],
      ['gate:{complaints}:trust:acme', 'gate:{complaints}:trust:acme', 'not traffic'],
      ['gate:{appeals}:item:ap_1', 'gate:{appeals}:item:*', 'retention'],
      ['gate:{appeals}:listing:L-1:2026-01-02T03:04:05.678Z', 'gate:{appeals}:listing:*:*:*:*', 'retention'],
      ['gate:{reports}:open:L-1', 'gate:{reports}:open:*', 'pending items'],
      ['gate:{reports}:reporters:L-1', 'gate:{reports}:reporters:*', 'pending items'],
      ['gate:{reports}:rate:buyer-1:493', 'gate:{reports}:rate:*:*', 'retention'],
      ['gate:{figures}:2026-01-02:ttd', 'gate:{figures}:*:ttd', 'not yet bounded'],
    ];
    for (const [key, family, bound] of cases) {
      assert.equal(familyOf(key), family, key);
      assert.equal(boundOf(family), bound, family);
    }
  });
});
