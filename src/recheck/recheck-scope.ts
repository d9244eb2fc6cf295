// What a re-check job started with an admin's change (`recheck: true`) knows of
// that change, and the cheap test it puts each listing of its source through
// before matching it (issue 25 point 3, docs/rechecks.md "Scoped to the
// change"). A listing the change cannot move is skipped and counted out of
// scope. Pure: the scope is stored with the job as JSON and read back here.
import type { CheckRequest } from '../gate/check-request.js';
import { listProbes } from '../gate/list-probes.js';
import { buildImageIndex, lookupImage } from '../fingerprint/image-index.js';
import { parsePhash } from '../fingerprint/phash.js';
import { LIST_KINDS, type ListKind } from '../pack/policy-pack.js';

/** A pack's entries that changed, by kind (PackDiff's ids). */
export type PackEntryIds = Record<string, string[]>;

export type RecheckScope =
  /** Sellers listed or unlisted, with the members of their rings when the job was made. */
  | { kind: 'sellers'; sellers: string[] }
  /** Values added to or removed from another list (shops, phones, devices, paymentAccounts). */
  | { kind: 'list'; list: Exclude<ListKind, 'sellers'>; values: string[] }
  /** Hashes added to the banned or the negative image bank (16 hex digits). */
  | { kind: 'images'; bank: 'images' | 'negative-images'; phashes: string[] }
  /** Texts added to a text bank: any listing may be near one, so every listing is matched. */
  | { kind: 'texts'; bank: 'texts' | 'negative-texts'; entries: number }
  /** A pack made live: its entries added, removed and changed, and the settings that differ, against the pack it replaced. */
  | { kind: 'pack'; from: string; to: string; added: PackEntryIds; removed: PackEntryIds; changed: PackEntryIds; settings: string[] };

export interface ScopeFilter {
  /** False only when the change cannot move this listing's verdict: the job skips it. */
  mayAffect(request: CheckRequest): boolean;
  /** Every listing is matched but only changed verdicts are reported (text banks, packs). */
  changesOnly: boolean;
}

const HEX16 = /^[0-9a-fA-F]{16}$/;

const EVERY_LISTING: ScopeFilter = { mayAffect: () => true, changesOnly: false };

/** The filter of a job's scope; a job without one (started over a source alone) re-checks every listing. */
export function scopeFilter(scope: RecheckScope | undefined): ScopeFilter {
  if (!scope) return EVERY_LISTING;
  switch (scope.kind) {
    case 'sellers': {
      const sellers = new Set(scope.sellers);
      return { mayAffect: (request) => sellers.has(request.sellerId), changesOnly: false };
    }
    case 'list': {
      const values = new Set(scope.values);
      return { mayAffect: (request) => listProbes(request).some((probe) => probe.kind === scope.list && values.has(probe.value)), changesOnly: false };
    }
    case 'images':
      return { mayAffect: nearAddedImage(scope.phashes), changesOnly: false };
    case 'texts':
    case 'pack':
      return { mayAffect: () => true, changesOnly: true };
  }
}

/** True for a listing with an image within the bank's match distance (IMAGE_MATCH_DISTANCE, 8) of an added hash. */
function nearAddedImage(phashes: readonly string[]): (request: CheckRequest) => boolean {
  const hi = new Uint32Array(phashes.length);
  const lo = new Uint32Array(phashes.length);
  phashes.forEach((hex, i) => {
    const hash = parsePhash(hex);
    hi[i] = hash.hi;
    lo[i] = hash.lo;
  });
  const index = buildImageIndex(hi, lo);
  return (request) =>
    (request.images ?? []).some((image) => {
      if (image.phash === undefined || !HEX16.test(image.phash)) return false;
      const { hi: h, lo: l } = parsePhash(image.phash);
      return lookupImage(index, h, l).length > 0;
    });
}

function stringsOf(raw: unknown, field: string): string[] {
  if (!Array.isArray(raw) || !raw.every((value) => typeof value === 'string')) throw new Error(`a re-check scope's ${field} must be an array of strings`);
  return raw as string[];
}

function idsOf(raw: unknown, field: string): PackEntryIds {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error(`a re-check scope's ${field} must be an object of id arrays`);
  return Object.fromEntries(Object.entries(raw).map(([kind, ids]) => [kind, stringsOf(ids, `${field}.${kind}`)]));
}

/** A stored scope read back; throws naming what is wrong (a job whose scope is unreadable must not re-check everything silently). */
export function parseScope(json: string): RecheckScope {
  const raw = JSON.parse(json) as Record<string, unknown>;
  switch (raw.kind) {
    case 'sellers':
      return { kind: 'sellers', sellers: stringsOf(raw.sellers, 'sellers') };
    case 'list': {
      const list = raw.list as ListKind;
      if (list === 'sellers' || !LIST_KINDS.includes(list)) throw new Error(`a re-check scope's list "${String(raw.list)}" is not a list other than sellers`);
      return { kind: 'list', list, values: stringsOf(raw.values, 'values') };
    }
    case 'images': {
      const phashes = stringsOf(raw.phashes, 'phashes');
      const bad = phashes.find((hex) => !HEX16.test(hex));
      if (bad !== undefined) throw new Error(`a re-check scope's phash "${bad}" is not 16 hexadecimal digits`);
      return { kind: 'images', bank: raw.bank === 'negative-images' ? 'negative-images' : 'images', phashes };
    }
    case 'texts':
      return { kind: 'texts', bank: raw.bank === 'negative-texts' ? 'negative-texts' : 'texts', entries: Number(raw.entries ?? 0) };
    case 'pack':
      return {
        kind: 'pack',
        from: String(raw.from ?? ''),
        to: String(raw.to ?? ''),
        added: idsOf(raw.added ?? {}, 'added'),
        removed: idsOf(raw.removed ?? {}, 'removed'),
        changed: idsOf(raw.changed ?? {}, 'changed'),
        settings: stringsOf(raw.settings ?? [], 'settings'),
      };
    default:
      throw new Error(`a re-check scope's kind "${String(raw.kind)}" is unknown`);
  }
}

/** What GET /v1/admin/rechecks/{id} shows of a scope: its kind and how much changed, not every value. */
export function scopeSummary(scope: RecheckScope): Record<string, unknown> {
  const count = (ids: PackEntryIds): number => Object.values(ids).reduce((sum, list) => sum + list.length, 0);
  switch (scope.kind) {
    case 'sellers':
      return { kind: 'sellers', sellers: scope.sellers.length };
    case 'list':
      return { kind: 'list', list: scope.list, values: scope.values.length };
    case 'images':
      return { kind: 'images', bank: scope.bank, phashes: scope.phashes.length };
    case 'texts':
      return { kind: 'texts', bank: scope.bank, entries: scope.entries };
    case 'pack':
      return {
        kind: 'pack',
        from: scope.from,
        to: scope.to,
        added: count(scope.added),
        removed: count(scope.removed),
        changed: count(scope.changed),
        settings: scope.settings,
      };
  }
}
