// The native-rules addon against JavaScript's RegExp on the same patterns and
// inputs (differential), plus its boundary behaviour: errors that name the
// pattern, serialization, shared databases, limits.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { escapeLiteral, patternFlags, rulesEngine, type PatternSpec } from '../src/native/rules-engine.js';

const ALPHABET = ['a', 'b', 'c', ' ', 'é', '高', '仿'];

/** Every (end, leftmost start) of a match, in UTF-8 byte offsets, computed with RegExp. */
function expectedMatches(source: string, input: string): Array<[number, number]> {
  const whole = new RegExp(`^(?:${source})$`, 'u');
  const chars = Array.from(input);
  const byteAt: number[] = [0];
  for (const ch of chars) byteAt.push((byteAt[byteAt.length - 1] ?? 0) + Buffer.byteLength(ch));
  const out: Array<[number, number]> = [];
  for (let end = 1; end <= chars.length; end++) {
    for (let start = 0; start < end; start++) {
      if (whole.test(chars.slice(start, end).join(''))) {
        out.push([byteAt[start] ?? 0, byteAt[end] ?? 0]);
        break;
      }
    }
  }
  return out;
}

function actualMatches(matches: Uint32Array, id: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = 0; i < matches.length; i += 3) if (matches[i] === id) out.push([matches[i + 1] ?? 0, matches[i + 2] ?? 0]);
  return out.sort((x, y) => x[1] - y[1] || x[0] - y[0]);
}

const atom = fc.oneof(
  fc.constantFrom(...ALPHABET).map((c) => escapeLiteral(c)),
  fc
    .subarray(
      ALPHABET.filter((c) => c !== ' '),
      { minLength: 1, maxLength: 3 },
    )
    .map((cs) => `[${cs.join('')}]`),
);
const piece = fc.tuple(atom, fc.constantFrom('', '', '?', '+', '{1,2}', '*')).map(([a, q]) => a + q);
const sequence = fc.array(piece, { minLength: 1, maxLength: 4 }).map((ps) => ps.join(''));
const expression = fc
  .oneof(
    sequence,
    fc.tuple(sequence, sequence).map(([x, y]) => `(?:${x}|${y})`),
  )
  .filter((source) => !new RegExp(`^(?:${source})$`, 'u').test('')); // Hyperscan refuses patterns that match the empty string

