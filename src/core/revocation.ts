import { CheckRecorder } from '../checks/recorder.js';
import type { CheckResult } from '../checks/types.js';
import type { HttpClient, HttpResponse } from '../http/types.js';
import { redact } from '../util/redact.js';
import type { ClientCredentials } from './client-auth.js';
import { jsonObject, postForm } from './client-request.js';
import { introspect, randomToken, type TokenTypeHint } from './introspection.js';
import { oauthError, refreshGrant } from './refresh.js';
import type { IssuerSession } from './session.js';

export interface RevocationTarget {
  revocation_endpoint: string;
  client: ClientCredentials;
  issuer: string;
}

/** RFC 7009 §2.1: POST token (+ token_type_hint) with client authentication. */
export async function revoke(http: HttpClient, target: RevocationTarget, token: string, hint?: TokenTypeHint): Promise<HttpResponse> {
  const params: Array<[string, string]> = [['token', token]];
  if (hint) params.push(['token_type_hint', hint]);
  return postForm(http, target.revocation_endpoint, params, target.client, { tokens: [token], assertionAudience: target.issuer });
}

function describe(response: HttpResponse): string {
  const body = jsonObject(response);
  const error = typeof body?.error === 'string' ? ` ${body.error}${typeof body.error_description === 'string' ? ` ("${body.error_description}")` : ''}` : '';
  return `HTTP ${response.status}${error}`;
}

/** RFC 7009 §2.2: 200 when the token was revoked or was invalid to begin with. */
export function judgeRevocation(response: HttpResponse, c: CheckRecorder): boolean {
  return c.expect('revocation.status', response.status === 200, 'HTTP 200: revoked', `${describe(response)}, expected 200`).status === 'pass';
}

export function judgeUnknownRevocation(response: HttpResponse, c: CheckRecorder): void {
  c.expect('revocation.unknown_token', response.status === 200, 'a random token gave HTTP 200', `a random token gave ${describe(response)}; RFC 7009 §2.2 wants 200 (an invalid token is not an error)`);
}

/** After revocation: introspection must say inactive. */
export function judgeRevokedInactive(status: number, active: unknown, c: CheckRecorder): void {
  if (status !== 200) c.skip('revocation.inactive', `introspection answered ${status}: cannot confirm`);
  else c.expect('revocation.inactive', active === false, 'introspection now says {"active": false}', `introspection still says "active": ${JSON.stringify(active)} after revocation`);
}

/** After revoking a refresh token: the refresh grant must fail (invalid_grant). */
export function judgeRevokedRefresh(status: number, error: unknown, c: CheckRecorder): void {
  c.expect('revocation.refresh_rejected', status !== 200, `the revoked refresh token was refused (${status} ${String(error ?? '')})`.trim(), 'the revoked refresh token still refreshed (200)');
}

export interface RevocationInput {
  token: string;
  hint: TokenTypeHint | undefined;
  /** The RFC 7009 §2.2 probe: revoking a random token must still answer 200. */
  probes: boolean;
}

export interface RevocationResult {
  endpoint: string;
  response: HttpResponse;
  revoked: boolean;
  /** What introspection said afterwards, when it was asked. */
  introspection: Record<string, unknown> | undefined;
  checks: CheckResult[];
}

/**
 * Revocation (RFC 7009) as `revoke` and `check --destructive` both run it: the random-token probe, the
 * revocation, then the confirmation that the token is gone: introspection says inactive, and a revoked
 * refresh token no longer refreshes.
 */
export async function revokeToken(session: IssuerSession, input: RevocationInput): Promise<RevocationResult> {
  const { http, ui, client } = session;
  const target: RevocationTarget = { revocation_endpoint: session.endpoint('revocation_endpoint'), client, issuer: session.issuer };
  const c = new CheckRecorder();
  if (input.probes) {
    ui.step('Probe: revoking a random token must still answer 200');
    judgeUnknownRevocation(await revoke(http, target, randomToken(), input.hint), c);
  } else c.skip('revocation.unknown_token', 'probes off (--no-probes)');

  ui.step('Revocation (RFC 7009)');
  ui.explain('Revocation tells the IdP to forget a token now, instead of waiting for it to expire.');
  ui.detail(`token=${redact(input.token, session.showTokens)}${input.hint ? ` token_type_hint=${input.hint}` : ''}, client authentication ${client.method}`);
  const response = await revoke(http, target, input.token, input.hint);
  ui.detail(`← HTTP ${response.status}`);
  const revoked = judgeRevocation(response, c);

  let introspection: Record<string, unknown> | undefined;
  const introspection_endpoint = session.optionalEndpoint('introspection_endpoint');
  if (!revoked) c.skip('revocation.inactive', 'the revocation failed');
  else if (!introspection_endpoint) c.skip('revocation.inactive', 'the IdP advertises no introspection_endpoint to confirm with');
  else {
    // A public client may be refused there (most IdPs introspect for confidential clients only): a
    // non-200 answer is then a skip, not a failure (judgeRevokedInactive).
    ui.step('Confirm through introspection');
    const answer = await introspect(http, { introspection_endpoint, client, issuer: session.issuer }, input.token, input.hint);
    introspection = answer.body;
    judgeRevokedInactive(answer.status, answer.body?.active, c);
  }

  if (!revoked) c.skip('revocation.refresh_rejected', 'the revocation failed');
  else if (input.hint !== 'refresh_token') c.skip('revocation.refresh_rejected', input.hint ? 'an access token was revoked' : 'token type unknown: pass --token-type-hint refresh_token to test refreshing with it');
  else {
    ui.step('Confirm: the revoked refresh token must not refresh');
    const exchange = await refreshGrant(http, { token_endpoint: session.endpoint('token_endpoint'), client, refresh_token: input.token });
    judgeRevokedRefresh(exchange.response.status, oauthError(jsonObject(exchange.response)), c);
  }
  return { endpoint: target.revocation_endpoint, response, revoked, introspection, checks: c.results };
}
