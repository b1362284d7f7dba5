import { CheckRecorder } from '../checks/recorder.js';
import type { CheckResult } from '../checks/types.js';
import type { HttpClient } from '../http/types.js';
import type { ClientCredentials } from './client-auth.js';
import { readClaims } from './jwt/parse.js';
import { judgeRefreshedIdToken, judgeReuse, judgeRotation, rotationExpected } from './refresh-checks.js';
import type { IssuerSession } from './session.js';
import { bodyOf, describeForm, isVsChar, judgeTokenResponse, requestToken, type TokenExchange, type TokenSet } from './token-endpoint.js';
import { judgeAccessToken, judgeIdToken, type JudgedToken } from './token-judge.js';
import { judgeDpopTokens, type DpopKey } from './dpop.js';
import { judgeCertificateBinding } from './mtls.js';
import { bindingContext } from './session.js';

/**
 * The refresh token grant (RFC 6749 §6) as `refresh`, `token` and `check` all run it: one request, one
 * judgement of the answer (the token_response checks), of rotation (RFC 9700 §2.2.2), of the refreshed
 * ID token (OIDC Core §12.2: validated as in §3.1.3.7, and compared with the original) and of a JWT
 * access token (RFC 9068). Where a login's checks already use the token_response.*, id_token.* and
 * access_token.* ids (check), refreshVerdicts folds them into refresh.token_response,
 * refresh.id_token_valid and refresh.access_token_valid.
 */
export interface RefreshGrantInput {
  token_endpoint: string;
  client: ClientCredentials;
  refresh_token: string;
  /** A narrower scope (RFC 6749 §6: may not exceed the original grant). */
  scope?: string | undefined;
  /** RFC 9449 §5: the key of a DPoP-bound grant (a public client's refresh token is bound to it). */
  dpop?: DpopKey | undefined;
}

/** RFC 6749 §6: grant_type=refresh_token at the token endpoint, with the client's authentication. */
export function refreshGrant(http: HttpClient, input: RefreshGrantInput): Promise<TokenExchange> {
  const params: Array<[string, string]> = [
    ['grant_type', 'refresh_token'],
    ['refresh_token', input.refresh_token],
  ];
  if (input.scope) params.push(['scope', input.scope]);
  return requestToken(http, { token_endpoint: input.token_endpoint, params, client: input.client, dpop: input.dpop });
}

/** The error member of a token endpoint answer, for messages. */
export function oauthError(body: unknown): string | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const { error, error_description } = body as Record<string, unknown>;
  if (typeof error !== 'string') return undefined;
  return typeof error_description === 'string' ? `${error} ("${error_description}")` : error;
}

export interface RefreshInput {
  refresh_token: string;
  scope?: string | undefined;
  /** The ID token of the grant being refreshed, for OIDC Core §12.2's comparison. */
  original_id_token?: string | undefined;
  /** --expect-rotation / --no-expect-rotation; undefined: on for public clients only. */
  expectRotation?: boolean | undefined;
  /** The key of a DPoP-bound grant (the cached login's): the refresh is proven with it, and judged bound again. */
  dpop?: DpopKey | undefined;
}

export interface RefreshResult {
  status: number;
  /** Undefined when the IdP refused the refresh (see error). */
  tokens: TokenSet | undefined;
  error: string | undefined;
  /** rotated: a new refresh token, so the old one may be replayed (probeReuse). */
  rotation: 'rotated' | 'kept' | undefined;
  idToken: JudgedToken | undefined;
  accessToken: JudgedToken | undefined;
  /** The ID token claims before and after (unverified reads, for display). */
  originalClaims: Record<string, unknown> | undefined;
  refreshedClaims: Record<string, unknown> | undefined;
  checks: CheckResult[];
}

/**
 * What the caller keeps of the IdP's answer, called once: after judging with its checks, or, when judging
 * cannot finish (the keys are unreachable), with `incomplete` before the error goes on. The IdP has spent
 * the old refresh token by then, and a lost rotated one means logging in again.
 */
export type KeepTokens = (tokens: TokenSet, judged: readonly CheckResult[], incomplete: boolean) => Promise<void>;

