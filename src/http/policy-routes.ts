// The admin's view of the policy lifecycle (issue 26): shadow entries with
// their figures; the pack's versions, a rollback to one, what changed between
// two, and a staged rollout (docs/policy-lifecycle.md).
import { BACKTEST_ADDITIONS_AT_MOST, noRemovals, type ListAndBankRemovals } from '../backtest/backtest-candidate.js';
import type { RouteRegistrar } from './route-table.js';
import { GateError } from '../errors/gate-error.js';
import { ENTRY_KINDS, type EntryKind } from '../gate/shadow-entry.js';
import type { LivePack } from '../pack/live-pack.js';
import type { PackManager } from '../pack/pack-manager.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { CompiledPack } from '../pack/compiled-pack.js';
import { packEntries, shadowEntries, type PackEntry } from '../policy/pack-entries.js';
import type { ShadowFigures } from '../policy/shadow-figures.js';
import type { EnforcedFigures } from '../policy/enforced-figures.js';
import { route, type RouteOptions } from './route-handler.js';
import type { Principal } from '../auth/token-registry.js';
import { checkNumber, checkString, FieldIssues, isPlainObject } from '../validation/field-issues.js';
import { invalidFieldsError } from '../validation/invalid-fields-error.js';
import { decodePackSource } from '../pack/pack-source.js';
import { validatePack } from '../pack/validate-pack.js';
import { PackInvalidError } from '../pack/pack-invalid-error.js';
import { diffPacks } from '../policy/pack-diff.js';
import type { EntryMode, PolicyPack } from '../pack/policy-pack.js';
import type { PackVersion } from '../policy/pack-history.js';
import type { PackFile } from '../pack/pack-source.js';
import type { BacktestRunner } from '../backtest/backtest-runner.js';
import { readFile, rm } from 'node:fs/promises';
import { applyPackChange } from '../policy/pack-change.js';
import { decodeBody } from './decode-body.js';
import { sharedBytes, type PackBytes } from '../pack/pack-source.js';
import type { GateLog } from '../observability/gate-logger.js';

/** Packs larger than this are not diffed on the event loop. */
const MAX_DIFF_BYTES = 64 * 1024 * 1024;

/** Who the audit log and the history name for an admin call. */
export function adminName(principal: Principal | undefined): string {
  return principal?.subject ? `admin:${principal.subject}` : 'admin';
}

/** A change against the live pack is a few entries, read whole; a pack is streamed to the pack-build process instead. */
const MAX_CHANGE_BYTES = 4 * 1024 * 1024;

/** The live pack with the uploaded change applied (pack-change.ts), as bytes for the pack-build process. */
async function changedPack(live: PolicyPack, upload: PackFile): Promise<{ source: PackBytes; removals: ListAndBankRemovals }> {
  if (upload.size > MAX_CHANGE_BYTES)
    throw new GateError(
      'GATE_ERR_BODY_TOO_LARGE',
      `a change against the live pack is at most ${MAX_CHANGE_BYTES} bytes; send a whole pack without ?against=live instead`,
    );
  const applied = applyPackChange(live, decodeBody(await readFile(upload.file), upload.format));
  if ('issues' in applied) throw invalidFieldsError(applied.issues.list);
  return { source: { bytes: sharedBytes([Buffer.from(JSON.stringify(applied.candidate))]), format: 'json' }, removals: applied.removals };
}

/** A rollout's share of sellers in percent, from a body or a query: 0 to 100, to 0.01. */
export function checkPercent(issues: FieldIssues, path: string, value: unknown): number | undefined {
  const percent = checkNumber(issues, path, value, { min: 0, max: 100, required: true });
  if (percent !== undefined && Math.round(percent * 100) !== percent * 100)
    issues.add(path, 'must be given to at most two decimals (a share of 10,000 buckets)');
  return percent;
}

export interface PolicyRouteParts {
  livePack: LivePack;
  packs: PackManager;
  shadow: ShadowFigures;
  entryFigures: EnforcedFigures;
  /** Absent with GATE_BACKTEST_SAMPLE=0. */
  backtests: BacktestRunner | undefined;
  /** Where an uploaded pack is written as it arrives, and its largest size: as for PUT /v1/admin/pack. */
  packUpload: { path: () => string; maxBytes: number };
  audit: AuditLog;
  log: GateLog;
}

/** Listing ids a backtest names per transition and per entry, unless `?examples=` says. */
const BACKTEST_EXAMPLES = 5;
const MAX_BACKTEST_EXAMPLES = 1000;

export const ENTRIES_PATH = '/v1/admin/entries';

