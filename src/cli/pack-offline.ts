// gatectl's offline pack commands, on files, with the gate's own code: validate
// (decode, validate, compile: src/pack/check-pack-bytes.ts) and diff
// (src/policy/pack-diff.ts). Imported only when one of them runs: the normalizer
// and the addon it loads take most of a second, which the remote commands skip.
import type { GateErrorBody } from '../errors/gate-error.js';
import { checkPackBytes } from '../pack/check-pack-bytes.js';
import { PackInvalidError } from '../pack/pack-invalid-error.js';
import { decodePackSource, PackUnreadableError } from '../pack/pack-source.js';
import type { PolicyPack } from '../pack/policy-pack.js';
import { validatePack } from '../pack/validate-pack.js';
import { diffPacks } from '../policy/pack-diff.js';
import { succeeded, type CommandResult } from './command.js';
import { diffText } from './diff-text.js';
import { readPackFile } from './pack-file.js';

function issueLines(details: unknown): string {
  if (!Array.isArray(details)) return '';
  return details.map((issue: { path?: unknown; message?: unknown }) => `\n  ${String(issue.path) || '(pack)'}: ${String(issue.message)}`).join('');
}

export async function validatePackFile(file: string): Promise<CommandResult> {
  const check = await checkPackBytes(await readPackFile(file));
  if (!check.ok) {
    const body = check.error.toBody();
    return { ok: false, json: body, text: `${file} would be refused: ${body.error.code}${issueLines(body.error.details) || `: ${body.error.message}`}` };
  }
  const { pack, patternCount, compileMillis } = check.compiled;
  const json = { valid: true, packVersion: pack.packVersion, patternCount, compileMillis: Math.round(compileMillis) };
  return succeeded(json, `${file}: pack ${pack.packVersion} is valid (${patternCount} patterns, compiled in ${json.compileMillis} ms)`);
}

/** A pack file the gate would refuse, with the gate's answer. */
class FileRefusal extends Error {
  constructor(
    readonly file: string,
    readonly body: GateErrorBody,
  ) {
    super(`${file} is not a valid pack: ${body.error.message}`);
  }
}

/** A file's pack, validated as the gate would (without compiling: a diff needs none); a refusal names the file. */
async function packOfFile(file: string): Promise<PolicyPack> {
  let raw: unknown;
  try {
    raw = decodePackSource(await readPackFile(file));
  } catch (error) {
    if (error instanceof PackUnreadableError) throw new FileRefusal(file, error.toGateError().toBody());
    throw error;
  }
  const validation = validatePack(raw);
  if (!validation.ok) throw new FileRefusal(file, new PackInvalidError(validation.issues).toGateError().toBody());
  return validation.pack;
}

export async function diffPackFiles(a: string, b: string): Promise<CommandResult> {
  try {
    const diff = { from: a, to: b, ...diffPacks(await packOfFile(a), await packOfFile(b)) };
    return succeeded(diff, diffText(diff));
  } catch (error) {
    if (error instanceof FileRefusal) return { ok: false, json: error.body, text: error.message };
    throw error;
  }
}
