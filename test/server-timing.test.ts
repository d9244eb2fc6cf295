// load/server-timing.ts and load/http-response.ts: what load:cost reads of an answer.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { parseServerTiming } from '../load/server-timing.js';
import { headerValue, parseResponse } from '../load/http-response.js';

describe('server timing', () => {
  it('takes any phase names, their dur in ms, quoted descriptions with commas and semicolons', () => {
    assert.deepEqual(parseServerTiming('read;dur=0.012, queue;dur=0.3;desc="a, b; c", hop;dur=0.05,match;dur=.2,cache, redis;dur=0.25, redis;dur=0.5'), [
      { name: 'read', durationMs: 0.012 },
      { name: 'queue', durationMs: 0.3 },
      { name: 'hop', durationMs: 0.05 },
      { name: 'match', durationMs: 0.2 },
      { name: 'cache', durationMs: undefined },
      { name: 'redis', durationMs: 0.75 },
    ]);
    assert.deepEqual(parseServerTiming(''), []);
    assert.deepEqual(parseServerTiming('x;dur=abc;desc=y'), [{ name: 'x', durationMs: undefined }]);
  });

  it('reads a response by its Content-Length, and joins a header sent twice', () => {
    const text = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nServer-Timing: read;dur=1\r\nserver-timing: answer;dur=2\r\n\r\n{}HTTP/1.1';
    const response = parseResponse(Buffer.from(text, 'latin1'));
    assert.ok(response);
    assert.equal(response.status, 200);
    assert.equal(response.body.toString(), '{}');
    assert.equal(response.length, text.length - 'HTTP/1.1'.length);
    assert.equal(headerValue(response.head, 'server-timing'), 'read;dur=1, answer;dur=2');
    assert.equal(headerValue(response.head, 'x-absent'), undefined);
    assert.equal(parseResponse(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n{}')), undefined);
  });
});
