// Validates and compiles a pack off the event loop (Hyperscan compiles on libuv's
// thread pool), so serving goes on while a large pack builds.
import { regexRuleIssues } from './regex-rule-issues.js';
import { createHash } from 'node:crypto';
import { arch } from 'node:os';
import { buildPatternPlan, type PatternMeta } from '../matcher/pattern-plan.js';
import { isPatternCompileError, rulesEngine, type NativeDatabase, type PatternSpec } from '../native/rules-engine.js';
import type { FieldIssue } from '../validation/field-issues.js';
import type { CompiledPack } from './compiled-pack.js';
import { PackInvalidError } from './pack-invalid-error.js';
import type { PolicyPack } from './policy-pack.js';
import { validatePack } from './validate-pack.js';
import type { DatabaseCache } from './database-cache.js';

function sharedBytes(source: Uint8Array): Uint8Array {
  const target = new Uint8Array(new SharedArrayBuffer(source.byteLength));
  target.set(source);
  return target;
}

function sharedWords(source: Uint32Array): Uint32Array {
  const target = new Uint32Array(new SharedArrayBuffer(source.byteLength));
  target.set(source);
  return target;
}

function sharedHalfWords(source: Uint16Array): Uint16Array {
  const target = new Uint16Array(new SharedArrayBuffer(source.byteLength));
  target.set(source);
  return target;
}

function shareMeta(meta: PatternMeta): PatternMeta {
  return {
    kinds: sharedBytes(meta.kinds),
    refs: sharedWords(meta.refs),
    boundaries: sharedBytes(meta.boundaries),
    fieldMasks: sharedBytes(meta.fieldMasks),
    skeletons: sharedBytes(meta.skeletons),
    skeletonStarts: sharedWords(meta.skeletonStarts),
    soundFold: sharedHalfWords(meta.soundFold),
  };
}

/** Identifies a compiled database by what it was built from and what it runs on. */
export function databaseKey(patterns: readonly PatternSpec[], meta: PatternMeta): string {
  const hash = createHash('sha256');
  hash.update(`hyperscan ${rulesEngine.version()} ${arch()}\n`);
  for (const p of patterns) hash.update(`${p.id}\t${p.flags}\t${p.expression}\t${JSON.stringify(p.ext ?? null)}\n`);
  hash.update(meta.kinds).update(new Uint8Array(meta.refs.buffer, meta.refs.byteOffset, meta.refs.byteLength));
  hash.update(meta.boundaries).update(meta.fieldMasks).update(meta.skeletons);
  hash.update(new Uint8Array(meta.skeletonStarts.buffer, meta.skeletonStarts.byteOffset, meta.skeletonStarts.byteLength));
  hash.update(new Uint8Array(meta.soundFold.buffer, meta.soundFold.byteOffset, meta.soundFold.byteLength));
  return hash.digest('hex').slice(0, 32);
}

/** Regex rules are tried one by one first, so that every bad one is named, not only the first. */
async function checkRegexRules(pack: PolicyPack, patterns: readonly PatternSpec[], sources: readonly string[], onThisThread: boolean): Promise<FieldIssue[]> {
  const issues: FieldIssue[] = [];
  for (let id = 0; id < patterns.length; id++) {
    const source = sources[id] ?? '';
    const pattern = patterns[id];
    if (!pattern || !source.startsWith('rules[')) continue;
    const rule = pack.rules[Number(/^rules\[(\d+)\]/.exec(source)?.[1] ?? -1)];
    if (rule?.type !== 'regex') continue;
    try {
      (onThisThread ? rulesEngine.compile([pattern]) : await rulesEngine.compileAsync([pattern])).close();
    } catch (error) {
      issues.push({ path: source, message: `does not compile: ${isPatternCompileError(error) ? error.reason : (error as Error).message}` });
    }
  }
  return issues;
}

/** A cached database is used only if it loads: a damaged entry means compiling afresh. */
function loads(bytes: Uint8Array, key: string): boolean {
  try {
    rulesEngine.deserialize(bytes, key).close();
    return true;
  } catch {
    return false;
  }
}

/**
 * With `onThisThread`, Hyperscan compiles on the calling thread (the pack-build
 * thread, which runs at a low CPU priority) instead of libuv's pool, whose threads
 * would compete with serving at normal priority.
 */
export async function compilePack(pack: PolicyPack, cache?: DatabaseCache, onThisThread = false): Promise<CompiledPack> {
  const started = performance.now();
  const plan = buildPatternPlan(pack);
  const key = databaseKey(plan.patterns, plan.meta);
  const cached = await cache?.get(key);
  let serialized: Uint8Array;
  const fromCache = cached !== undefined && loads(cached, key);
  if (fromCache && cached) serialized = cached;
  else {
    const ruleIssues = await checkRegexRules(pack, plan.patterns, plan.sources, onThisThread);
    if (ruleIssues.length > 0) throw new PackInvalidError(ruleIssues);
    let database: NativeDatabase;
    try {
      database = onThisThread ? rulesEngine.compile(plan.patterns) : await rulesEngine.compileAsync(plan.patterns);
    } catch (error) {
      if (isPatternCompileError(error) && error.patternId !== undefined) {
        throw new PackInvalidError([{ path: plan.sources[error.patternId] ?? '(pack)', message: `does not compile: ${error.reason}` }]);
      }
      throw error;
    }
    serialized = database.serialize();
    database.close();
    await cache?.put(key, serialized);
  }
  return {
    fromCache,
    pack,
    key,
    packHash: createHash('sha256').update(JSON.stringify(pack)).digest('hex').slice(0, 32),
    databaseBytes: sharedBytes(serialized),
    meta: shareMeta(plan.meta),
    patternCount: plan.patterns.length,
    compileMillis: performance.now() - started,
  };
}

/** Validates raw JSON and compiles it; throws PackInvalidError naming every bad entry. */
export async function validateAndCompilePack(raw: unknown): Promise<CompiledPack> {
  const validation = validatePack(raw);
  if (!validation.ok) throw new PackInvalidError([...validation.issues, ...regexRuleIssues(raw)]);
  return compilePack(validation.pack);
}
