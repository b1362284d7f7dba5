import type { CheckRecorder } from '../checks/recorder.js';
import { CliError } from '../errors.js';
import type { CheckResult } from '../checks/types.js';
import { saveTokensChecked, type CacheVerdict, type StoreContext, type TokenEntry } from './cache.js';

/**
 * The one cache policy (PRODUCT.md "The cache keeps every login, with its verdict"): every token
 * response is cached, with the ids of the checks that failed on it. A flagged entry stays available to
 * the commands that investigate it (userinfo, introspect, refresh, revoke say so); `token` refuses it
 * unless --allow-failed, so a script never receives a token that failed validation. login, login
 * --device, refresh and token (refresh, client_credentials) all cache through cacheTokenResponse.
 */

/** `cache.write` judges the cache, not the tokens: it never flags an entry. */
const NOT_ABOUT_THE_TOKENS = new Set(['cache.write']);

/**
 * The verdict of the run that obtained the tokens. `inherited` is the verdict of the grant they were
 * refreshed from: a refresh does not launder a login whose checks failed (log in again to clear it).
 */
export function verdictOf(checks: readonly CheckResult[], inherited?: CacheVerdict, incomplete = false): CacheVerdict {
  const failed = new Set(inherited?.failed_checks ?? []);
  for (const check of checks) if (check.status === 'fail' && !NOT_ABOUT_THE_TOKENS.has(check.id)) failed.add(check.id);
  return { flagged: failed.size > 0 || incomplete || inherited?.flagged === true, failed_checks: [...failed] };
}

export type CacheOutcome = { saved: true; path: string; flagged: boolean; failed_checks: string[] } | { saved: false; reason: string; flagged: boolean; failed_checks: string[] };

/**
 * Caches the tokens with the verdict of `judged` (the checks of the run so far), judged as `cache.write`
 * in `checks`. The entry's own verdict, if any, is the grant's and is kept (see verdictOf). `incomplete`:
 * the judging itself could not finish (the keys were unreachable), so nothing vouches for the tokens.
 */
export async function cacheTokenResponse(entry: TokenEntry, judged: readonly CheckResult[], store: StoreContext, checks: CheckRecorder, incomplete = false): Promise<CacheOutcome> {
  const verdict = verdictOf(judged, entry.verdict, incomplete);
  // No warning here: the report says it (`cache` in login's, the failed checks in refresh's), and `token` refuses in one line.
  const saved = await saveTokensChecked({ ...entry, verdict }, store, checks);
  return { ...saved, ...verdict };
}

/** "flagged: id_token.aud, id_token.nonce failed" — for stderr and errors. */
export function flagLine(verdict: CacheVerdict): string {
  return `flagged: ${verdict.failed_checks.length ? `${verdict.failed_checks.join(', ')} failed` : 'its checks did not complete'}`;
}

/** What a report says about the cached entry it used: `{ flagged, failed_checks }`. */
export function verdictData(entry: TokenEntry | undefined): CacheVerdict {
  return { flagged: entry?.verdict?.flagged === true, failed_checks: entry?.verdict?.failed_checks ?? [] };
}

/** The `cache` member of a login's report: where it was saved (or why not), and its verdict. */
export function cacheReportData(cache: CacheOutcome | undefined): Record<string, unknown> {
  if (!cache) return { saved: false, reason: 'no tokens', flagged: false, failed_checks: [] };
  const where = cache.saved ? { saved: true, path: cache.path } : { saved: false, reason: cache.reason };
  return { ...where, flagged: cache.flagged, failed_checks: cache.failed_checks };
}

/**
 * `oidc-cli token` hands a token to a script: one that failed validation is refused (exit 1, one line
 * naming the failed checks) unless the user passed --allow-failed. Undefined: hand it out (with
 * --allow-failed, after a warning). `who` names the login.
 */
export function flaggedRefusal(verdict: CacheVerdict | undefined, who: string, allowFailed: boolean, warn: (line: string) => void): CliError | undefined {
  if (!verdict?.flagged) return undefined;
  if (allowFailed) {
    warn(`printing the token of ${who} although it is ${flagLine(verdict)} (--allow-failed)`);
    return undefined;
  }
  return new CliError('FLAGGED', `the token of ${who} is ${flagLine(verdict)}; not printed (pass --allow-failed to print it anyway, or log in again)`);
}