function kindOf(raw: string | null): EntryKind | undefined {
  if (raw === null) return undefined;
  if ((ENTRY_KINDS as readonly string[]).includes(raw)) return raw as EntryKind;
  throw new GateError('GATE_ERR_INVALID_FIELD', `kind must be one of ${ENTRY_KINDS.join(', ')}`, { field: 'kind' });
}

export function registerPolicyRoutes(app: RouteRegistrar, p: PolicyRouteParts, options: (extra?: Partial<RouteOptions>) => RouteOptions): void {
  const admin = { auth: { roles: ['admin'], name: 'admin' } } as const;

  const versionEntry = async (version: string, field: string): Promise<PackVersion> => {
    const entry = await p.packs.history.find(version);
    if (!entry) throw new GateError('GATE_ERR_NOT_FOUND', `no version "${version}" in the pack history`, { field });
    return entry;
  };
  const packOf = async (entry: PackVersion, field: string): Promise<PolicyPack> => {
    if (entry.bytes > MAX_DIFF_BYTES)
      throw new GateError('GATE_ERR_INVALID_FIELD', `version "${entry.version}" is ${entry.bytes} bytes, over the ${MAX_DIFF_BYTES} a diff reads`, { field });
    const source = await p.packs.readVersion(entry);
    if ('file' in source) throw new Error('a stored version is read as bytes');
    const validation = validatePack(decodePackSource(source));
    if (!validation.ok) throw new PackInvalidError(validation.issues);
    return validation.pack;
  };

  app.get(
    '/v1/admin/pack/versions',
    route(options(admin), async () => {
      const live = p.livePack.current;
      const rollout = await p.packs.readRollout();
      return {
        live: live ? { version: live.pack.packVersion, packHash: live.packHash, key: live.key } : null,
        rollout: rollout ? { version: rollout.version, percent: rollout.percent, at: rollout.at, who: rollout.who } : null,
        versions: (await p.packs.history.list()).map(({ chunks: _chunks, format: _format, ...entry }) => entry),
      };
    }),
  );

  app.post(
    '/v1/admin/pack/rollback',
    route(options({ ...admin, readsBody: true }), async ({ body, principal }) => {
      const issues = new FieldIssues();
      const version = isPlainObject(body) ? checkString(issues, 'version', body.version, { min: 1, max: 128, required: true }) : undefined;
      if (version === undefined) throw invalidFieldsError(issues.list, { message: 'must be an object { "version": "<packVersion>" }' });
      const who = adminName(principal);
      const from = p.livePack.current?.pack.packVersion ?? null;
      const started = performance.now();
      const { compiled, how, rolloutCancelled } = await p.packs.rollback(version, who);
      const tookMillis = Math.round(performance.now() - started);
      await p.audit.record({ who, what: 'pack:rollback', subject: version, details: { from, key: compiled.key, how, rolloutCancelled, tookMillis } });
      p.log.info(`pack ${version} made live again by ${who} (${how}, ${tookMillis} ms${rolloutCancelled ? '; the rollout was cancelled' : ''})`);
      return { packVersion: compiled.pack.packVersion, key: compiled.key, how, rolloutCancelled, tookMillis };
    }),
  );

  app.get(
    '/v1/admin/pack/diff',
    route(options(admin), async ({ head }) => {
      const query = new URLSearchParams(head.query);
      const issues = new FieldIssues();
      const from = checkString(issues, 'from', query.get('from') ?? undefined, { min: 1, max: 128, required: true });
      const to = checkString(issues, 'to', query.get('to') ?? undefined, { min: 1, max: 128, required: true });
      if (from === undefined || to === undefined) throw invalidFieldsError(issues.list);
      const [before, after] = await Promise.all([
        versionEntry(from, 'from').then((e) => packOf(e, 'from')),
        versionEntry(to, 'to').then((e) => packOf(e, 'to')),
      ]);
      return { from, to, ...diffPacks(before, after) };
    }),
  );

  app.get(
    '/v1/admin/pack/rollout',
    route(options(admin), async () => {
      const state = await p.packs.readRollout();
      return state ? { version: state.version, percent: state.percent, at: state.at, who: state.who } : { version: null, percent: 0 };
    }),
  );

  app.post(
    '/v1/admin/pack/rollout',
    route(options({ ...admin, readsBody: true }), async ({ body, principal }) => {
      const issues = new FieldIssues();
      if (!isPlainObject(body)) issues.add('body', 'must be an object { "version": "<packVersion>", "percent": 0-100 }');
      const raw = isPlainObject(body) ? body : {};
      const version = checkString(issues, 'version', raw.version, { min: 1, max: 128, required: true });
      const percent = checkPercent(issues, 'percent', raw.percent);
      if (version === undefined || percent === undefined || !issues.empty) throw invalidFieldsError(issues.list);
      const who = adminName(principal);
      return stageRollout(p, version, percent, who);
    }),
  );

  app.post(
    '/v1/admin/pack/backtest',
    route(options({ ...admin, readsBody: true, bodyToFile: p.packUpload.path, maxBodyBytes: p.packUpload.maxBytes }), async ({ body, head }) => {
      // The upload went to a file as it arrived; the pack-build process decodes it, as for PUT /v1/admin/pack.
      const upload = body as PackFile;
      try {
        const issues = new FieldIssues();
        const raw = new URLSearchParams(head.query).get('examples');
        const examples =
          raw === null
            ? BACKTEST_EXAMPLES
            : checkNumber(issues, 'examples', raw.trim() === '' ? undefined : Number(raw), {
                min: 0,
                max: MAX_BACKTEST_EXAMPLES,
                integer: true,
                required: true,
              });
        if (examples === undefined || !issues.empty) throw invalidFieldsError(issues.list);
        const against = new URLSearchParams(head.query).get('against');
        if (against !== null && against !== 'live')
          throw new GateError(
            'GATE_ERR_INVALID_FIELD',
            'against must be "live" (the body is then a change against the live pack) or absent (the body is a whole pack)',
            { field: 'against' },
          );
        if (!p.backtests) throw new GateError('GATE_ERR_CONFLICT', 'this instance keeps no sample to backtest (GATE_BACKTEST_SAMPLE=0)');
        const live = p.livePack.current;
        if (!live) throw new GateError('GATE_ERR_NOT_READY', 'no pack is live yet');
        const { source, removals } = against === 'live' ? await changedPack(live.pack, upload) : { source: upload, removals: noRemovals() };
        const started = performance.now();
        const { candidate, replayMillis, startMillis, ...changes } = await p.backtests.run(
          live,
          async () => ({ ...(await p.packs.trial(source, BACKTEST_ADDITIONS_AT_MOST)), removals }),
          examples,
        );
        const tookMillis = Math.round(performance.now() - started);
        p.log.info(
          `backtest of pack ${candidate.pack.packVersion} against ${live.pack.packVersion}: ${changes.changed} of ${changes.sample} listings changed (${replayMillis} ms replaying, ${tookMillis} ms in all)`,
        );
        return {
          live: { version: live.pack.packVersion, key: live.key },
          candidate: { version: candidate.pack.packVersion, key: candidate.key, patternCount: candidate.patternCount },
          ...changes,
          replayMillis,
          listingsPerSecond: replayMillis > 0 ? Math.round((changes.sample * 1000) / replayMillis) : null,
          startMillis,
          tookMillis,
        };
      } finally {
        await rm(upload.file, { force: true });
      }
    }),
  );

  app.get(
    ENTRIES_PATH,
    route(options(admin), async ({ head }) => {
      const query = new URLSearchParams(head.query);
      const mode = modeOf(query.get('mode'));
      const kind = kindOf(query.get('kind'));
      const brand = query.get('brand') ?? undefined;
      const listed = (await entriesWithCounted(p, mode)).filter(
        (entry) => (kind === undefined || entry.kind === kind) && (brand === undefined || namesBrand(entry, brand)),
      );
      const entries = await withFigures(p, mode, listed);
      entries.sort((a, b) => b.hits.week - a.hits.week);
      return { mode, entries };
    }),
  );

  app.get(
    `${ENTRIES_PATH}/:entry`,
    route(options({ ...admin, paramCount: 1 }), async ({ head }) => {
      const key = decodeURIComponent(head.params[0] ?? '');
      const colon = key.indexOf(':');
      const kind = colon > 0 ? key.slice(0, colon) : '';
      if (colon <= 0 || !(ENTRY_KINDS as readonly string[]).includes(kind)) {
        throw new GateError('GATE_ERR_INVALID_FIELD', `entry must be <kind>:<id> with kind one of ${ENTRY_KINDS.join(', ')} (URL-encoded), got "${key}"`, {
          field: 'entry',
        });
      }
      const id = key.slice(colon + 1);
      for (const mode of ['enforce', 'shadow'] as const) {
        const found = (await entriesWithCounted(p, mode)).filter((entry) => entry.kind === kind && entry.id === id);
        if (found.length > 0) return (await withFigures(p, mode, found, true))[0];
      }
      throw new GateError('GATE_ERR_NOT_FOUND', `no ${kind} entry "${id}" in the live pack or the rollout's candidate`, { field: 'entry' });
    }),
  );
}

