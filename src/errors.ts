import type { CheckResult } from './checks/types.js';
import type { Report } from './report/model.js';

/**
 * One error type for everything a user can cause. Commands throw it; only src/main.ts turns it into
 * an exit code and a single line on stderr. The code union is closed so the exit-code mapping below
 * is exhaustive (PRODUCT.md "Exit codes").
 */
export type ErrorCode =
  | 'USAGE' // wrong flag, missing option, contradictory options
  | 'INPUT' // unreadable token, file or stdin
  | 'NETWORK' // DNS, refused, reset
  | 'TLS' // certificate or handshake failure
  | 'TIMEOUT' // connect/header/body timeout or --timeout reached
  | 'PROTOCOL' // an answer that is not HTTP/JSON at all, or too large
  | 'OUTPUT' // the result could not be written (a full disk, an unwritable --junit file)
  | 'CANCELLED' // interactive login cancelled or timed out
  | 'FLAGGED'; // a token whose checks failed, refused to a script (`token` without --allow-failed)

const EXIT_CODES: Record<ErrorCode, number> = {
  USAGE: 2,
  INPUT: 2,
  NETWORK: 3,
  TLS: 3,
  TIMEOUT: 3,
  PROTOCOL: 3,
  OUTPUT: 3,
  CANCELLED: 4,
  FLAGGED: 1,
};

export class CliError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  /**
   * What the run had judged before it could not go on (a login's discovery checks before a JWKS that
   * is not JSON): the --json error document carries them, so one document says both (PRODUCT.md).
   */
  judged: CheckResult[] | undefined;

  constructor(code: ErrorCode, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CliError';
    this.code = code;
    this.hint = options.hint;
  }

  get exitCode(): number {
    return EXIT_CODES[this.code];
  }
}

/**
 * A command that stops early with a judged report instead of an error line: its failed checks give
 * exit 1 and the report (JSON included) says why. main.ts renders it as the command's output. Thrown
 * from shared steps (a lifecycle session refusing untrusted discovery) that cannot return a Report.
 */
export class ReportedStop extends Error {
  readonly report: Omit<Report, 'command'>;

  constructor(message: string, report: Omit<Report, 'command'>) {
    super(message);
    this.name = 'ReportedStop';
    this.report = report;
  }
}

export const usageError = (message: string, hint?: string) => new CliError('USAGE', message, hint === undefined ? {} : { hint });
export const inputError = (message: string, hint?: string) => new CliError('INPUT', message, hint === undefined ? {} : { hint });

/** Exit codes of PRODUCT.md, by name, for the few places that need them outside CliError. */
export const EXIT = { OK: 0, CHECK_FAILED: 1, USAGE: 2, NETWORK: 3, CANCELLED: 4 } as const;
