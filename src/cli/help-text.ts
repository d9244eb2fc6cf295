// gatectl's --help texts, made from the commands' own specs.
import type { Command, OptionSpecs } from './command.js';

export const GLOBAL_OPTIONS: OptionSpecs = {
  url: { type: 'string', value: '<url>', description: 'the gate (default: $GATE_URL, else http://127.0.0.1:8080)' },
  token: { type: 'string', value: '<token>', description: 'an admin token (default: $GATE_ADMIN_TOKEN, which ps does not show)' },
  json: { type: 'boolean', description: "print machine-readable JSON on stdout (errors too: the gate's error body)" },
  help: { type: 'boolean', short: 'h', description: 'show help' },
};

const EXIT_CODES =
  'Exit codes: 0 done; 1 a check failed (an invalid pack, a broken audit chain, a 4xx or 5xx answer,\nthe gate unreachable); 2 a usage error (unknown command or option, missing argument, unreadable file).';

function optionLines(options: OptionSpecs): string[] {
  const names = Object.entries(options).map(
    ([name, spec]) => [`${spec.short ? `-${spec.short}, ` : ''}--${name}${spec.value ? ` ${spec.value}` : ''}`, spec.description] as const,
  );
  const width = Math.max(...names.map(([name]) => name.length));
  return names.map(([name, description]) => `  ${name.padEnd(width)}  ${description}`);
}

export function usageLine(command: Command): string {
  const options = Object.entries(command.options ?? {}).map(([name, spec]) => `[--${name}${spec.value ? ` ${spec.value}` : ''}]`);
  return ['gatectl', command.group, command.name, ...command.args, ...options].join(' ');
}

function commandLines(commands: readonly Command[]): string[] {
  const heads = commands.map((command) => [[command.group, command.name, ...command.args].join(' '), command.summary] as const);
  const width = Math.max(...heads.map(([head]) => head.length));
  return heads.map(([head, summary]) => `  ${head.padEnd(width)}  ${summary}`);
}

export function mainHelp(commands: readonly Command[]): string {
  return [
    "gatectl: the listing gate's operator tool (docs/gatectl.md)",
    '',
    'Usage: gatectl <command> <subcommand> [arguments] [options]',
    '',
    'Commands:',
    ...commandLines(commands),
    '',
    'Options of every command:',
    ...optionLines(GLOBAL_OPTIONS),
    '',
    EXIT_CODES,
  ].join('\n');
}

export function groupHelp(group: string, commands: readonly Command[]): string {
  return [
    `Usage: gatectl ${group} <subcommand> [arguments] [options]`,
    '',
    'Subcommands:',
    ...commandLines(commands),
    '',
    `Run 'gatectl ${group} <subcommand> --help' for one, 'gatectl --help' for the options of every command.`,
  ].join('\n');
}

export function commandHelp(command: Command): string {
  const own = command.options === undefined ? [] : ['', 'Options:', ...optionLines(command.options)];
  return [
    `Usage: ${usageLine(command)}`,
    '',
    `${command.summary[0]?.toUpperCase() ?? ''}${command.summary.slice(1)}.`,
    ...own,
    ...(command.help ? ['', command.help] : []),
    '',
    'Options of every command:',
    ...optionLines(GLOBAL_OPTIONS),
    '',
    EXIT_CODES,
  ].join('\n');
}
