import type { CheckResult } from '../checks/types.js';
import { inputError } from '../errors.js';
import { jsonParseProblem } from '../util/show.js';

/**
 * `check --baseline FILE`: findings someone has looked at and accepted (a known quirk of the IdP), so a
 * pipeline fails on new findings only. Matched by check id; a finding that got worse (an accepted
 * warning that now fails) is new. Accepted findings stay in every report, marked `accepted`, and do not
 * count towards the exit code. `--update-baseline` writes today's findings as the new baseline.
 */
export interface Baseline {
  oidc_cli_baseline: 1;
  issuer: string | undefined;
  accepted: Array<{ id: string; status: 'fail' | 'warn'; message: string }>;
}

const RANK = { warn: 1, fail: 2 } as const;

/** Reads a baseline written by --update-baseline (or by hand); anything else is exit 2 with the reason. */
export function parseBaseline(text: string, path: string): Baseline {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw inputError(`--baseline ${path} is not JSON: ${jsonParseProblem(error)}`);
  }
  const object = value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  const accepted = object?.accepted;
  if (object?.oidc_cli_baseline !== 1 || !Array.isArray(accepted)) {
    throw inputError(`--baseline ${path} is not an oidc-cli baseline (expected {"oidc_cli_baseline": 1, "accepted": [...]})`, 'write one with --update-baseline');
  }
  const entries: Baseline['accepted'] = [];
  for (const entry of accepted) {
    const e = entry !== null && typeof entry === 'object' ? (entry as Record<string, unknown>) : {};
    if (typeof e.id !== 'string' || (e.status !== 'fail' && e.status !== 'warn')) throw inputError(`--baseline ${path}: each accepted finding needs an "id" and a "status" of "fail" or "warn"`);
    entries.push({ id: e.id, status: e.status, message: typeof e.message === 'string' ? e.message : '' });
  }
  return { oidc_cli_baseline: 1, issuer: typeof object.issuer === 'string' ? object.issuer : undefined, accepted: entries };
}

/** Marks the findings the baseline accepts; returns how many. */
export function applyBaseline(checks: CheckResult[], baseline: Baseline, path: string): number {
  const accepted = new Map(baseline.accepted.map((entry) => [entry.id, entry.status]));
  let count = 0;
  for (const check of checks) {
    if (check.status !== 'fail' && check.status !== 'warn') continue;
    const level = accepted.get(check.id);
    if (level === undefined || RANK[check.status] > RANK[level]) continue;
    check.accepted = `accepted in the baseline ${path}`;
    count += 1;
  }
  return count;
}

/** Today's findings as a baseline, for --update-baseline. */
export function baselineOf(checks: readonly CheckResult[], issuer: string): Baseline {
  const accepted = checks.filter((check) => check.status === 'fail' || check.status === 'warn').map((check) => ({ id: check.id, status: check.status as 'fail' | 'warn', message: check.message }));
  return { oidc_cli_baseline: 1, issuer, accepted };
}
