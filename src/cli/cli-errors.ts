// gatectl's failures and the exit code each means (docs/gatectl.md): 2 for a
// command line it cannot run, 1 for a check that failed. A script tells "fix the
// command" from "the pack, chain or gate said no" by the code alone.
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export const CLI_ERRORS = {
  /** Unknown command or option, a missing or extra argument, an unreadable file, no token. */
  GATECTL_ERR_USAGE: EXIT_USAGE,
  /** The gate could not be reached (refused, timed out, not HTTP). */
  GATECTL_ERR_UNREACHABLE: EXIT_FAILED,
  /** The gate answered something gatectl cannot read. */
  GATECTL_ERR_BAD_ANSWER: EXIT_FAILED,
  /** `pack rollback` without `--to` found no earlier version to go back to. */
  GATECTL_ERR_NO_EARLIER_VERSION: EXIT_FAILED,
} as const;

export type CliErrorCode = keyof typeof CLI_ERRORS;

export class CliError extends Error {
  readonly exitCode: number;

  constructor(
    readonly code: CliErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'CliError';
    this.exitCode = CLI_ERRORS[code];
  }

  toBody(): { error: { code: CliErrorCode; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }
}

export function usageError(message: string): CliError {
  return new CliError('GATECTL_ERR_USAGE', message);
}

/** The gate answered 4xx or 5xx: `body` is its answer as sent (`{ error: { code, message, field?, details? } }` for the gate's own errors). */
export class ServerError extends Error {
  readonly exitCode = EXIT_FAILED;

  constructor(
    readonly status: number,
    readonly body: unknown,
    message: string,
  ) {
    super(message);
    this.name = 'ServerError';
  }
}
