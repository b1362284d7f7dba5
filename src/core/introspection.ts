import { randomBytes } from 'node:crypto';
import type { CheckRecorder } from '../checks/recorder.js';
import type { HttpClient } from '../http/types.js';
import type { ClientCredentials } from './client-auth.js';
import { jsonObject, postForm } from './client-request.js';
import { judgeIntrospection, judgeUnauthenticated, judgeUnknownToken, judgeWrongHint, type IntrospectionAnswer } from './introspection-checks.js';

export type TokenTypeHint = 'access_token' | 'refresh_token';

export interface IntrospectionTarget {
  introspection_endpoint: string;
  client: ClientCredentials;
  issuer: string;
}

/** RFC 7662 §2.1: POST token (+ token_type_hint) with client authentication. */
export async function introspect(http: HttpClient, target: IntrospectionTarget, token: string, hint?: TokenTypeHint, authenticated = true): Promise<IntrospectionAnswer> {
  const params: Array<[string, string]> = [['token', token]];
  if (hint) params.push(['token_type_hint', hint]);
  const response = await postForm(http, target.introspection_endpoint, params, authenticated ? target.client : undefined, { secrets: [token], assertionAudience: target.issuer });
  return { status: response.status, body: jsonObject(response) };
}

export const otherHint = (hint: TokenTypeHint): TokenTypeHint => (hint === 'access_token' ? 'refresh_token' : 'access_token');

/** A token no IdP has issued: 32 random bytes look like any opaque token. */
export const randomToken = () => randomBytes(32).toString('base64url');

/**
 * The active probes of CHECKS.md "Introspection": the same token without client authentication, a
 * random token, and the real token under the wrong hint. `active` is what the real introspection said.
 */
export async function probeIntrospection(http: HttpClient, target: IntrospectionTarget, token: string, hint: TokenTypeHint, active: boolean | undefined, c: CheckRecorder): Promise<void> {
  judgeUnauthenticated(await introspect(http, target, token, hint, false), c);
  judgeUnknownToken(await introspect(http, target, randomToken(), hint), c);
  if (active === true) judgeWrongHint(await introspect(http, target, token, otherHint(hint)), otherHint(hint), c);
  else c.skip('introspection.token_type_hint', 'the token is not active: nothing to find under the wrong hint');
}

export { judgeIntrospection };
