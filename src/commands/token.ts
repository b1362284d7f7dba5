import { CheckRecorder } from '../checks/recorder.js';
import { requestToken, judgeTokenResponse, describeForm, isVsChar } from '../core/token-endpoint.js';
import { inputError, usageError } from '../errors.js';
import type { Report } from '../report/model.js';
import { redact } from '../report/redact.js';
import { cacheFilePath, isExpired, loadTokens, type TokenEntry } from '../store/cache.js';
import { withFileLock } from '../store/lock.js';
import { relativeTime } from '../util/duration.js';
import type { Context } from './context.js';
import { LOGIN_HINT, openSession, pickClient, type SessionFlags } from './lifecycle-session.js';
import { refreshJudgeAndCache } from './refresh-step.js';
import { flaggedRefusal, verdictData } from '../store/cache-policy.js';
import type { CheckResult } from '../checks/types.js';

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
  if (entry.access_token && !isExpired(entry, now, options.minTtl ?? 30)) {
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
    // Judged and cached exactly as `oidc-cli refresh` does (refresh-step.ts).
    const outcome = await refreshJudgeAndCache(session, base.refresh_token!, base, c, { cache: true });
    if (!outcome.entry) throw inputError(`the cached access token for ${who} ${expiry} and the IdP refused the refresh token: ${outcome.error}`, LOGIN_HINT);
    const refreshed: TokenEntry = { ...outcome.entry, ...(outcome.cache ? { verdict: { flagged: outcome.cache.flagged, failed_checks: outcome.cache.failed_checks } } : {}) };
    warnFailed(context, c.results);
    return deliver(refreshed, 'refresh', context, c.results, options);
  });
}

async function clientCredentials(options: TokenOptions, context: Context): Promise<Report> {
  const session = await openSession(options, context, { useCache: false });
  const { client, credentials } = session;
  if (credentials.method === 'none') throw usageError('client_credentials needs an authenticated client', 'give a secret (--client-secret-file, OIDC_CLIENT_SECRET) or --private-key FILE');
  const params: Array<[string, string]> = [['grant_type', 'client_credentials']];
  if (client.scope) params.push(['scope', client.scope]);
  for (const resource of options.resource ?? []) params.push(['resource', resource]);
  if (options.audience) params.push(['audience', options.audience]);

  context.ui.step('Client credentials grant (RFC 6749 §4.4)');
  context.ui.explain('A machine client authenticates as itself; there is no user, so no ID token and no refresh token.');
  const exchange = await requestToken(session.http, { token_endpoint: session.endpoint('token_endpoint'), params, client: credentials });
  for (const line of describeForm(exchange.form, context.globals.showTokens)) context.ui.detail(`  ${line}`);
  context.ui.detail(`← HTTP ${exchange.response.status}`);
  const c = new CheckRecorder();
  const openid = (client.scope ?? '').split(' ').includes('openid');
  const { tokens } = judgeTokenResponse(exchange.response, { openid, basicAuth: credentials.method === 'client_secret_basic' }, c);
  if (!tokens) return { command: 'token', checks: c.results, data: { issuer: client.issuer, client_id: client.client_id, source: 'client_credentials' }, sections: [] };
  session.http.addSecret(tokens.access_token);
  c.expect('client_credentials.refresh_token', tokens.refresh_token === undefined, 'no refresh token', 'a refresh token was issued with client credentials');
  const audience = options.audience ?? options.resource?.[0];
  const result = await session.validate(tokens.access_token, 'access_token', { clientId: client.client_id, ...(audience ? { audience } : {}) });
  if (result) c.merge(result.checks);
  const now = nowSeconds();
  let entry: TokenEntry = { issuer: client.issuer, client_id: client.client_id, access_token: tokens.access_token, obtained_at: now };
  if (tokens.token_type) entry.token_type = tokens.token_type;
  if (tokens.expires_in !== undefined) entry.expires_at = now + tokens.expires_in;
  const scope = tokens.scope ?? client.scope;
  if (scope) entry.scope = scope;
  const cache = await session.cacheResponse(entry, c.results, c);
  entry = { ...entry, verdict: { flagged: cache.flagged, failed_checks: cache.failed_checks } };
  warnFailed(context, c.results);
  const report = deliver(entry, 'client_credentials', context, c.results, options);
  if (result?.parsed.payload) report.data.claims = result.parsed.payload;
  return report;
}

/** stdout holds only the token, so say on stderr which checks failed (cache.write has said so already, naming the path). */
function warnFailed(context: Context, checks: readonly CheckResult[]): void {
  if (context.globals.json) return;
  for (const check of checks.filter((r) => r.status === 'fail' && r.id !== 'cache.write')) context.ui.warn(`${check.id} failed: ${check.message} (--json shows the whole report)`);
}
