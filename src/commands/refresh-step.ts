import { CheckRecorder } from '../checks/recorder.js';
import { parseJwt } from '../core/jwt/parse.js';
import { judgeRefreshedIdToken } from '../core/refresh-checks.js';
import { oauthError, refreshGrant } from '../core/refresh.js';
import { describeForm, judgeTokenResponse, type TokenSet } from '../core/token-endpoint.js';
import type { TokenEntry } from '../store/cache.js';
import type { CacheOutcome } from '../store/cache-policy.js';
import type { Session } from './lifecycle-session.js';

/**
 * The refresh token grant as `refresh` and `token` both run it: the grant, the judgement of its answer
 * and of the new tokens, then the cache (store/cache-policy.ts). One copy, so the two cannot drift.
 */
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

export interface JudgedRefresh extends RefreshOutcome {
  /** The ID token claims before and after (unverified reads, for display). */
  originalClaims: Record<string, unknown> | undefined;
  refreshedClaims: Record<string, unknown> | undefined;
  /** Undefined when not cached (a refresh token given that is not the cached login's). */
  cache: CacheOutcome | undefined;
}

/**
 * Refreshes, judges the new tokens (the ID token validated and compared with the original, OIDC Core
 * §12.2; the access token where it is a JWT) and caches them with that verdict. If judging cannot finish
 * (the keys are unreachable), the tokens are still cached, flagged: the IdP has spent the old refresh
 * token, and a lost rotated one means logging in again.
 */
export async function refreshJudgeAndCache(session: Session, refresh_token: string, base: TokenEntry | undefined, c: CheckRecorder, options: { scope?: string; cache: boolean }): Promise<JudgedRefresh> {
  const outcome = await refreshStep(session, refresh_token, base, c, options.scope);
  const originalClaims = payloadOf(base?.id_token);
  const refreshedClaims = payloadOf(outcome.tokens?.id_token);
  const judged: JudgedRefresh = { ...outcome, originalClaims, refreshedClaims, cache: undefined };
  if (!outcome.tokens || !outcome.entry) return judged;
  try {
    await judgeRefreshedTokens(session, outcome.tokens, originalClaims, refreshedClaims, c);
  } catch (error) {
    if (options.cache) await session.cacheResponse(outcome.entry, c.results, c, true);
    throw error;
  }
  if (options.cache) judged.cache = await session.cacheResponse(outcome.entry, c.results, c);
  return judged;
}

async function judgeRefreshedTokens(session: Session, tokens: TokenSet, originalClaims: Record<string, unknown> | undefined, refreshedClaims: Record<string, unknown> | undefined, c: CheckRecorder): Promise<void> {
  const { client } = session;
  if (tokens.id_token) {
    const result = await session.validate(tokens.id_token, 'id_token', { audience: client.client_id, accessToken: tokens.access_token });
    if (result) c.merge(result.checks);
  }
  if (tokens.id_token && !refreshedClaims) {
    for (const id of ['refresh.id_token.subject', 'refresh.id_token.auth_time', 'refresh.id_token.iat', 'refresh.id_token.nonce'] as const) c.skip(id, 'the refreshed ID token has no readable claims (see id_token.format)');
  } else judgeRefreshedIdToken(originalClaims, refreshedClaims, c);
  const access = await session.validate(tokens.access_token, 'access_token', { clientId: client.client_id });
  if (access) c.merge(access.checks);
}
