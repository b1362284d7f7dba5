import { CheckRecorder } from '../checks/recorder.js';
import { parseJwt } from '../core/jwt/parse.js';
import { judgeReuse, judgeRefreshedIdToken, judgeRotation, rotationExpected } from '../core/refresh-checks.js';
import { oauthError, refreshGrant } from '../core/refresh.js';
import { describeForm, judgeTokenResponse, type TokenSet } from '../core/token-endpoint.js';
import type { Report, Section } from '../report/model.js';
import { redact } from '../report/redact.js';
import { cacheFilePath, loadTokens, type TokenEntry } from '../store/cache.js';
import { withFileLock } from '../store/lock.js';
import type { ClientFlags } from '../store/profiles.js';
import { epochWithRelative } from '../util/duration.js';
import type { Context } from './context.js';
import { openSession, tokenArgument, type Session } from './lifecycle-session.js';

export interface RefreshOptions extends ClientFlags {
  refreshToken?: string;
  /** undefined: on for public clients (RFC 9700 §2.2.2), off for confidential ones. */
  expectRotation?: boolean;
  checkReuse?: boolean;
}

export interface RefreshOutcome {
  tokens: TokenSet | undefined;
  error: string | undefined;
  status: number;
  /** The cache entry after the refresh (old values kept where the response had none). */
  entry: TokenEntry | undefined;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** The grant and the judgement of its answer; shared with `token`, which refreshes an expired access token. */
export async function refreshStep(session: Session, refresh_token: string, base: TokenEntry | undefined, c: CheckRecorder, scope?: string): Promise<RefreshOutcome> {
  const { context, http, client } = session;
  context.ui.step('Refresh token grant (RFC 6749 §6)');
  context.ui.explain('A refresh token gets new tokens without the user: it is the most valuable secret the client holds.');
  const exchange = await refreshGrant(http, { token_endpoint: session.endpoint('token_endpoint'), client: session.credentials, refresh_token, ...(scope ? { scope } : {}) });
  for (const line of describeForm(exchange.form, context.globals.showTokens)) context.ui.detail(`  ${line}`);
  context.ui.detail(`← HTTP ${exchange.response.status}`);
  const judged = new CheckRecorder();
  const judgement = judgeTokenResponse(exchange.response, { openid: false, basicAuth: session.credentials.method === 'client_secret_basic' }, judged);
  for (const result of judged.results) {
    // An ID token is optional on refresh (OIDC Core §12.2), so its absence is not "openid not requested".
    if (result.id === 'token_response.id_token') result.message = result.status === 'skip' ? 'no id_token (optional on refresh, OIDC Core §12.2)' : result.message.replace('openid was not requested', 'optional on refresh');
  }
  c.merge(judged.results);
  const tokens = judgement.tokens;
  if (!tokens) {
    const error = oauthError(judgement.body) ?? `HTTP ${exchange.response.status}`;
    c.violation('refresh.grant', `refused: ${error}`);
    return { tokens, error, status: exchange.response.status, entry: undefined };
  }
  http.addSecret(tokens.access_token);
  if (tokens.refresh_token) http.addSecret(tokens.refresh_token);
  c.pass('refresh.grant', `new access token${tokens.expires_in ? `, expires in ${tokens.expires_in} s` : ''}`);
  const now = nowSeconds();
  const entry: TokenEntry = {
    ...(base ?? { issuer: client.issuer, client_id: client.client_id }),
    access_token: tokens.access_token,
    obtained_at: now,
  };
  // RFC 6749 §6: without a new refresh token the old one stays valid; OIDC Core §12.2: the ID token is optional.
  entry.refresh_token = tokens.refresh_token ?? refresh_token;
  if (tokens.id_token) entry.id_token = tokens.id_token;
  if (tokens.token_type) entry.token_type = tokens.token_type;
  if (tokens.expires_in !== undefined) entry.expires_at = now + tokens.expires_in;
  else delete entry.expires_at;
  if (tokens.scope) entry.scope = tokens.scope;
  return { tokens, error: undefined, status: exchange.response.status, entry };
}

function payloadOf(token: string | undefined): Record<string, unknown> | undefined {
  if (!token) return undefined;
  try {
    return parseJwt(token).payload;
  } catch {
    return undefined;
  }
}

const cell = (value: unknown) => (value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value));

export async function run(options: RefreshOptions, context: Context): Promise<Report> {
  const session = await openSession(options, context, { useCache: true });
  const { cached, client } = session;
  const { token: argument, source } = await tokenArgument(options.refreshToken, context, () => cached?.refresh_token, 'refresh token');
  if (source !== 'cache') return refreshAndReport(session, options, argument, source, cached && cached.refresh_token === argument ? cached : undefined);
  // Serialised with `token`, which may be refreshing the same login: re-read the cache under the lock.
  return withFileLock(cacheFilePath(client, session.store.env), async () => {
    const current = (await loadTokens(client, session.store)) ?? cached;
    const refreshToken = current?.refresh_token ?? argument;
    return refreshAndReport(session, options, refreshToken, source, current);
  });
}