type ListedEntry = PackEntry & { kind: EntryKind; policyVersion: string };

function modeOf(raw: string | null): EntryMode {
  if (raw === null || raw === 'shadow') return 'shadow';
  if (raw === 'enforce') return 'enforce';
  throw new GateError('GATE_ERR_INVALID_FIELD', `mode must be "shadow" or "enforce", got "${raw}"`, { field: 'mode' });
}

/** The live pack's entries in `mode`, then the rollout candidate's it does not have (exceptions have no figures). */
function entriesOf(p: PolicyRouteParts, mode: EntryMode): ListedEntry[] {
  const packs: CompiledPack[] = [];
  const live = p.livePack.current;
  if (live) packs.push(live);
  const candidate = p.livePack.rollout?.compiled;
  if (candidate && candidate !== live) packs.push(candidate);
  const seen = new Set<string>();
  const listed: ListedEntry[] = [];
  for (const compiled of packs) {
    const entries = mode === 'shadow' ? shadowEntries(compiled.pack) : [...packEntries(compiled.pack)].filter((entry) => entry.mode === 'enforce');
    for (const entry of entries) {
      if (entry.kind === 'exception') continue;
      const key = `${entry.kind}\t${entry.id}`;
      if (seen.has(key)) continue;
      seen.add(key);
      listed.push({ ...entry, kind: entry.kind, policyVersion: compiled.pack.packVersion });
    }
  }
  return listed;
}

