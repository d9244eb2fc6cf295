// gatectl's command line: finds the command by its two words, parses its options
// strictly (an unknown one is a usage error, exit 2), runs it, and prints its
// result as text or, with --json, as JSON on stdout (docs/gatectl.md).
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { AdminClient, wireErrorOf } from './admin-client.js';
import { AUDIT_COMMANDS } from './audit-commands.js';
import { CliError, EXIT_FAILED, EXIT_OK, EXIT_USAGE, ServerError, usageError } from './cli-errors.js';
import { arity, stringOption, type Command, type CommandResult, type OptionSpecs, type OptionValues } from './command.js';
import { commandHelp, GLOBAL_OPTIONS, groupHelp, mainHelp } from './help-text.js';
import { LIST_COMMANDS } from './list-commands.js';
import { PACK_COMMANDS } from './pack-commands.js';
import { RECHECK_COMMANDS } from './recheck-commands.js';

export const COMMANDS: readonly Command[] = [...PACK_COMMANDS, ...LIST_COMMANDS, ...AUDIT_COMMANDS, ...RECHECK_COMMANDS];

export const DEFAULT_URL = 'http://127.0.0.1:8080';

export interface CliIo {
  env: Readonly<Record<string, string | undefined>>;
  stdout(text: string): void;
  stderr(text: string): void;
}

type ParseOptions = NonNullable<ParseArgsConfig['options']>;

function parseOptions(...specs: OptionSpecs[]): ParseOptions {
  const out: ParseOptions = {};
  for (const spec of specs) for (const [name, { type, short }] of Object.entries(spec)) out[name] = short === undefined ? { type } : { type, short };
  return out;
}

/** The command's two words, found before its options are known: every command's options are parsed loosely, so that `--to v1` is not taken for words. */
function findWords(argv: string[]): { words: string[]; rest: string[]; json: boolean; help: boolean } {
  const { tokens, values } = parseArgs({
    args: argv,
    options: parseOptions(GLOBAL_OPTIONS, ...COMMANDS.map((c) => c.options ?? {})),
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const words = tokens.filter((token) => token.kind === 'positional').slice(0, 2);
  const taken = new Set(words.map((token) => token.index));
  return {
    words: words.map((token) => (token.kind === 'positional' ? token.value : '')),
    rest: argv.filter((_, index) => !taken.has(index)),
    json: values.json === true,
    help: values.help === true,
  };
}

/** `parseArgs`'s messages, without its advice on positionals that begin with '-'. */
function parseProblem(error: unknown): CliError {
  const message = (error as Error).message;
  const unknown = /^Unknown option '([^']+)'/.exec(message);
  if (unknown) return usageError(`unknown option ${unknown[1]}`);
  return usageError(message.replace(/\. To specify a positional argument.*$/s, ''));
}

function checkArity(command: Command, args: readonly string[]): void {
  const [min, max] = arity(command.args);
  if (args.length < min) throw usageError(`missing argument ${command.args[args.length] ?? ''}`);
  if (args.length > max) throw usageError(`unexpected argument "${args[max] ?? ''}"`);
}

function gateOf(options: OptionValues, env: CliIo['env']): () => AdminClient {
  let client: AdminClient | undefined;
  return () => {
    const token = stringOption(options, 'token') ?? env.GATE_ADMIN_TOKEN;
    if (token === undefined || token === '') throw usageError('no admin token: set GATE_ADMIN_TOKEN or pass --token');
    client ??= new AdminClient(stringOption(options, 'url') ?? env.GATE_URL ?? DEFAULT_URL, token);
    return client;
  };
}

function issueLines(details: unknown): string[] {
  if (!Array.isArray(details)) return [];
  return details
    .filter((d): d is { path: unknown; message: unknown } => typeof d === 'object' && d !== null)
    .map((d) => `  ${String(d.path) || '(pack)'}: ${String(d.message)}`);
}

export async function runGatectl(argv: string[], io: CliIo): Promise<number> {
  const { words, rest, json, help } = findWords(argv);
  const [group, name] = words;
  let label = 'gatectl';
  const print = (result: CommandResult): number => {
    if (json) io.stdout(JSON.stringify(result.json, null, 2));
    if (!json && result.ok) io.stdout(result.text);
    if (!result.ok) io.stderr(`${label}: ${result.text}`);
    return result.ok ? EXIT_OK : EXIT_FAILED;
  };
  try {
    const groups = [...new Set(COMMANDS.map((c) => c.group))];
    if (group === undefined) {
      if (help) return (io.stdout(mainHelp(COMMANDS)), EXIT_OK);
      throw usageError(`missing command; one of ${groups.join(', ')}`);
    }
    if (!groups.includes(group)) throw usageError(`unknown command "${group}"; commands are ${groups.join(', ')}`);
    label = `gatectl ${group}`;
    const inGroup = COMMANDS.filter((c) => c.group === group);
    if (name === undefined) {
      if (help) return (io.stdout(groupHelp(group, inGroup)), EXIT_OK);
      throw usageError(`missing subcommand; one of ${inGroup.map((c) => c.name).join(', ')}`);
    }
    const command = inGroup.find((c) => c.name === name);
    if (!command) throw usageError(`unknown subcommand "${name}"; subcommands are ${inGroup.map((c) => c.name).join(', ')}`);
    label = `gatectl ${group} ${name}`;
    if (help) return (io.stdout(commandHelp(command)), EXIT_OK);
    let parsed: { values: OptionValues; positionals: string[] };
    try {
      parsed = parseArgs({ args: rest, options: parseOptions(GLOBAL_OPTIONS, command.options ?? {}), strict: true, allowPositionals: true }) as {
        values: OptionValues;
        positionals: string[];
      };
    } catch (error) {
      throw parseProblem(error);
    }
    checkArity(command, parsed.positionals);
    return print(await command.run({ args: parsed.positionals, options: parsed.values, gate: gateOf(parsed.values, io.env) }));
  } catch (error) {
    if (error instanceof CliError) {
      if (json) io.stdout(JSON.stringify(error.toBody(), null, 2));
      const hint = error.exitCode === EXIT_USAGE ? `\nRun '${label} --help' for usage.` : '';
      io.stderr(`${label}: ${error.message}${hint}`);
      return error.exitCode;
    }
    if (error instanceof ServerError) {
      if (json) io.stdout(JSON.stringify(error.body, null, 2));
      io.stderr([`${label}: ${error.message}`, ...issueLines(wireErrorOf(error.body)?.details)].join('\n'));
      return error.exitCode;
    }
    io.stderr(`${label}: failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return EXIT_FAILED;
  }
}
