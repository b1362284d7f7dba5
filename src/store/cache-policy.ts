import type { CheckRecorder } from '../checks/recorder.js';
import { CliError } from '../errors.js';
import type { CheckResult } from '../checks/types.js';
import { deleteTokens, saveTokensChecked, type CacheVerdict, type StoreContext, type TokenEntry } from './cache.js';

/**
 * The one cache policy (PRODUCT.md "The cache keeps every login, with its verdict"): every token
 * response is cached, with the ids of the checks that failed on it. A flagged entry stays available to
 * the commands that investigate it (userinfo, introspect, refresh, revoke say so); `token` refuses it
 * unless --allow-failed, so a script never receives a token that failed validation. login, login
 * --device, refresh and token (refresh, client_credentials) all cache through cacheTokenResponse.
 */

/**
 * Checks that judge something else than the tokens never flag an entry: `cache.write` the cache, and
 * rotation and reuse the IdP's refresh policy (a refresh that did not rotate still gave a valid token).
 */
const NOT_ABOUT_THE_TOKENS = new Set(['cache.write', 'refresh.rotation', 'refresh.reuse_rejected']);

/** The members of a token response a cache entry keeps (core/token-endpoint.ts TokenSet has these and more). */
export interface IssuedTokens {
  access_token: string;
  refresh_token?: string | undefined;
  id_token?: string | undefined;
  token_type?: string | undefined;
  expires_in?: number | undefined;
  scope?: string | undefined;
}

/**
 * The one cache entry built from a token response (login, device, refresh, client credentials). `base` is
 * the entry refreshed, or just who it is for: what the response leaves out stays as it was (RFC 6749 §6:
 * without a new refresh token the old one stays valid; OIDC Core §12.2: the ID token is optional), and the
 * requested scope stands in for a granted scope the IdP did not echo.
 */
export function entryFromTokens(base: TokenEntry | { issuer: string; client_id: string }, tokens: IssuedTokens, now: number, requestedScope?: string): TokenEntry {
  const entry: TokenEntry = { ...base, access_token: tokens.access_token, obtained_at: now };
  // A refresh answer kept only for its new refresh token has no access token: the old one is not carried over.
  if (!tokens.access_token) delete entry.access_token;
  if (tokens.refresh_token) entry.refresh_token = tokens.refresh_token;
  if (tokens.id_token) entry.id_token = tokens.id_token;
  if (tokens.token_type) entry.token_type = tokens.token_type;
  if (tokens.expires_in !== undefined) entry.expires_at = now + tokens.expires_in;
  else delete entry.expires_at;
  const scope = tokens.scope ?? ('scope' in base ? base.scope : undefined) ?? requestedScope;
  if (scope) entry.scope = scope;
  return entry;
}

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

/** A run that got no tokens caches nothing, and its report says so (cache.write). */
export function nothingToCache(checks: CheckRecorder): undefined {
  checks.skip('cache.write', 'no tokens');
  return undefined;
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

/**
 * The cache after a revocation (RFC 7009 §2.1): it must not keep offering a token the user has just
 * revoked. A revoked refresh token ends the grant, so the login goes; a revoked access token goes, and
 * its refresh token stays only while the IdP still calls it active (some end the whole grant with its
 * access token). Returns what was done, for the command's detail line.
 */
export async function cacheAfterRevocation(cached: TokenEntry | undefined, revoked: string, store: StoreContext, checks: CheckRecorder, refreshStillActive: (refresh_token: string) => Promise<boolean | undefined>): Promise<string | undefined> {
  if (!cached) return undefined;
  if (cached.refresh_token === revoked) {
    await deleteTokens(cached, store);
    return 'removed the login from the token cache (its grant is revoked)';
  }
  if (cached.access_token !== revoked) return undefined;
  const { access_token: _revoked, expires_at: _expiry, ...rest } = cached;
  const alive = rest.refresh_token ? (await refreshStillActive(rest.refresh_token)) !== false : false;
  if (!alive) {
    await deleteTokens(cached, store);
    return 'removed the login from the token cache (its refresh token is no longer active either)';
  }
  const saved = await saveTokensChecked(rest, store, checks);
  return saved.saved ? `cached in ${saved.path}` : undefined;
}
