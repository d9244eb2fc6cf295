// npm run eval -- [pack.json] [corpus.jsonl]
// Starts a gate of its own (private Redis in a temporary directory, free port),
// runs the labelled corpus through POST /v1/check, prints the table, stops.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig } from '../src/config/gate-config.js';
import { repoRoot } from '../src/config/repo-root.js';
import { startGate } from '../src/app/start-gate.js';
import { evaluateCorpus, formatReport, readCorpus } from './corpus-evaluation.js';

const [packArg, corpusArg] = process.argv.slice(2);
const packPath = resolve(packArg ?? join(repoRoot, '..', 'shared', 'packs', 'dev-pack.json'));
const corpusPath = resolve(corpusArg ?? join(repoRoot, '..', 'shared', 'corpus', 'dev.jsonl'));
const dataDir = mkdtempSync(join(tmpdir(), 'gate-eval-'));
const gate = await startGate(loadConfig({ PORT: '0', HOST: '127.0.0.1', GATE_PACK: packPath, GATE_DATA_DIR: dataDir }));
try {
  const corpus = readCorpus(corpusPath);
  const started = performance.now();
  const report = await evaluateCorpus(`http://127.0.0.1:${gate.port}`, corpus);
  console.log(`pack ${packPath}\ncorpus ${corpusPath}: ${corpus.length} listings in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  console.log(formatReport(report));
  if (process.argv.includes('--wrong')) for (const w of report.wrong) console.log(JSON.stringify(w));
} finally {
  await gate.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