/** Enforced: the packs' entries and those counted this week that the packs do not list (seeded lists and banks). */
async function entriesWithCounted(p: PolicyRouteParts, mode: EntryMode): Promise<ListedEntry[]> {
  const listed = entriesOf(p, mode);
  if (mode === 'shadow') return listed;
  const known = new Set(listed.map((entry) => `${entry.kind}\t${entry.id}`));
  for (const entry of await p.entryFigures.countedEntries()) {
    if (!known.has(`${entry.kind}\t${entry.id}`)) listed.push({ kind: entry.kind, id: entry.id, mode: 'enforce', content: undefined, policyVersion: '' });
  }
  return listed;
}

/** A brand entry with that id, or an entry whose content names the brand. */
function namesBrand(entry: PackEntry, brand: string): boolean {
  if (entry.kind === 'brand') return entry.id === brand;
  const content = entry.content as { brand?: unknown; brands?: unknown } | null;
  return content?.brand === brand || (Array.isArray(content?.brands) && content.brands.includes(brand));
}

async function withFigures(
  p: PolicyRouteParts,
  mode: EntryMode,
  listed: readonly ListedEntry[],
  hourly = false,
): Promise<Array<Record<string, unknown> & { hits: { week: number } }>> {
  const base = (entry: ListedEntry): Record<string, unknown> => ({ id: entry.id, kind: entry.kind, mode: entry.mode, policyVersion: entry.policyVersion });
  const none = { hits: { hour: 0, day: 0, week: 0 } };
  if (mode === 'shadow') {
    const figures = await p.shadow.figuresOf(listed);
    return listed.map((entry) => ({ ...base(entry), ...(figures.get(`${entry.kind}\t${entry.id}`) ?? none) }));
  }
  const figures = await p.entryFigures.figuresOf(listed);
  return listed.map((entry) => {
    const found = figures.get(`${entry.kind}\t${entry.id}`);
    if (!found) return { ...base(entry), ...none };
    const { hourly: byHour, ...rest } = found;
    return { ...base(entry), ...rest, ...(hourly ? { hourly: byHour } : {}) };
  });
}

/** Sets a rollout and records it: what POST /v1/admin/pack/rollout and PUT /v1/admin/pack?rolloutPercent= answer. */
export async function stageRollout(
  p: Pick<PolicyRouteParts, 'packs' | 'audit' | 'log'>,
  version: string,
  percent: number,
  who: string,
): Promise<Record<string, unknown>> {
  const before = await p.packs.readRollout();
  const result = await p.packs.rollout(version, percent, who);
  const what = percent <= 0 ? 'pack:rollout-cancel' : percent >= 100 ? 'pack:promote' : 'pack:rollout';
  await p.audit.record({
    who,
    what,
    subject: version,
    details: { percent, from: before ? { version: before.version, percent: before.percent } : null, how: result.how },
  });
  p.log.info(`pack ${version}: ${what} at ${percent}% by ${who} (${result.how})`);
  return {
    version,
    percent: result.state?.percent ?? (percent >= 100 ? 100 : 0),
    live: result.live ? result.live.pack.packVersion : undefined,
    how: result.how,
  };
}
