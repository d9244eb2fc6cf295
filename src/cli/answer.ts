// The gate's 200 answers, read from the wire: an object, or a CliError saying
// which call answered something else.
import { CliError } from './cli-errors.js';

export function objectAnswer(answer: unknown, call: string): Record<string, unknown> {
  if (typeof answer !== 'object' || answer === null || Array.isArray(answer))
    throw new CliError('GATECTL_ERR_BAD_ANSWER', `${call} did not answer a JSON object`);
  return answer as Record<string, unknown>;
}
