import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { repoPath } from '../src/config/repo-root.js';
import { GATE_ERRORS } from '../src/errors/gate-error.js';

it('documents every error code with its status in docs/errors.md, and nothing else', () => {
  const doc = readFileSync(repoPath('docs', 'errors.md'), 'utf8');
  const documented = new Map<string, number>();
  for (const m of doc.matchAll(/^\| `(GATE_ERR_[A-Z_]+)` \| (\d{3}) \|/gm)) documented.set(m[1] ?? '', Number(m[2]));
  const defined = new Map(Object.entries(GATE_ERRORS).map(([code, e]) => [code, e.status]));
  assert.deepEqual([...documented].sort(), [...defined].sort());
});