export async function refreshTokens(session: IssuerSession, input: RefreshInput, keep?: KeepTokens): Promise<RefreshResult> {
  const { http, ui, client } = session;
  ui.step('Refresh token grant (RFC 6749 §6)');
  ui.explain('A refresh token gets new tokens without the user: it is the most valuable secret the client holds.');
  const exchange = await refreshGrant(http, { token_endpoint: session.endpoint('token_endpoint'), client, refresh_token: input.refresh_token, scope: input.scope, dpop: input.dpop });
  if (exchange.dpopProof) ui.detail(`  DPoP proof of the cached login's key${exchange.dpopNonce ? ', sent again with the nonce the IdP asked for' : ''}`);
  for (const line of describeForm(exchange.form, session.showTokens)) ui.detail(`  ${line}`);
  ui.detail(`← HTTP ${exchange.response.status}`);

  const c = new CheckRecorder();
  const answer = new CheckRecorder();
  const judgement = judgeTokenResponse(exchange.response, { openid: false, basicAuth: client.method === 'client_secret_basic' }, answer);
  for (const result of answer.results) {
    // An ID token is optional on refresh (OIDC Core §12.2), so its absence is not "openid not requested".
    if (result.id === 'token_response.id_token') result.message = result.status === 'skip' ? 'no id_token (optional on refresh, OIDC Core §12.2)' : result.message.replace('openid was not requested', 'optional on refresh');
  }
  c.merge(answer.results);
  const originalClaims = readClaims(input.original_id_token);
  const tokens = judgement.tokens;
  const result: RefreshResult = { status: exchange.response.status, tokens, error: undefined, rotation: undefined, idToken: undefined, accessToken: undefined, originalClaims, refreshedClaims: undefined, checks: c.results };
  if (!tokens) {
    const answered = exchange.response.status === 200;
    result.error = answered ? 'HTTP 200 without a usable access token (token_response.access_token)' : (oauthError(judgement.body) ?? `HTTP ${exchange.response.status}`);
    c.violation('refresh.grant', answered ? 'HTTP 200, but no usable access token in the answer (see token_response.*)' : `refused: ${result.error}`);
    // The IdP may have rotated all the same: its new refresh token is the only way back in, so it is kept.
    const rotated = answered ? rotatedRefreshToken(judgement.body, input.refresh_token) : undefined;
    if (rotated) {
      http.addToken(rotated);
      c.skip('refresh.rotation', 'the refresh failed, but the answer holds a new refresh token: it is kept (flagged), so the next refresh can use it');
      await keep?.({ access_token: '', token_type: undefined, expires_in: undefined, refresh_token: rotated, id_token: undefined, scope: undefined, raw: {}, date: exchange.response.date }, c.results, true);
    } else c.skip('refresh.rotation', 'the refresh failed');
    judgeRefreshedIdToken(originalClaims, undefined, c, undefined, 'the refresh failed');
    return result;
  }
  // A DPoP-bound grant stays bound: the refreshed access token too (RFC 9449 §5).
  if (input.dpop) judgeDpopTokens(tokens, input.dpop, c);
  // A certificate-bound grant (RFC 8705 §3): the refreshed access token is bound to the same certificate.
  if (client.certificate) await judgeCertificateBinding(tokens, client.certificate, bindingContext(session), c);
  http.addToken(tokens.access_token);
  if (tokens.refresh_token) http.addToken(tokens.refresh_token);
  c.pass('refresh.grant', `new access token${tokens.expires_in ? `, expires in ${tokens.expires_in} s` : ''}`);
  result.rotation = judgeRotation(input.refresh_token, tokens.refresh_token, rotationExpected(input.expectRotation, client.method), c);
  result.refreshedClaims = readClaims(tokens.id_token);
  try {
    await judgeRefreshedTokens(session, tokens, result, c);
  } catch (error) {
    await keep?.(tokens, c.results, true);
    throw error;
  }
  await keep?.(tokens, c.results, false);
  return result;
}

/** A new refresh token in an answer that is otherwise unusable (a VSCHAR string other than the one sent). */
function rotatedRefreshToken(body: unknown, sent: string): string | undefined {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const value = (body as Record<string, unknown>).refresh_token;
  return typeof value === 'string' && value !== sent && isVsChar(value) ? value : undefined;
}

