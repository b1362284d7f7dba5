import type { CheckResult, Status } from '../checks/types.js';
import type { StepTiming } from '../core/timing.js';

/** Human view of one part of a result; the JSON view is `Report.data`. */
export type Section =
  | { title: string; kind: 'fields'; fields: Array<[label: string, value: string]> }
  | { title: string; kind: 'json'; value: unknown; notes?: Record<string, string> }
  | { title: string; kind: 'table'; columns: string[]; rows: string[][] }
  | { title: string; kind: 'text'; text: string };

export type { StepTiming } from '../core/timing.js';

/**
 * What every command returns: judged checks plus what it shows. Commands build it; renderers in this
 * folder print it; main.ts turns `ok` into the exit code.
 */
export interface Report {
  command: string;
  checks: CheckResult[];
  /** Command-specific JSON members (`header`, `payload`, `metadata`, `keys`, `tokens`...), already redacted. */
  data: Record<string, unknown>;
  /** The same content for humans, in order. */
  sections: Section[];
  steps?: StepTiming[];
  /** For `token`: a bare value printed alone on stdout in human mode (for `$(oidc-cli token)`). */
  bare?: string;
  /** `check --all`: every check listed on a terminal too, not only the findings (the JSON always has them all). */
  listAll?: boolean;
}

/** Version of the JSON document shape; bump on any incompatible change (README "JSON output"). */
export const JSON_SCHEMA_VERSION = 1;

export function countStatuses(checks: readonly CheckResult[]): Record<Status, number> {
  const counts: Record<Status, number> = { pass: 0, fail: 0, warn: 0, skip: 0 };
  for (const check of checks) counts[check.status] += 1;
  return counts;
}

/** 0 failures passes; with `strict`, warnings fail too (PRODUCT.md "Exit codes"). */
export function isOk(report: Pick<Report, 'checks'>, strict: boolean): boolean {
  // A finding the baseline accepts (check --baseline) is reported, and fails nothing.
  return report.checks.every((c) => c.accepted !== undefined || (c.status !== 'fail' && !(strict && c.status === 'warn')));
}

export function emptyReport(command: string): Report {
  return { command, checks: [], data: {}, sections: [] };
}
