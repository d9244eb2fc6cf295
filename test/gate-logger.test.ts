// The gate's log (issue 27 point 4): one JSON object a line with level, time, msg
// and context fields, GATE_LOG_LEVEL validated, secrets redacted, and the
// throttled log's first-at-once, rest-summed behaviour on top of it.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { repoPath } from '../src/config/repo-root.js';
import { logLevelFromEnv } from '../src/observability/gate-logger.js';
import { ThrottledLog } from '../src/observability/throttled-log.js';
import { toGateError } from '../src/http/route-handler.js';
import { capturedLog } from './helpers/captured-log.js';

const TOKEN = 'publisher-token-0123456789abcdef';

describe('gate logger', () => {
  it('writes each line as JSON with level, time, msg, name and the fields given', () => {
    const { log, records } = capturedLog('info');
    log.info('listening on 127.0.0.1:8080', { port: 8080 });
    log.child({ thread: 2 }).warn('check thread 2 exited with 1; starting it again');
    log.debug('not at info');
    const [listening, exited, ...rest] = records();
    assert.deepEqual(rest, [], 'the debug line is below GATE_LOG_LEVEL=info');
    assert.equal(listening?.level, 30);
    assert.equal(listening?.msg, 'listening on 127.0.0.1:8080');
    assert.equal(listening?.name, 'gate');
    assert.equal(listening?.port, 8080);
    assert.ok(!Number.isNaN(Date.parse(listening?.time ?? '')), `an ISO time: ${listening?.time}`);
    assert.equal(exited?.level, 40);
    assert.equal(exited?.thread, 2);
  });

  it("logs a check's failure as an error with its listing and the stack, and Redis being away as a warning", () => {
    const { log, records } = capturedLog();
    const thread = log.child({ thread: 1 });
    assert.equal(toGateError(new Error('the matcher fell over'), thread, { listingId: 'L-77' }).code, 'GATE_ERR_INTERNAL');
    assert.equal(toGateError(new Error('connect ECONNREFUSED 127.0.0.1:6379'), log, { route: 'check' }).code, 'GATE_ERR_NOT_READY');
    const [internal, redis] = records();
    assert.equal(internal?.level, 50);
    assert.equal(internal?.listingId, 'L-77');
    assert.equal(internal?.thread, 1);
    assert.match(internal?.msg ?? '', /internal error: the matcher fell over/);
    assert.match(String((internal?.err as { stack?: string })?.stack), /the matcher fell over\n\s+at /);
    assert.equal(redis?.level, 40);
    assert.equal(redis?.route, 'check');
  });

  it('redacts tokens, authorization headers, webhook secrets and GATE_*TOKEN* values wherever an object holding them is logged', () => {
    const { log, text, records } = capturedLog();
    log.warn('an object that should never have been logged', {
      token: TOKEN,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      config: { adminToken: TOKEN, publisherTokens: [TOKEN], webhookSecret: TOKEN, audit: { key: TOKEN }, port: 8080 },
      env: { GATE_PUBLISHER_TOKENS: TOKEN, GATE_WEBHOOK_SECRET: TOKEN, REDIS_URL: `redis://gate:${TOKEN}@127.0.0.1:6379` },
    });
    assert.ok(!text().includes(TOKEN), `the token is not in the output:\n${text()}`);
    const [line] = records();
    assert.equal(line?.token, '[Redacted]');
    assert.deepEqual(line?.headers, { authorization: '[Redacted]', 'content-type': 'application/json' });
    assert.deepEqual(line?.config, {
      adminToken: '[Redacted]',
      publisherTokens: '[Redacted]',
      webhookSecret: '[Redacted]',
      audit: { key: '[Redacted]' },
      port: 8080,
    });
    assert.deepEqual(line?.env, { GATE_PUBLISHER_TOKENS: '[Redacted]', GATE_WEBHOOK_SECRET: '[Redacted]', REDIS_URL: '[Redacted]' });
  });

  it('throttles a repeated failure: the first at once as a warning, the rest summed once the interval is over', async () => {
    const { log, records } = capturedLog();
    const throttled = new ThrottledLog(log, 200);
    for (let i = 1; i <= 4; i++) throttled.note('redis', `write ${i} kept for a retry`, { listingId: `L${i}` });
    assert.deepEqual(
      records().map((r) => [r.level, r.msg, r.kind, r.listingId]),
      [[40, 'write 1 kept for a retry', 'redis', 'L1']],
    );
    await new Promise((resolve) => setTimeout(resolve, 220));
    throttled.note('redis', 'write 5 kept for a retry');
    const [, summary, fifth] = records();
    assert.equal(summary?.level, 40);
    assert.equal(summary?.suppressed, 3);
    assert.match(summary?.msg ?? '', /^3 more like this in the last \d+ s \(last: write 4 kept for a retry\)$/);
    assert.equal(fifth?.msg, 'write 5 kept for a retry');
  });

  it('takes its level from GATE_LOG_LEVEL, info by default, and refuses an unknown one naming the variable', () => {
    assert.equal(logLevelFromEnv({}), 'info');
    assert.equal(logLevelFromEnv({ GATE_LOG_LEVEL: ' Debug ' }), 'debug');
    assert.equal(logLevelFromEnv({ GATE_LOG_LEVEL: 'silent' }), 'silent');
    assert.throws(
      () => logLevelFromEnv({ GATE_LOG_LEVEL: 'verbose' }),
      /GATE_LOG_LEVEL must be one of trace, debug, info, warn, error, fatal, silent \(got "verbose"\)/,
    );
    const started = spawnSync(process.execPath, [repoPath('dist', 'src', 'main.js')], {
      env: { ...process.env, GATE_LOG_LEVEL: 'loud', PORT: '0' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(started.status, 1, `${started.stdout}${started.stderr}`);
    assert.match(started.stderr, /GATE_LOG_LEVEL must be one of .*\(got "loud"\)/);
  });
});
