// A pack's bytes checked as an upload is checked (decoded, validated, its regex
// rules and then the whole pack compiled), without a gate: what `gatectl pack
// validate` runs, so that it refuses what the server refuses, in the same words.
// Registered brands, which the server adds before compiling, are not known here.
import type { GateError } from '../errors/gate-error.js';
import { validateAndCompilePack } from './compile-pack.js';
import type { CompiledPack } from './compiled-pack.js';
import { PackInvalidError } from './pack-invalid-error.js';
import { decodePackSource, PackUnreadableError, type PackBytes } from './pack-source.js';

export type PackCheck = { ok: true; compiled: CompiledPack } | { ok: false; error: GateError };

export async function checkPackBytes(source: PackBytes): Promise<PackCheck> {
  try {
    return { ok: true, compiled: await validateAndCompilePack(decodePackSource(source)) };
  } catch (error) {
    if (error instanceof PackInvalidError || error instanceof PackUnreadableError) return { ok: false, error: error.toGateError() };
    throw error;
  }
}
