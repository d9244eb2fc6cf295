// npm run bench: every micro-benchmark, each against its comparator in the same run.
import { runMatchBench } from './match.bench.js';
import { runNormalizeBench } from './normalize.bench.js';

await runNormalizeBench();
await runMatchBench();
