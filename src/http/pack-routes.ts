// The admin's live pack: read which one is live, or replace it with an upload
// (or, with ?rolloutPercent=N, stage the upload as a candidate judging N% of sellers).
import { rm } from 'node:fs/promises';
import type { AuditLog } from '../audit/audit-log.js';
import { GateError } from '../errors/gate-error.js';
import type { CompiledPack } from '../pack/compiled-pack.js';
import type { LivePack } from '../pack/live-pack.js';
import type { PackManager } from '../pack/pack-manager.js';
import type { PackFile } from '../pack/pack-source.js';
import type { Rechecks } from '../recheck/rechecks.js';
import { changesOnly, recheckAfterChangeQuery, type StreamSource } from '../recheck/recheck-start.js';
import { packScope } from '../recheck/pack-scope.js';
import { FieldIssues } from '../validation/field-issues.js';
import { invalidFieldsError } from '../validation/invalid-fields-error.js';
import { adminName, checkPercent, stageRollout } from './policy-routes.js';
import { recheckAfter } from './recheck-after.js';
import { route, type RouteOptions } from './route-handler.js';
import type { RouteRegistrar } from './route-table.js';
import type { GateLog } from '../observability/gate-logger.js';

export interface PackRouteParts {
  livePack: LivePack;
  packs: PackManager;
  audit: AuditLog;
  rechecks: Rechecks;
  /** GATE_REDIS_PREFIX: a source stream to re-check must be under it. */
  redisPrefix: string;
  /** Where an upload is written as it arrives, and how large it may be. */
  packUpload: { path: () => string; maxBytes: number };
  log: GateLog;
}

/** PUT /v1/admin/pack?rolloutPercent=N: the upload becomes a candidate judging N% of sellers, not the live pack. */
async function uploadCandidate(p: PackRouteParts, upload: PackFile, rawPercent: string, who: string, query: string): Promise<Record<string, unknown>> {
  const issues = new FieldIssues();
  const percent = checkPercent(issues, 'rolloutPercent', rawPercent.trim() === '' ? undefined : Number(rawPercent));
  try {
    if (percent === undefined || !issues.empty) throw invalidFieldsError(issues.list, { field: 'rolloutPercent' });
    // A re-check decides with the live pack; a candidate is not it, so a job would see nothing of the change (docs/rechecks.md).
    if (recheckAfterChangeQuery(query, p.redisPrefix))
      throw new GateError(
        'GATE_ERR_INVALID_FIELD',
        'recheck cannot go with rolloutPercent: a staged pack is a candidate, not the live pack a re-check decides with; re-check with PUT /v1/admin/pack?recheck=true (no rollout), or POST /v1/admin/rechecks once the candidate is promoted',
        { field: 'recheck' },
      );
    const entry = await p.packs.candidate(upload, who);
    await p.audit.record({ who, what: 'pack:candidate', subject: entry.version, details: { key: entry.key, patterns: entry.patterns } });
    return {
      packVersion: entry.version,
      key: entry.key,
      patternCount: entry.patterns,
      ...(await stageRollout({ packs: p.packs, audit: p.audit, log: p.log }, entry.version, percent, who)),
    };
  } finally {
    await rm(upload.file, { force: true });
  }
}

export function registerPackRoutes(app: RouteRegistrar, p: PackRouteParts, options: (extra?: Partial<RouteOptions>) => RouteOptions): void {
  const admin = { roles: ['admin'], name: 'admin' } as const;
  app.get(
    '/v1/admin/pack',
    route(options({ auth: admin }), () => {
      const live = p.livePack.current;
      if (!live) throw new GateError('GATE_ERR_NOT_READY', 'no pack is live yet');
      return {
        packVersion: live.pack.packVersion,
        key: live.key,
        patternCount: live.patternCount,
        compileMillis: Math.round(live.compileMillis),
        fromCache: live.fromCache,
      };
    }),
  );
  app.put(
    '/v1/admin/pack',
    route(options({ auth: admin, readsBody: true, bodyToFile: p.packUpload.path, maxBodyBytes: p.packUpload.maxBytes }), async ({ body, head, principal }) => {
      // The upload went to a file as it arrived; the pack-build process decodes it.
      const upload = body as PackFile;
      const rolloutPercent = new URLSearchParams(head.query).get('rolloutPercent');
      if (rolloutPercent !== null) return uploadCandidate(p, upload, rolloutPercent, adminName(principal), head.query);
      let live: CompiledPack;
      let recheck: StreamSource | undefined;
      const before = p.livePack.current?.pack;
      try {
        recheck = changesOnly(recheckAfterChangeQuery(head.query, p.redisPrefix), 'a pack');
        if (recheck) await p.rechecks.checkSource(recheck);
        live = await p.packs.replace(upload, adminName(principal));
      } catch (error) {
        if (!p.packs.holds(upload.file)) await rm(upload.file, { force: true });
        throw error;
      }
      await p.audit.record({
        who: adminName(principal),
        what: 'pack:replace',
        subject: live.pack.packVersion,
        details: { key: live.key, patterns: live.patternCount },
      });
      p.log.info(`pack ${live.pack.packVersion} made live by an admin (${live.patternCount} patterns, ${live.compileMillis.toFixed(0)} ms)`);
      const answer = {
        packVersion: live.pack.packVersion,
        key: live.key,
        patternCount: live.patternCount,
        compileMillis: Math.round(live.compileMillis),
        fromCache: live.fromCache,
      };
      return { ...answer, ...(await recheckAfter(p, recheck, { by: 'pack:replace', packVersion: live.pack.packVersion }, () => packScope(before, live.pack))) };
    }),
  );
}
