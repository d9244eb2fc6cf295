// What a gatectl command is: its words, arguments and options (for parsing and
// --help), and a run that returns what to print either way (--json or text).
import type { AdminClient } from './admin-client.js';

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** How --help names the value: `<version>`. */
  value?: string;
  description: string;
}

export type OptionSpecs = Readonly<Record<string, OptionSpec>>;
export type OptionValues = Readonly<Record<string, string | boolean | undefined>>;

export interface CommandInput {
  /** The positional arguments after the command's words, their count already checked against `args`. */
  args: readonly string[];
  options: OptionValues;
  /** The admin API at --url with --token; a usage error when there is no token. */
  gate(): AdminClient;
}

export interface CommandResult {
  /** False: the check failed (exit 1); `text` goes to stderr. */
  ok: boolean;
  /** Printed with --json, on stdout. */
  json: unknown;
  /** Printed otherwise. */
  text: string;
}

export interface Command {
  /** `pack` in `gatectl pack validate`. */
  group: string;
  name: string;
  summary: string;
  /** `<file>` required, `[version]` optional, `<value...>` one or more. */
  args: readonly string[];
  options?: OptionSpecs;
  /** Lines of --help after the usage, when the summary is not enough. */
  help?: string;
  run(input: CommandInput): Promise<CommandResult>;
}

export function succeeded(json: unknown, text: string): CommandResult {
  return { ok: true, json, text };
}

export function stringOption(options: OptionValues, name: string): string | undefined {
  const value = options[name];
  return typeof value === 'string' ? value : undefined;
}

export function flag(options: OptionValues, name: string): boolean {
  return options[name] === true;
}

/** How many positionals `args` allows: [min, max], max Infinity for a trailing `...`. */
export function arity(args: readonly string[]): [number, number] {
  const min = args.filter((arg) => arg.startsWith('<')).length;
  return [min, args.some((arg) => arg.endsWith('...>') || arg.endsWith('...]')) ? Infinity : args.length];
}