async function judgeRefreshedTokens(session: IssuerSession, tokens: TokenSet, result: RefreshResult, c: CheckRecorder): Promise<void> {
  if (tokens.id_token) {
    result.idToken = await judgeIdToken(tokens.id_token, session.tokens, { accessToken: tokens.access_token, serverDate: tokens.date });
    c.merge(result.idToken.checks);
  }
  const now = session.tokens.now?.();
  if (tokens.id_token && !result.refreshedClaims) judgeRefreshedIdToken(result.originalClaims, undefined, c, now, 'the refreshed ID token has no readable claims (see id_token.format)');
  else judgeRefreshedIdToken(result.originalClaims, result.refreshedClaims, c, now);
  result.accessToken = await judgeAccessToken(tokens.access_token, session.tokens, { serverDate: tokens.date });
  if (result.accessToken) c.merge(result.accessToken.checks);
}

/**
 * The refresh's checks for a report that holds a login's too (check): the refresh.* checks as they are,
 * and one verdict each for the token response, the ID token and the access token it returned.
 */
export function refreshVerdicts(result: RefreshResult): CheckResult[] {
  const c = new CheckRecorder();
  const of = (prefix: string) => result.checks.filter((check) => check.id.startsWith(prefix));
  c.merge(of('refresh.'));
  summarise('refresh.token_response', of('token_response.'), 'the refresh answer', c);
  if (!result.tokens) c.skip('refresh.id_token_valid', 'the refresh failed');
  else if (!result.idToken) c.skip('refresh.id_token_valid', 'no id_token in the refresh answer (optional, OIDC Core §12.2)');
  else summarise('refresh.id_token_valid', result.idToken.checks, 'the refreshed ID token', c);
  if (!result.tokens) c.skip('refresh.access_token_valid', 'the refresh failed');
  else if (!result.accessToken) c.skip('refresh.access_token_valid', 'an opaque access token: only the IdP can tell what it holds');
  else summarise('refresh.access_token_valid', result.accessToken.checks, 'the refreshed access token', c);
  return c.results;
}

/** One verdict for a group of checks: fail if one failed, warn if one warned, else pass; each problem quoted. */
function summarise(id: 'refresh.token_response' | 'refresh.id_token_valid' | 'refresh.access_token_valid', checks: readonly CheckResult[], what: string, c: CheckRecorder): void {
  const failed = checks.filter((check) => check.status === 'fail');
  const warned = checks.filter((check) => check.status === 'warn');
  const quote = (list: readonly CheckResult[]) => list.map((check) => `${check.id}: ${check.message}`).join('; ');
  if (failed.length) c.fail(id, `${what} fails ${failed.length} check(s): ${quote(failed)}`);
  // The warnings' own severity carries over: a SHOULD broken inside is a SHOULD broken here.
  else if (warned.length) c.warn(id, `${what} passes, with ${warned.length} warning(s): ${quote(warned)}`);
  else c.pass(id, `${what} passes all ${checks.filter((check) => check.status === 'pass').length} checks that apply`);
}

/**
 * RFC 9700 §4.14.2: the rotated-out refresh token replayed must be refused. Destructive: an IdP that
 * detects reuse revokes the whole grant, so the new tokens may stop working too; it runs only with the
 * user's consent (`optIn` says how to give it: --check-reuse for refresh, --destructive for check).
 */
export async function probeReuse(session: IssuerSession, oldRefreshToken: string, result: RefreshResult, consent: { given: boolean; optIn: string }, c: CheckRecorder): Promise<void> {
  if (!result.tokens) return void c.skip('refresh.reuse_rejected', 'the refresh failed');
  if (result.rotation !== 'rotated') return void c.skip('refresh.reuse_rejected', 'the refresh token was not rotated: there is no old token to replay');
  if (!consent.given) return void c.skip('refresh.reuse_rejected', `destructive (ends the grant): opt in with ${consent.optIn}`);
  session.ui.warn(`${consent.optIn}: replaying the old refresh token. An IdP that detects reuse revokes the whole grant, so the new tokens may stop working too (log in again afterwards).`);
  const replay = await refreshGrant(session.http, { token_endpoint: session.endpoint('token_endpoint'), client: session.client, refresh_token: oldRefreshToken });
  judgeReuse(replay.response.status, bodyOf(replay.response), c);
}
