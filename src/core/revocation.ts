import type { CheckRecorder } from '../checks/recorder.js';
import type { HttpClient, HttpResponse } from '../http/types.js';
import type { ClientCredentials } from './client-auth.js';
import { jsonObject, postForm } from './client-request.js';
import type { TokenTypeHint } from './introspection.js';

export interface RevocationTarget {
  revocation_endpoint: string;
  client: ClientCredentials;
  issuer: string;
}

/** RFC 7009 §2.1: POST token (+ token_type_hint) with client authentication. */
export async function revoke(http: HttpClient, target: RevocationTarget, token: string, hint?: TokenTypeHint): Promise<HttpResponse> {
  const params: Array<[string, string]> = [['token', token]];
  if (hint) params.push(['token_type_hint', hint]);
  return postForm(http, target.revocation_endpoint, params, target.client, { secrets: [token], assertionAudience: target.issuer });
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
