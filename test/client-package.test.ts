// The client as a package (client/, issue 27 point 2): the gate's check types are
// the client's, and its unions of reason and error codes are the gate's tables
// (this file does not compile when one differs); what
// `npm run build` makes of it loads by its package.json's exports with its
// declarations, it imports only the packages it declares, and its README
// documents each of its error codes.
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { pathToFileURL } from 'node:url';
import * as source from '../client/src/index.js';
import type * as Client from '../client/src/index.js';
import { repoPath } from '../src/config/repo-root.js';
import type { GateErrorCode } from '../src/errors/gate-error.js';
import type { ReasonCode } from '../src/gate/reason.js';

/** True only when A and B are the same type (not merely assignable either way, which optional fields would pass). */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

export const sameAsTheGate: [Equal<Client.ReasonCode, ReasonCode>, Equal<Client.GateErrorCode, GateErrorCode>] = [true, true];

const CLIENT = repoPath('client');
const manifest = JSON.parse(readFileSync(join(CLIENT, 'package.json'), 'utf8')) as {
  exports: { '.': { types: string; import: string } };
  types: string;
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
};

it('loads, as built, by the exports of its package.json, with declarations, exporting what its source does', async () => {
  const entry = manifest.exports['.'];
  assert.equal(manifest.types, entry.types);
  assert.ok(existsSync(join(CLIENT, entry.types)), `${entry.types} is missing: npm run build builds the client`);
  const built = (await import(pathToFileURL(join(CLIENT, entry.import)).href)) as Record<string, unknown>;
  assert.deepEqual(Object.keys(built).sort(), Object.keys(source).sort());
  assert.equal(typeof built.GateClient, 'function');
  assert.equal(typeof built.imageHash, 'function');
});

it('imports only node: modules, its own files and the packages it declares', () => {
  const imported = new Set<string>();
  for (const file of readdirSync(join(CLIENT, 'src')).filter((name) => name.endsWith('.ts'))) {
    const text = readFileSync(join(CLIENT, 'src', file), 'utf8');
    for (const [, specifier] of text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)) {
      if (specifier === undefined || specifier.startsWith('./') || specifier.startsWith('node:')) continue;
      assert.ok(!specifier.startsWith('.'), `${file} imports ${specifier}, outside the package`);
      imported.add(specifier);
    }
  }
  assert.deepEqual([...imported].sort(), [...Object.keys(manifest.dependencies), ...Object.keys(manifest.peerDependencies)].sort());
});

it('documents each of its error codes in its README', () => {
  const readme = readFileSync(join(CLIENT, 'README.md'), 'utf8');
  for (const code of Object.keys(source.CLIENT_ERRORS)) assert.ok(readme.includes(`\`${code}\``), `client/README.md does not name ${code}`);
});
