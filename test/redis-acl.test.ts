// Issue 30, point 7: the gate's Redis user may run exactly the commands the gate
// sends. The code is read with the TypeScript checker (a call counts when the
// method it calls is ioredis's, whatever the variable is named) and the Lua
// scripts for `redis.call`; the server says which names are commands.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import ts from 'typescript';
import { repoPath, repoRoot } from '../src/config/repo-root.js';
import { GATE_CODE_COMMANDS, gateUserLine } from '../src/redis/gate-redis-acl.js';
import { startTestRedis, type TestRedis } from './helpers/test-redis.js';

/** Command name -> its subcommands' names (empty: none), from the server. */
type CommandTable = Map<string, string[]>;

async function serverCommands(admin: Redis): Promise<CommandTable> {
  const table: CommandTable = new Map();
  for (const entry of (await admin.call('COMMAND')) as unknown[][]) {
    const subcommands = ((entry[9] ?? []) as unknown[][]).map((sub) => String(sub[0]).toLowerCase());
    table.set(String(entry[0]).toLowerCase(), subcommands);
  }
  return table;
}

/** `name` or `name|sub` for a container command, whose first argument must then be a literal. */
function aclName(table: CommandTable, name: string, firstArgument: string | undefined, where: string): string {
  const subcommands = table.get(name) ?? [];
  if (subcommands.length === 0) return name;
  assert.ok(firstArgument !== undefined, `${where}: ${name} with a subcommand that is not a literal`);
  const full = `${name}|${firstArgument.toLowerCase()}`;
  assert.ok(subcommands.includes(full), `${where}: ${full} is not a subcommand the server knows`);
  return full;
}

function filesUnder(dir: string, extension: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith(extension))
    .map((name) => join(dir, name));
}

function codeCommands(table: CommandTable): Set<string> {
  const found = new Set<string>();
  const configFile = ts.readConfigFile(repoPath('tsconfig.json'), (path) => ts.sys.readFile(path));
  const { options } = ts.parseJsonConfigFileContent(configFile.config, ts.sys, repoRoot);
  const sources = filesUnder(repoPath('src'), '.ts');
  const program = ts.createProgram(sources, { ...options, noEmit: true });
  const checker = program.getTypeChecker();
  const literal = (node: ts.Node | undefined): string | undefined => (node && ts.isStringLiteralLike(node) ? node.text : undefined);
  for (const file of program.getSourceFiles()) {
    if (!sources.includes(file.fileName)) continue;
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
        const declaration = checker.getSymbolAtLocation(node.expression.name)?.declarations?.[0];
        if (declaration?.getSourceFile().fileName.includes('/node_modules/ioredis/')) {
          const where = `${file.fileName}:${file.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
          const method = node.expression.name.text.replace(/Buffer$/, '');
          const generic = method === 'call' || method === 'sendCommand';
          const name = (generic ? literal(node.arguments[0]) : method)?.toLowerCase();
          assert.ok(name !== undefined, `${where}: a command whose name is not a literal`);
          if (table.has(name)) found.add(aclName(table, name, literal(node.arguments[generic ? 1 : 0]), where));
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
  return found;
}

function scriptCommands(table: CommandTable): Set<string> {
  const found = new Set<string>();
  for (const file of filesUnder(repoPath('src', 'redis', 'scripts'), '.lua')) {
    const text = readFileSync(file, 'utf8');
    for (const call of text.matchAll(/redis\.p?call\(([^,)]*)(?:,\s*([^,)]*))?/g)) {
      const quoted = (text: string | undefined): string | undefined => /^\s*'([^']*)'\s*$/.exec(text ?? '')?.[1] ?? /^\s*"([^"]*)"\s*$/.exec(text ?? '')?.[1];
      const name = quoted(call[1])?.toLowerCase();
      assert.ok(name !== undefined && table.has(name), `${file}: redis.call(${call[1]}) does not name a command`);
      found.add(aclName(table, name, quoted(call[2]), file));
    }
  }
  return found;
}

describe('the gate user ACL', () => {
  let redis: TestRedis;
  let admin: Redis;
  before(async () => {
    redis = await startTestRedis();
    admin = new Redis(redis.adminUrl);
  });
  after(async () => {
    admin.disconnect();
    await redis.stop();
  });

  it('allows exactly the commands the code and its Lua scripts send', { timeout: 120_000 }, async () => {
    const table = await serverCommands(admin);
    const sent = new Set([...codeCommands(table), ...scriptCommands(table)]);
    const missing = [...sent].filter((command) => !GATE_CODE_COMMANDS.includes(command)).sort();
    const unused = GATE_CODE_COMMANDS.filter((command) => !sent.has(command)).sort();
    assert.deepEqual({ missing, unused }, { missing: [], unused: [] }, 'GATE_CODE_COMMANDS in src/redis/gate-redis-acl.ts is out of date');
  });

  it('is shown in docs/redis-acl.md as the embedded server has it, for the default prefix', () => {
    const doc = readFileSync(repoPath('docs', 'redis-acl.md'), 'utf8');
    assert.ok(
      doc.includes(gateUserLine('gate:', '>CHANGE-ME')),
      'docs/redis-acl.md does not show the current ACL line: node dist/scripts/redis-acl.js prints it',
    );
  });
});
