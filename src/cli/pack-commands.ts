// gatectl pack validate|diff|upload|backtest|rollback|versions. Validation and diffs of
// files run offline (pack-offline.ts); the rest call the admin API
// (docs/policy-lifecycle.md).
import type { PackDiff } from '../policy/pack-diff.js';
import { PACK_ACTIONS } from '../policy/pack-history.js';
import type { AdminClient } from './admin-client.js';
import { objectAnswer } from './answer.js';
import { CliError, usageError } from './cli-errors.js';
import { flag, stringOption, succeeded, type Command, type CommandResult } from './command.js';
import { diffText } from './diff-text.js';
import { earlierVersion, type VersionEntry } from './earlier-version.js';
import { contentTypeOf, readPackFile } from './pack-file.js';

const validate: Command = {
  group: 'pack',
  name: 'validate',
  summary: 'check a pack file as the gate checks an upload, with no gate (exit 1 when it would be refused)',
  args: ['<file>'],
  async run({ args: [file = ''] }) {
    return (await import('./pack-offline.js')).validatePackFile(file);
  },
};

function diffOf(answer: unknown): PackDiff {
  const body = objectAnswer(answer, 'GET /v1/admin/pack/diff');
  const isObject = (value: unknown): boolean => typeof value === 'object' && value !== null;
  if (!isObject(body.added) || !isObject(body.removed) || !isObject(body.changed) || !Array.isArray(body.settings))
    throw new CliError('GATECTL_ERR_BAD_ANSWER', 'GET /v1/admin/pack/diff answered without added, removed, changed and settings');
  return body as unknown as PackDiff;
}

const diff: Command = {
  group: 'pack',
  name: 'diff',
  summary: 'what changed between two pack files (offline), or two versions the gate keeps (--from, --to)',
  args: ['[a]', '[b]'],
  options: {
    from: { type: 'string', value: '<version>', description: "a version in the gate's history (with --to)" },
    to: { type: 'string', value: '<version>', description: 'the version to compare it with' },
  },
  help: 'Give two files, or --from and --to; not both. Exit 0 whether they differ or not.',
  async run({ args, options, gate }) {
    const from = stringOption(options, 'from');
    const to = stringOption(options, 'to');
    if (from === undefined && to === undefined) {
      const [a, b] = args;
      if (a === undefined || b === undefined) throw usageError(`missing argument ${a === undefined ? '<a>' : '<b>'}: give two pack files, or --from and --to`);
      return (await import('./pack-offline.js')).diffPackFiles(a, b);
    }
    if (args.length > 0) throw usageError('give two files or --from and --to, not both');
    if (from === undefined || to === undefined) throw usageError(`missing ${from === undefined ? '--from' : '--to'} <version>`);
    const result = { from, to, ...diffOf(await gate().request('GET', `/v1/admin/pack/diff?${new URLSearchParams({ from, to })}`)) };
    return succeeded(result, diffText(result));
  },
};

const upload: Command = {
  group: 'pack',
  name: 'upload',
  summary: 'make a pack file live on every instance (PUT /v1/admin/pack), or stage it for a share of sellers',
  args: ['<file>'],
  options: {
    rollout: { type: 'string', value: '<percent>', description: 'judge only this share of sellers with it (0-100; 100 makes it live)' },
  },
  async run({ args: [file = ''], options, gate }) {
    const source = await readPackFile(file);
    const rollout = stringOption(options, 'rollout');
    const query = rollout === undefined ? '' : `?${new URLSearchParams({ rolloutPercent: rollout })}`;
    const answer = objectAnswer(
      await gate().request('PUT', `/v1/admin/pack${query}`, { bytes: source.bytes, contentType: contentTypeOf(source) }),
      'PUT /v1/admin/pack',
    );
    const text =
      rollout === undefined
        ? `pack ${String(answer.packVersion)} is live: ${String(answer.patternCount)} patterns, ${answer.fromCache ? 'its database from the cache' : `compiled in ${String(answer.compileMillis)} ms`}`
        : `pack ${String(answer.packVersion)} staged for ${String(answer.percent)}% of sellers${typeof answer.live === 'string' ? `; ${answer.live} is live` : ''}`;
    return succeeded(answer, text);
  },
};

