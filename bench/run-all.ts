// npm run bench: every micro-benchmark, each against its comparator in the same run.
import { runCompileBench } from './compile.bench.js';
import { runFingerprintBench } from './fingerprint.bench.js';
import { runMatchBench } from './match.bench.js';
import { runNormalizeBench } from './normalize.bench.js';
import { runScaleBench } from './scale.bench.js';
import { runCodecBench } from './codec.bench.js';
import { runCacheBench } from './cache.bench.js';
import { runForwardBench } from './forward.bench.js';
import { runSoundAlikeBench } from './sound-alike.bench.js';
import { runThreadOutcomesBench } from './thread-outcomes.bench.js';
import { runBacktestSampleBench } from './backtest-sample.bench.js';
import { runRedisRoundTripBench } from './redis-round-trip.bench.js';
import { insideFilteredChild, rerunWithRe2LogFiltered } from './re2-log-filter.js';

const only = process.argv[2];
if (!insideFilteredChild()) {
  process.exitCode = await rerunWithRe2LogFiltered();
} else {
  if (!only || only === 'normalize') await runNormalizeBench();
  if (!only || only === 'match') await runMatchBench();
  if (!only || only === 'fingerprint') await runFingerprintBench();
  if (!only || only === 'compile') runCompileBench();
  if (!only || only === 'codec') await runCodecBench();
  if (!only || only === 'cache') await runCacheBench();
  if (!only || only === 'scale') await runScaleBench();
  if (!only || only === 'forward') await runForwardBench();
  if (!only || only === 'sound-alike') await runSoundAlikeBench();
  if (!only || only === 'thread-outcomes') await runThreadOutcomesBench();
  if (!only || only === 'backtest-sample') await runBacktestSampleBench();
  if (!only || only === 'redis-round-trip') await runRedisRoundTripBench();
}