describe('native-rules: differential against RegExp', () => {
  it('reports every match end with its leftmost start, for random pattern sets and inputs', () => {
    fc.assert(
      fc.property(
        fc.array(expression, { minLength: 1, maxLength: 6 }),
        fc.array(
          fc.array(fc.constantFrom(...ALPHABET), { maxLength: 24 }).map((cs) => cs.join('')),
          { minLength: 1, maxLength: 4 },
        ),
        (sources, inputs) => {
          const patterns: PatternSpec[] = sources.map((expression, i) => ({
            id: i * 7 + 3,
            expression,
            flags: patternFlags.UTF8 | patternFlags.SOM_LEFTMOST,
          }));
          const db = rulesEngine.compile(patterns);
          try {
            for (const input of ['', ...inputs]) {
              const { matches, truncated } = db.scan(Buffer.from(input));
              assert.equal(truncated, false);
              sources.forEach((source, i) => {
                assert.deepEqual(actualMatches(matches, i * 7 + 3), expectedMatches(source, input), `/${source}/ on ${JSON.stringify(input)}`);
              });
            }
          } finally {
            db.close();
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('finds every literal occurrence in a 20,000-character multi-byte input, as indexOf does', () => {
    const words = ['高仿', 'replica', 'é', 'ab'];
    const db = rulesEngine.compile(words.map((w, id) => ({ id, expression: escapeLiteral(w), flags: patternFlags.UTF8 | patternFlags.SOM_LEFTMOST })));
    let input = '';
    let seed = 7;
    while (input.length < 20_000) {
      seed = (seed * 48271) % 2147483647;
      input += ['高仿', 'replica', 'é', 'ab', 'x', ' ', '仿', '高', 'a', 'b'][seed % 10];
    }
    input = input.slice(0, 20_000);
    const bytes = Buffer.from(input);
    const { matches } = db.scan(bytes);
    words.forEach((word, id) => {
      const expected: Array<[number, number]> = [];
      for (let at = input.indexOf(word); at >= 0; at = input.indexOf(word, at + 1)) {
        const start = Buffer.byteLength(input.slice(0, at));
        expected.push([start, start + Buffer.byteLength(word)]);
      }
      assert.ok(expected.length > 100, `the input has many ${word}`);
      assert.deepEqual(actualMatches(matches, id), expected, word);
    });
    db.close();
  });
});

describe('native-rules: boundary', () => {
  it('names the pattern that does not compile, and why', () => {
    assert.throws(
      () =>
        rulesEngine.compile([
          { id: 1, expression: 'fine', flags: 0 },
          { id: 42, expression: 'a(b', flags: 0 },
        ]),
      (error: Error & { code?: string; patternId?: number; reason?: string }) => {
        assert.equal(error.code, 'NATIVE_RULES_COMPILE');
        assert.equal(error.patternId, 42);
        assert.match(error.message, /pattern id 42 \(\/a\(b\/\)/);
        assert.match(error.reason ?? '', /parenthesis/i);
        return true;
      },
    );
  });

  it('refuses bad arguments with a message naming them', () => {
    assert.throws(() => rulesEngine.compile([]), /patterns must not be empty/);
    assert.throws(() => rulesEngine.compile([{ id: -1, expression: 'x', flags: 0 }]), /patterns\[0\]\.id must be a non-negative integer/);
    assert.throws(() => rulesEngine.compile([{ id: 1, expression: 'x\u0000', flags: 0 }]), /must not contain NUL/);
    const db = rulesEngine.compile([{ id: 1, expression: 'x', flags: 0 }]);
    assert.throws(() => db.scan('x' as unknown as Uint8Array), /data must be a Uint8Array/);
    db.close();
    assert.throws(() => db.scan(Buffer.from('x')), /database is closed/);
  });

  it('compiles off the event loop, and reports failures through the promise', async () => {
    const db = await rulesEngine.compileAsync([{ id: 5, expression: 'x+y', flags: patternFlags.SOM_LEFTMOST }]);
    assert.deepEqual(Array.from(db.scan(Buffer.from('zxxy')).matches), [5, 1, 4]);
    await assert.rejects(rulesEngine.compileAsync([{ id: 9, expression: '[', flags: 0 }]), /pattern id 9/);
  });

  it('serializes, and databases deserialized from the same bytes are shared, each with its own scratch', () => {
    const db = rulesEngine.compile([{ id: 3, expression: 'lv', flags: patternFlags.SOM_LEFTMOST }]);
    const bytes = db.serialize();
    db.close();
    const before = rulesEngine.sharedDatabaseCount();
    const a = rulesEngine.deserialize(bytes);
    const b = rulesEngine.deserialize(new Uint8Array(bytes));
    assert.equal(rulesEngine.sharedDatabaseCount(), before + 1);
    assert.deepEqual(Array.from(a.scan(Buffer.from('a lv')).matches), [3, 2, 4]);
    assert.deepEqual(Array.from(b.scan(Buffer.from('lv')).matches), [3, 0, 2]);
    assert.ok(a.info().includes('Version'));
    a.close();
    b.close();
    assert.throws(() => rulesEngine.deserialize(Buffer.from('not a database')), /cannot load database/);
  });

  it('deserializes off the event loop into the same shared database, from shared memory, and rejects bad bytes', async () => {
    const db = rulesEngine.compile([{ id: 4, expression: 'gucci', flags: patternFlags.SOM_LEFTMOST }]);
    const serialized = db.serialize();
    db.close();
    const bytes = new Uint8Array(new SharedArrayBuffer(serialized.byteLength));
    bytes.set(serialized);
    const before = rulesEngine.sharedDatabaseCount();
    const loaded = await rulesEngine.deserializeAsync(bytes, 'async-test');
    const again = rulesEngine.deserialize(bytes, 'async-test');
    assert.equal(rulesEngine.sharedDatabaseCount(), before + 1);
    assert.deepEqual(Array.from(loaded.scan(Buffer.from('a gucci')).matches), [4, 2, 7]);
    assert.deepEqual(Array.from(again.scan(Buffer.from('gucci')).matches), [4, 0, 5]);
    loaded.close();
    again.close();
    await assert.rejects(
      rulesEngine.deserializeAsync(Buffer.from('not a database')),
      (error: Error & { code?: string }) => /cannot load database/.test(error.message) && error.code === 'NATIVE_RULES_DESERIALIZE',
    );
    assert.throws(() => void rulesEngine.deserializeAsync('bytes' as unknown as Uint8Array), /bytes must be a Uint8Array/);
  });

  it('stops at maxMatches and says so', () => {
    const db = rulesEngine.compile([{ id: 1, expression: 'a', flags: 0 }]);
    const result = db.scan(Buffer.from('aaaaaaaaaa'), 4);
    assert.equal(result.matches.length, 12);
    assert.equal(result.truncated, true);
    assert.equal(db.scan(Buffer.alloc(0)).matches.length, 0);
    db.close();
  });

  it('survives worker.terminate() in the middle of a call that throws (the process is not aborted)', () => {
    // A terminating worker cannot take a JS exception: without
    // NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS node-addon-api throws a C++ exception
    // out of the callback and the whole process aborts (seen in CI as
    // "terminate called after throwing an instance of 'Napi::Error'"). It runs in a
    // child so that an abort fails this test instead of killing the test runner.
    const engineUrl = new URL('../src/native/rules-engine.js', import.meta.url).href;
    const fixture = fileURLToPath(new URL('../../test/fixtures/terminate-mid-call.mjs', import.meta.url));
    const child = spawnSync(process.execPath, [fixture, engineUrl, '100'], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(child.signal, null, `the process was killed by ${child.signal}: ${child.stderr.slice(-400)}`);
    assert.equal(child.status, 0, child.stderr.slice(-400));
    assert.match(child.stdout, /survived/);
  });
});
