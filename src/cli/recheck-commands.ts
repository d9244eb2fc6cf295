// gatectl rechecks start|get|pause|resume|cancel: re-check jobs
// (docs/rechecks.md) over a Redis stream of listings or an NDJSON file.
import { readFile } from 'node:fs/promises';
import { objectAnswer } from './answer.js';
import { usageError } from './cli-errors.js';
import { flag, stringOption, succeeded, type Command, type CommandResult } from './command.js';

const PATH = '/v1/admin/rechecks';

function jobText(job: Record<string, unknown>): string {
  const changed = job.changed as { total?: unknown } | undefined;
  const eta = typeof job.etaSeconds === 'number' && job.state === 'running' ? `, about ${Math.ceil(job.etaSeconds)} s left` : '';
  const outOfScope = typeof job.outOfScope === 'number' && job.outOfScope > 0 ? ` (${job.outOfScope} out of the change's scope)` : '';
  return `${String(job.id)}: ${String(job.state)}, ${String(job.done)} of ${String(job.total)} checked${outOfScope}, ${String(changed?.total ?? 0)} changed${eta}`;
}

const start: Command = {
  group: 'rechecks',
  name: 'start',
  summary: "check listings again and emit the verdicts that changed: a stream's (--stream) or a file's (--file)",
  args: [],
  options: {
    stream: { type: 'string', value: '<key>', description: "a Redis stream of listings under GATE_REDIS_PREFIX, entries as the intake's" },
    file: { type: 'string', value: '<path>', description: 'an NDJSON file, one POST /v1/check body a line' },
    'only-changed': { type: 'boolean', description: 'emit only changed verdicts (default: every verdict)' },
  },
  async run({ options, gate }) {
    const stream = stringOption(options, 'stream');
    const file = stringOption(options, 'file');
    const onlyChanged = flag(options, 'only-changed');
    if ((stream === undefined) === (file === undefined)) throw usageError('give one of --stream <key> or --file <path>');
    let answer: unknown;
    if (stream !== undefined) answer = await gate().request('POST', PATH, { json: { source: { stream }, onlyChanged } });
    else {
      let bytes: Buffer;
      try {
        bytes = await readFile(file ?? '');
      } catch (error) {
        throw usageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      }
      answer = await gate().request('POST', `${PATH}?onlyChanged=${onlyChanged}`, { bytes, contentType: 'application/x-ndjson' });
    }
    const job = objectAnswer(answer, `POST ${PATH}`);
    return succeeded(job, `${String(job.id)}: started over ${String(job.total)} listing(s)`);
  },
};

const get: Command = {
  group: 'rechecks',
  name: 'get',
  summary: "a job's state and counts, or every job kept when no id is given",
  args: ['[id]'],
  async run({ args: [id], gate }): Promise<CommandResult> {
    if (id === undefined) {
      const answer = objectAnswer(await gate().request('GET', PATH), `GET ${PATH}`);
      const jobs = Array.isArray(answer.jobs) ? answer.jobs.map((job) => objectAnswer(job, `GET ${PATH}`)) : [];
      return succeeded(answer, jobs.length === 0 ? 'no re-check jobs' : jobs.map(jobText).join('\n'));
    }
    const job = objectAnswer(await gate().request('GET', `${PATH}/${encodeURIComponent(id)}`), `GET ${PATH}/{id}`);
    return succeeded(job, jobText(job));
  },
};

function action(name: 'pause' | 'resume' | 'cancel', summary: string): Command {
  return {
    group: 'rechecks',
    name,
    summary,
    args: ['<id>'],
    async run({ args: [id = ''], gate }) {
      const job = objectAnswer(await gate().request('POST', `${PATH}/${encodeURIComponent(id)}/${name}`), `POST ${PATH}/{id}/${name}`);
      return succeeded(job, jobText(job));
    },
  };
}

export const RECHECK_COMMANDS: readonly Command[] = [
  start,
  get,
  action('pause', 'pause a running job (any instance stops after its batch)'),
  action('resume', 'resume a paused job'),
  action('cancel', 'cancel a running or paused job for good'),
];
