// The admin's view of the policy lifecycle (issue 26): shadow entries with
// their figures.
import type uWS from '@trufflesuite/uws-js-unofficial';
import { GateError } from '../errors/gate-error.js';
import { ENTRY_KINDS, type EntryKind } from '../gate/shadow-entry.js';
import type { LivePack } from '../pack/live-pack.js';
import type { PackManager } from '../pack/pack-manager.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { CompiledPack } from '../pack/compiled-pack.js';
import { shadowEntries, type PackEntry } from '../policy/pack-entries.js';
import type { ShadowFigures } from '../policy/shadow-figures.js';
import { route, type RouteOptions } from './route-handler.js';

export interface PolicyRouteParts {
  livePack: LivePack;
  packs: PackManager;
  shadow: ShadowFigures;
  audit: AuditLog;
  log: (message: string) => void;
}

export const ENTRIES_PATH = '/v1/admin/entries';
/** The pack's lifecycle routes besides PUT/GET /v1/admin/pack. */
export const POLICY_PATHS = ['/v1/admin/pack/versions', '/v1/admin/pack/rollback', '/v1/admin/pack/diff', '/v1/admin/pack/rollout'];

function kindOf(raw: string | null): EntryKind | undefined {
  if (raw === null) return undefined;
  if ((ENTRY_KINDS as readonly string[]).includes(raw)) return raw as EntryKind;
  throw new GateError('GATE_ERR_INVALID_FIELD', `kind must be one of ${ENTRY_KINDS.join(', ')}`, { field: 'kind' });
}

export function registerPolicyRoutes(app: uWS.TemplatedApp, p: PolicyRouteParts, options: (extra?: Partial<RouteOptions>) => RouteOptions): void {
  const admin = { auth: { roles: ['admin'], name: 'admin' } } as const;

  app.get(
    ENTRIES_PATH,
    route(options(admin), async ({ head }) => {
      const query = new URLSearchParams(head.query);
      const mode = query.get('mode') ?? 'shadow';
      // Figures are counted for shadow entries only (issue 26 point 1); enforced entries' are point 2.
      if (mode !== 'shadow') throw new GateError('GATE_ERR_INVALID_FIELD', 'mode must be "shadow": only shadow entries are counted', { field: 'mode' });
      const kind = kindOf(query.get('kind'));
      const packs: CompiledPack[] = [];
      const live = p.livePack.current;
      if (live) packs.push(live);
      const candidate = p.livePack.rollout?.compiled;
      if (candidate && candidate !== live) packs.push(candidate);
      const seen = new Set<string>();
      const listed: Array<PackEntry & { policyVersion: string }> = [];
      for (const compiled of packs) {
        for (const entry of shadowEntries(compiled.pack)) {
          if (kind !== undefined && entry.kind !== kind) continue;
          const key = `${entry.kind}\t${entry.id}`;
          if (seen.has(key)) continue;
          seen.add(key);
          listed.push({ ...entry, policyVersion: compiled.pack.packVersion });
        }
      }
      const figures = await p.shadow.figuresOf(listed.filter((e): e is typeof e & { kind: EntryKind } => e.kind !== 'exception'));
      const entries = listed
        .map((entry) => ({ id: entry.id, kind: entry.kind, mode: entry.mode, policyVersion: entry.policyVersion, ...figures.get(`${entry.kind}\t${entry.id}`) }))
        .sort((a, b) => (b.hits?.week ?? 0) - (a.hits?.week ?? 0));
      return { mode, entries };
    }),
  );
}