async function refreshAndReport(session: Session, options: RefreshOptions, oldRefresh: string, source: string, before: TokenEntry | undefined): Promise<Report> {
  const { context, client } = session;
  const show = context.globals.showTokens;
  session.http.addSecret(oldRefresh);

  const c = new CheckRecorder();
  const outcome = await refreshStep(session, oldRefresh, before, c, options.scope);
  const sections: Section[] = [];
  const now = nowSeconds();
  const data: Record<string, unknown> = { issuer: client.issuer, client_id: client.client_id, refresh_token_source: source };

  if (outcome.tokens && outcome.entry) {
    const after = outcome.entry;
    // First: the IdP has spent the old refresh token, so what it returned is kept before any judging
    // or display that could still fail (a lost rotated token means logging in again).
    if (source === 'cache' || before) await session.save(after, c);
    const expected = rotationExpected(options.expectRotation, session.credentials.method);
    const rotation = judgeRotation(oldRefresh, outcome.tokens.refresh_token, expected, c);
    data.rotation = { rotated: rotation === 'rotated', expected };

    const originalClaims = payloadOf(before?.id_token);
    const refreshedClaims = payloadOf(outcome.tokens.id_token);
    if (outcome.tokens.id_token) {
      const result = await session.validate(outcome.tokens.id_token, 'id_token', { audience: client.client_id, accessToken: outcome.tokens.access_token });
      if (result) c.merge(result.checks);
    }
    if (outcome.tokens.id_token && !refreshedClaims) {
      for (const id of ['refresh.id_token.subject', 'refresh.id_token.auth_time', 'refresh.id_token.iat', 'refresh.id_token.nonce'] as const) c.skip(id, 'the refreshed ID token has no readable claims (see id_token.format)');
    } else judgeRefreshedIdToken(originalClaims, refreshedClaims, c);
    const access = await session.validate(outcome.tokens.access_token, 'access_token', { clientId: client.client_id });
    if (access) c.merge(access.checks);

    const row = (name: string, a: string | undefined, b: string | undefined) => [name, a ? redact(a, show) : '', b ? redact(b, show) : '', a && b ? (a === b ? 'same' : 'new') : ''];
    sections.push({
      title: 'Tokens',
      kind: 'table',
      columns: ['', 'before', 'after', ''],
      rows: [
        row('access_token', before?.access_token, after.access_token),
        row('refresh_token', oldRefresh, outcome.tokens.refresh_token ?? '(none returned: old one kept)'),
        row('id_token', before?.id_token, outcome.tokens.id_token),
        ['expires_at', epochWithRelative(before?.expires_at, now), epochWithRelative(after.expires_at, now), ''],
        ['scope', before?.scope ?? '', after.scope ?? '', ''],
      ],
    });
    if (refreshedClaims) {
      const claims = ['iss', 'sub', 'aud', 'auth_time', 'iat', 'exp', 'nonce', 'at_hash'];
      sections.push({ title: 'ID token claims', kind: 'table', columns: ['claim', 'before', 'after'], rows: claims.map((name) => [name, cell(originalClaims?.[name]), cell(refreshedClaims[name])]).filter(([, a, b]) => a || b) });
    }
    data.before = before ? redactEntry(before, show) : { refresh_token: redact(oldRefresh, show) };
    data.after = redactEntry(after, show);
    if (originalClaims || refreshedClaims) data.id_token_claims = { before: originalClaims ?? null, after: refreshedClaims ?? null };

    if (options.checkReuse) await probeReuse(session, oldRefresh, rotation === 'rotated', c);
    else c.skip('refresh.reuse_rejected', 'not probed (opt in with --check-reuse)');
  } else {
    data.error = outcome.error;
    c.skip('refresh.rotation', 'the refresh failed');
  }
  return { command: 'refresh', checks: c.results, data, sections };
}

async function probeReuse(session: Session, oldRefresh: string, rotated: boolean, c: CheckRecorder): Promise<void> {
  if (!rotated) {
    c.skip('refresh.reuse_rejected', 'the refresh token was not rotated: there is no old token to replay');
    return;
  }
  session.context.ui.warn('--check-reuse: replaying the old refresh token. An IdP that detects reuse revokes the whole grant, so the new tokens may stop working too (log in again afterwards).');
  const replay = await refreshGrant(session.http, { token_endpoint: session.endpoint('token_endpoint'), client: session.credentials, refresh_token: oldRefresh });
  let body: unknown;
  try {
    body = replay.response.json();
  } catch {
    body = undefined;
  }
  judgeReuse(replay.response.status, body, c);
}

export function redactEntry(entry: TokenEntry, show: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { ...entry };
  for (const name of ['access_token', 'refresh_token', 'id_token'] as const) if (entry[name]) out[name] = redact(entry[name]!, show);
  return out;
}
