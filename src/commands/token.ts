import { CheckRecorder } from '../checks/recorder.js';
import type { CheckResult } from '../checks/types.js';
import { clientCredentialsTokens } from '../core/client-credentials.js';
import { inputError, usageError } from '../errors.js';
import type { Report } from '../report/model.js';
import { redact } from '../report/redact.js';
import { entryFromTokens, flaggedRefusal, verdictData } from '../store/cache-policy.js';
import { cacheFilePath, isExpired, loadTokens, type TokenEntry, usableAccessToken } from '../store/cache.js';
import { withFileLock } from '../store/lock.js';
import { LOGIN_HINT, pickClient } from '../store/pick-client.js';
import { relativeTime } from '../util/duration.js';
import { isVsChar } from '../util/plain-token.js';
import type { Context } from './context.js';
import { cacheResponse, openSession, refreshAndCache, type SessionFlags } from './session.js';

export interface TokenOptions extends SessionFlags {
  /** Print a token even though checks failed on it (its cache entry is flagged). */
  allowFailed?: boolean;
  grant?: string;
  resource?: string[];
  audience?: string;
  /** Refresh when the cached token expires within this many seconds. */
  minTtl?: number;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

/**
 * `oidc-cli token`: the access token alone on stdout, for `$(oidc-cli token)`. A valid cached token is
 * printed without any network call; an expired one is refreshed. Nothing usable → exit 2 (INPUT) with
 * the reason, never a half answer on stdout.
 */
export async function run(options: TokenOptions, context: Context): Promise<Report> {
  if (options.grant !== undefined && options.grant !== 'client_credentials') {
    throw usageError(`--grant ${options.grant}: only client_credentials is supported here`, 'for a user login use oidc-cli login, then oidc-cli token prints the cached token');
  }
  if (options.grant === 'client_credentials') return clientCredentials(options, context);
  if (options.resource || options.audience) throw usageError('--resource and --audience go with --grant client_credentials (for a user login, pass them to oidc-cli login)');
  return fromCache(options, context);
}

/** `$(oidc-cli token)` puts it in a header or on a terminal: a token outside VSCHAR is never handed out, --allow-failed or not. */
function assertPrintable(entry: TokenEntry): void {
  if (isVsChar(entry.access_token!)) return;
  throw inputError(
    `the access token for ${entry.issuer} (client ${entry.client_id}) has characters outside RFC 6749's VSCHAR (printable ASCII): not printed`,
    'the IdP issued a malformed token (token_response.token_syntax); it cannot be sent in an Authorization header either',
  );
}

function tokenReport(entry: TokenEntry, source: string, context: Context, checks: Report['checks']): Report {
  assertPrintable(entry);
  const now = nowSeconds();
  const data: Record<string, unknown> = {
    issuer: entry.issuer,
    client_id: entry.client_id,
    source,
    access_token: redact(entry.access_token!, context.globals.showTokens),
    token_type: entry.token_type ?? null,
    expires_at: entry.expires_at ?? null,
    expires_in: entry.expires_at === undefined ? null : entry.expires_at - now,
    scope: entry.scope ?? null,
    cache_entry: verdictData(entry),
  };
  return { command: 'token', checks, data, sections: [], bare: entry.access_token! };
}

/**
 * The token, unless checks failed on it (its entry is flagged) and --allow-failed is not given: then one
 * line and exit 1. Under --json a run that judged the token itself keeps its report (the failed checks),
 * without the token, so the document says what failed.
 */
function deliver(entry: TokenEntry, source: string, context: Context, checks: Report['checks'], options: TokenOptions): Report {
  assertPrintable(entry);
  const refusal = flaggedRefusal(entry.verdict, `${entry.issuer} (client ${entry.client_id})`, options.allowFailed === true, context.ui.warn);
  if (!refusal) return tokenReport(entry, source, context, checks);
  if (!context.globals.json || !checks.some((check) => check.status === 'fail')) throw refusal;
  context.ui.warn(refusal.message);
  const { issuer, client_id } = entry;
  return { command: 'token', checks, data: { issuer, client_id, source, access_token: null, refused: refusal.message, cache_entry: verdictData(entry) }, sections: [] };
}

/** `$(oidc-cli token)` runs inside scripts: progress only with -v, warnings always. */
function quiet(context: Context): Context {
  const ui = { ...context.ui, step: (line: string) => context.ui.trace(`→ ${line}`), detail: (line: string) => context.ui.trace(`  ${line}`), explain: () => undefined };
  return { ...context, ui };
}

async function fromCache(options: TokenOptions, outer: Context): Promise<Report> {
  const context = quiet(outer);
  const picked = await pickClient(options, context, true);
  const entry = picked.cached;
  const who = `${picked.client.issuer} (client ${picked.client.client_id})`;
  if (!entry || (!entry.access_token && !entry.refresh_token)) throw inputError(`no cached access token for ${who}`, LOGIN_HINT);
  const now = nowSeconds();
  if (usableAccessToken(entry, now, options.minTtl ?? 30)) {
    context.ui.detail(`cached access token for ${who}${entry.expires_at ? `, expires ${relativeTime(entry.expires_at, now)}` : ''}`);
    return deliver(entry, 'cache', context, [], options);
  }
  // No access token left (it was revoked) but a refresh token: get a new one the same way.
  const expiry = !entry.access_token ? 'was revoked' : `${entry.expires_at! <= now ? 'expired' : 'expires'} ${relativeTime(entry.expires_at!, now)}`;
  if (!entry.refresh_token) throw inputError(`the cached access token for ${who} ${expiry} and there is no refresh token`, LOGIN_HINT);
  // One refresh at a time per login: a parallel `token` waits, then finds the fresh token in the cache.
  return withFileLock(cacheFilePath(picked.client, picked.store.env), async () => {
    const current = await loadTokens(picked.client, picked.store);
    if (current?.access_token && current.access_token !== entry.access_token && !isExpired(current, nowSeconds(), options.minTtl ?? 30)) {
      return deliver(current, 'cache', context, [], options);
    }
    const base = current?.refresh_token ? current : entry;
    context.ui.step(`The cached access token ${expiry}: refreshing`);
    const session = await openSession(options, context, { useCache: true, picked: { ...picked, cached: base } });
    const c = new CheckRecorder();
    // Judged and cached exactly as `oidc-cli refresh` does (core/refresh.ts, commands/session.ts).
    const { result, entry: after, cache } = await refreshAndCache(session, base.refresh_token!, base, c, {});
    if (!after) throw inputError(`the cached access token for ${who} ${expiry} and the IdP refused the refresh token: ${result.error}`, LOGIN_HINT);
    const refreshed: TokenEntry = { ...after, ...(cache ? { verdict: { flagged: cache.flagged, failed_checks: cache.failed_checks } } : {}) };
    warnFailed(context, c.results);
    return deliver(refreshed, 'refresh', context, c.results, options);
  }, { warn: context.ui.warn });
}

async function clientCredentials(options: TokenOptions, outer: Context): Promise<Report> {
  // Like a cached token: the token alone on stdout and nothing on stderr but warnings, progress with -v.
  const context = quiet(outer);
  const session = await openSession(options, context, { useCache: false });
  const { client } = session;
  if (session.issuer.client.method === 'none') throw usageError('client_credentials needs an authenticated client', 'give a secret (--client-secret-file, OIDC_CLIENT_SECRET) or --private-key FILE');
  const granted = await clientCredentialsTokens(session.issuer, { scope: client.scope, resource: options.resource, audience: options.audience });
  const c = new CheckRecorder();
  c.merge(granted.checks);
  if (!granted.tokens) return { command: 'token', checks: c.results, data: { issuer: client.issuer, client_id: client.client_id, source: 'client_credentials' }, sections: [] };
  let entry = entryFromTokens({ issuer: client.issuer, client_id: client.client_id }, { ...granted.tokens, refresh_token: undefined, id_token: undefined }, nowSeconds(), client.scope);
  const cache = await cacheResponse(session, entry, c.results, c);
  entry = { ...entry, verdict: { flagged: cache.flagged, failed_checks: cache.failed_checks } };
  warnFailed(context, c.results);
  const report = deliver(entry, 'client_credentials', context, c.results, options);
  if (granted.accessToken?.payload) report.data.claims = granted.accessToken.payload;
  return report;
}

/** stdout holds only the token, so say on stderr which checks failed (cache.write has said so already, naming the path). */
function warnFailed(context: Context, checks: readonly CheckResult[]): void {
  if (context.globals.json) return;
  for (const check of checks.filter((r) => r.status === 'fail' && r.id !== 'cache.write')) context.ui.warn(`${check.id} failed: ${check.message} (--json shows the whole report)`);
}