/** One line per transition and per entry of a backtest's answer (docs/policy-lifecycle.md). */
function backtestText(answer: Record<string, unknown>): string {
  const candidate = answer.candidate as { version?: unknown } | undefined;
  const lines = [`${String(answer.changed)} of ${String(answer.sample)} listings change with ${String(candidate?.version)}`];
  const transitions = (answer.transitions ?? {}) as Record<string, { count?: unknown }>;
  for (const [transition, counted] of Object.entries(transitions)) lines.push(`  ${transition}  ${String(counted.count)}`);
  const entries = Array.isArray(answer.entries) ? (answer.entries as Array<Record<string, unknown>>) : [];
  for (const entry of entries) lines.push(`  ${String(entry.change)} ${String(entry.code)} ${String(entry.ref)}: ${String(entry.listings)} listings`);
  return lines.join('\n');
}

const backtest: Command = {
  group: 'pack',
  name: 'backtest',
  summary: "replay the gate's sample of recent listings through a pack file, or a change against the live pack (--against-live)",
  args: ['<file>'],
  options: {
    'against-live': { type: 'boolean', description: 'the file is a change (add, remove, thresholds), not a whole pack' },
    examples: { type: 'string', value: '<n>', description: 'listing ids named per transition and per entry' },
  },
  async run({ args: [file = ''], options, gate }) {
    const source = await readPackFile(file);
    const query = new URLSearchParams();
    if (flag(options, 'against-live')) query.set('against', 'live');
    const examples = stringOption(options, 'examples');
    if (examples !== undefined) query.set('examples', examples);
    const path = `/v1/admin/pack/backtest${query.size > 0 ? `?${query}` : ''}`;
    const answer = objectAnswer(
      await gate().request('POST', path, { bytes: source.bytes, contentType: contentTypeOf(source) }),
      'POST /v1/admin/pack/backtest',
    );
    return succeeded(answer, backtestText(answer));
  },
};

function versionEntries(answer: Record<string, unknown>): VersionEntry[] {
  if (!Array.isArray(answer.versions)) throw new CliError('GATECTL_ERR_BAD_ANSWER', 'GET /v1/admin/pack/versions answered without versions');
  return answer.versions.filter(
    (entry: unknown): entry is VersionEntry =>
      typeof entry === 'object' &&
      entry !== null &&
      typeof (entry as VersionEntry).version === 'string' &&
      (PACK_ACTIONS as readonly unknown[]).includes((entry as VersionEntry).action),
  );
}

function liveVersion(answer: Record<string, unknown>): string | null {
  const live = answer.live as { version?: unknown } | null | undefined;
  return typeof live?.version === 'string' ? live.version : null;
}

async function readVersions(gate: AdminClient): Promise<Record<string, unknown>> {
  return objectAnswer(await gate.request('GET', '/v1/admin/pack/versions'), 'GET /v1/admin/pack/versions');
}

const rollback: Command = {
  group: 'pack',
  name: 'rollback',
  summary: 'make an earlier version live again on every instance (default: the one made live before the live one)',
  args: [],
  options: {
    to: { type: 'string', value: '<version>', description: 'the version to make live (see pack versions)' },
  },
  async run({ options, gate }): Promise<CommandResult> {
    let version = stringOption(options, 'to');
    if (version === undefined) {
      const answer = await readVersions(gate());
      const live = liveVersion(answer);
      version = earlierVersion(live, versionEntries(answer));
      if (version === undefined)
        throw new CliError('GATECTL_ERR_NO_EARLIER_VERSION', `no version was made live before ${live ?? 'the live one'}; name one with --to`);
    }
    const answer = objectAnswer(await gate().request('POST', '/v1/admin/pack/rollback', { json: { version } }), 'POST /v1/admin/pack/rollback');
    return succeeded(
      answer,
      `pack ${String(answer.packVersion)} is live again (${String(answer.how)}, ${String(answer.tookMillis)} ms)${answer.rolloutCancelled ? '; the rollout was cancelled' : ''}`,
    );
  },
};

const versions: Command = {
  group: 'pack',
  name: 'versions',
  summary: 'the versions made live, newest first, with who, when and how',
  args: [],
  async run({ gate }) {
    const answer = await readVersions(gate());
    const live = liveVersion(answer);
    versionEntries(answer);
    const rows = (answer.versions as Array<Record<string, unknown>>).map(
      (v) => `${v.version === live ? '*' : ' '} ${String(v.version)}  ${String(v.action)}  ${String(v.at)}  ${String(v.who)}  ${String(v.patterns)} patterns`,
    );
    const rollout = answer.rollout as { version?: unknown; percent?: unknown } | null;
    if (rollout) rows.push(`rollout: ${String(rollout.version)} at ${String(rollout.percent)}%`);
    return succeeded(answer, rows.join('\n'));
  },
};

export const PACK_COMMANDS: readonly Command[] = [validate, diff, upload, backtest, rollback, versions];
