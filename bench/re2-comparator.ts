// RE2 (the `re2` package, Google's RE2 with Abseil built from source at install)
// as a comparator for the matching benches. It is an optional dependency: where
// its build failed, the benches say why and run without it.
import { createRequire } from 'node:module';

/** The part of `re2`'s API the benches use (the package's own types are not imported, so the build does not need it). */
export interface Re2Set {
  /** Indexes of the patterns that match anywhere in the text (no offsets). A Buffer is taken as UTF-8 as it is; a string is converted on every call. */
  match(text: string | Buffer): number[];
}

export interface Re2Regex {
  test(text: string | Buffer): boolean;
}

export interface Re2Module {
  new (pattern: string, flags?: string): Re2Regex;
  Set: new (patterns: readonly string[], flags?: string) => Re2Set;
}

export type Re2Availability = { available: true; re2: Re2Module } | { available: false; why: string };

let loaded: Re2Availability | undefined;

export function loadRe2(): Re2Availability {
  if (loaded) return loaded;
  try {
    const re2 = createRequire(import.meta.url)('re2') as Re2Module;
    loaded = typeof re2.Set === 'function' ? { available: true, re2 } : { available: false, why: 'this re2 build has no RE2.Set' };
  } catch (error) {
    loaded = { available: false, why: `re2 is not installed (its build from source failed at npm install?): ${(error as Error).message.split('\n')[0] ?? ''}` };
  }
  return loaded;
}

/**
 * Builds an RE2.Set and runs one match on `probe`, or says why RE2 refused: too
 * large a program or unsupported syntax when compiling, or its DFA running out of
 * its memory budget at match time.
 */
export function compileRe2Set(
  re2: Re2Module,
  patterns: readonly string[],
  flags: string,
  probe: string | Buffer,
): { set: Re2Set; seconds: number } | { failure: string; seconds: number } {
  const started = performance.now();
  let set: Re2Set;
  try {
    set = new re2.Set(patterns, flags);
  } catch (error) {
    return { failure: `does not compile: ${(error as Error).message}`, seconds: (performance.now() - started) / 1000 };
  }
  const seconds = (performance.now() - started) / 1000;
  try {
    set.match(probe);
  } catch (error) {
    return { failure: `fails at match time: ${(error as Error).message}`, seconds };
  }
  return { set, seconds };
}
