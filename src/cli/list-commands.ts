// gatectl lists add|remove|get: the live blocklists (POST, DELETE and GET
// /v1/admin/lists/{kind}). Values come from the command line or a file, one a line.
import { readFile } from 'node:fs/promises';
import { LIST_KINDS, type ListKind } from '../pack/policy-pack.js';
import { objectAnswer } from './answer.js';
import { usageError } from './cli-errors.js';
import { stringOption, succeeded, type Command, type CommandInput, type OptionValues } from './command.js';

function kindOf(raw: string): ListKind {
  if ((LIST_KINDS as readonly string[]).includes(raw)) return raw as ListKind;
  throw usageError(`no list "${raw}"; lists are ${LIST_KINDS.join(', ')}`);
}

async function valuesOf(args: readonly string[], options: OptionValues): Promise<string[]> {
  const file = stringOption(options, 'file');
  const values = [...args];
  if (file !== undefined) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw usageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    values.push(
      ...text
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line !== ''),
    );
  }
  if (values.length === 0) throw usageError('missing argument <value...>: give values, or --file with one a line');
  return values;
}

const fileOption = { file: { type: 'string', value: '<path>', description: 'also the values in this file, one a line' } } as const;

function change(name: 'add' | 'remove'): Command {
  return {
    group: 'lists',
    name,
    summary:
      name === 'add' ? 'list values (a seller listed here is a confirmed counterfeit seller)' : 'unlist values; no pack seeds them again until added back',
    args: ['<kind>', '[value...]'],
    options: fileOption,
    help: `Kinds: ${LIST_KINDS.join(', ')}.`,
    async run({ args: [kind = '', ...rest], options, gate }: CommandInput) {
      const list = kindOf(kind);
      const values = await valuesOf(rest, options);
      const [method, path] = [name === 'add' ? 'POST' : 'DELETE', `/v1/admin/lists/${list}`];
      const answer = objectAnswer(await gate().request(method, path, { json: { values } }), `${method} ${path}`);
      const count = name === 'add' ? answer.added : answer.removed;
      const text =
        typeof answer.spooled === 'number'
          ? `Redis is unavailable: ${answer.spooled} value(s) kept on disk (${String(answer.changeId)}), applied when it returns`
          : `${list}: ${String(count)} of ${values.length} value(s) ${name === 'add' ? 'added' : 'removed'}${count === values.length ? '' : ` (the others were ${name === 'add' ? 'listed' : 'not listed'} already)`}`;
      return succeeded(answer, text);
    },
  };
}

const get: Command = {
  group: 'lists',
  name: 'get',
  summary: 'whether a value is listed',
  args: ['<kind>', '<value>'],
  help: `Kinds: ${LIST_KINDS.join(', ')}.`,
  async run({ args: [kind = '', value = ''], gate }) {
    const list = kindOf(kind);
    const answer = objectAnswer(await gate().request('GET', `/v1/admin/lists/${list}/${encodeURIComponent(value)}`), 'GET /v1/admin/lists');
    return succeeded(answer, `${list} ${value}: ${answer.listed === true ? 'listed' : 'not listed'}`);
  },
};

export const LIST_COMMANDS: readonly Command[] = [change('add'), change('remove'), get];
