import type { CheckRecorder } from '../../checks/recorder.js';
import type { HttpClient, HttpResponse } from '../../http/types.js';
import type { Ui } from '../ports.js';
import { readClaims } from '../jwt/parse.js';
import { cut } from '../../util/show.js';
import { askResource, RESOURCE_ACCEPT } from './protected-resource.js';
import { withDpop, type DpopKey } from '../dpop.js';

/**
 * `check --resource`: what the resource does with tokens, once the authorization server has issued one
 * for it (RFC 8707). It must take that one, and refuse what a careless resource would let through: an
 * ID token (the wrong audience and type), the token in the query string, the token with a character
 * changed (a signature it must verify). Only tokens of this run are sent, and only to this resource.
 */
export const RESOURCE_PROBE_IDS = ['resource.token_accepted', 'resource.reject_id_token', 'resource.reject_query_token', 'resource.reject_tampered', 'resource.reject_expired', 'resource.dpop_bearer_refused'] as const;

export interface ResourceProbeInput {
  url: string;
  /** The RFC 8707 resource the token was asked for (its aud). */
  indicator: string;
  access_token: string;
  id_token: string | undefined;
  /** --expired-token: an access token for this resource whose exp has passed (none can be minted here). */
  expired_token?: string | undefined;
  /** check --dpop: the key a token_type DPoP access token is bound to; every call then carries a proof. */
  dpop?: { key: DpopKey; token_type: string | undefined } | undefined;
}

const refused = (response: HttpResponse) => response.status === 401 || response.status === 403;

export async function probeResourceTokens(http: HttpClient, input: ResourceProbeInput, deps: { ui: Ui; signal?: AbortSignal | undefined }, c: CheckRecorder): Promise<void> {
  const options = deps.signal ? { signal: deps.signal } : {};
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const { url, access_token, id_token } = input;

  // A DPoP-bound token goes with a proof of its key (RFC 9449 §7.1), each probe's too, so only the twist differs.
  const key = input.dpop?.token_type?.toLowerCase() === 'dpop' ? input.dpop.key : undefined;
  const send = (token: string, target = url, tokens: string[] = [token]) => (key ? askResourceBound(http, target, token, key, { ...options, tokens }) : askResource(http, target, bearer(token), { ...options, tokens }));
  const valid = await send(access_token);
  deps.ui.detail(`${valid.method} ${url} with the access token → ${valid.response.status}`);
  if (refused(valid.response)) {
    c.violation('resource.token_accepted', `${valid.method} with the access token issued for it: refused, HTTP ${valid.response.status}${challengeNote(valid.response)}`);
    for (const id of RESOURCE_PROBE_IDS.slice(1)) c.skip(id, 'the resource refuses even the token issued for it: a refusal would tell nothing');
    return;
  }
  c.pass('resource.token_accepted', `${valid.method} with the access token issued for it: HTTP ${valid.response.status}`);
  // Each probe asks the way the valid token was taken, so only the token differs.
  const ask = (headers: Record<string, string>, target = url, tokens: string[] = []) => askResource(http, target, headers, { ...options, tokens }).then(({ response }) => response);

  if (!id_token) c.skip('resource.reject_id_token', 'no ID token (the scope had no openid, or no user flow)');
  else {
    const answer = await ask(bearer(id_token), url, [id_token]);
    c.expect('resource.reject_id_token', refused(answer), `the ID token as a Bearer token: refused, HTTP ${answer.status}`, `the ID token as a Bearer token: accepted, HTTP ${answer.status} — the resource does not check that a token was issued for it`);
  }

  const inQuery = new URL(url);
  inQuery.searchParams.set('access_token', access_token);
  const query = await ask({}, inQuery.href, [access_token]);
  c.expect('resource.reject_query_token', refused(query), `the access token as ?access_token=: refused, HTTP ${query.status}`, `the access token as ?access_token= (no Authorization header): accepted, HTTP ${query.status}`);

  const altered = tampered(access_token);
  const changed = (await send(altered)).response;
  const where = access_token.split('.').length === 3 ? 'in its signature' : 'in the middle';
  c.expect('resource.reject_tampered', refused(changed), `the access token with one character changed ${where}: refused, HTTP ${changed.status}`, `the access token with one character changed ${where}: accepted, HTTP ${changed.status} — the resource does not verify it`);

  if (!key) c.skip('resource.dpop_bearer_refused', input.dpop ? `the IdP issued token_type "${input.dpop.token_type}", not a DPoP-bound token (dpop.token_type)` : 'the access token is not DPoP-bound: check --dpop binds it');
  else {
    const asBearer = await ask(bearer(access_token), url, [access_token]);
    c.expect('resource.dpop_bearer_refused', refused(asBearer), `the DPoP-bound token as Bearer: refused, HTTP ${asBearer.status}`, `the DPoP-bound token as Bearer, without a proof: accepted, HTTP ${asBearer.status} — anyone holding the token can use it`);
  }

  const unusable = expiredTokenProblem(input.expired_token, input.indicator, Math.floor(Date.now() / 1000));
  if (unusable) c.skip('resource.reject_expired', unusable);
  else {
    const token = input.expired_token!;
    const answer = await ask(bearer(token), url, [token]);
    c.expect('resource.reject_expired', refused(answer), `the expired access token (--expired-token): refused, HTTP ${answer.status}`, `the expired access token (--expired-token): accepted, HTTP ${answer.status} — the resource does not check exp`);
  }
}

/** askResource with a DPoP-bound token: a fresh proof for each request it makes (GET, then POST on 405). */
async function askResourceBound(http: HttpClient, url: string, token: string, key: DpopKey, options: { signal?: AbortSignal; tokens?: string[] }): Promise<{ method: 'GET' | 'POST'; response: HttpResponse }> {
  const get = await withDpop(key, { method: 'GET', url, accessToken: token }, (headers) => http.request({ url, headers: { accept: RESOURCE_ACCEPT, ...headers }, ...options }));
  if (get.status !== 405) return { method: 'GET', response: get };
  const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' });
  const post = await withDpop(key, { method: 'POST', url, accessToken: token }, (headers) => http.request({ url, method: 'POST', headers: { accept: RESOURCE_ACCEPT, 'content-type': 'application/json', ...headers }, body, ...options }));
  return { method: 'POST', response: post };
}

/**
 * Why the --expired-token cannot show that the resource checks exp (pure): none given, not expired, or
 * issued for another audience (its refusal would say nothing about exp). An opaque token is taken at
 * the user's word.
 */
export function expiredTokenProblem(token: string | undefined, indicator: string, now: number): string | undefined {
  if (!token) return 'no expired token to send: pass --expired-token FILE, an access token for this resource whose exp has passed (e.g. saved from an earlier run); none can be made without the IdP\'s key';
  const claims = readClaims(token);
  if (!claims) return undefined;
  const exp = claims.exp;
  if (typeof exp !== 'number' || !Number.isFinite(exp)) return 'the --expired-token has no numeric exp: it cannot show that exp is checked';
  if (exp > now) return `the --expired-token is not expired yet (exp ${new Date(exp * 1000).toISOString()})`;
  const audiences = [claims.aud ?? []].flat();
  if (!audiences.includes(indicator)) return `the --expired-token's aud (${audiences.map((aud) => cut(String(aud), 60)).join(', ') || 'none'}) is not ${indicator}: a refusal would not show that exp is checked`;
  return undefined;
}

/**
 * One base64url character changed in the middle of the JWS signature (the last character may carry
 * only padding bits, which lenient decoders ignore), or in the middle of an opaque token.
 */
export function tampered(token: string): string {
  const parts = token.split('.');
  const signed = parts.length === 3 && parts[2]!.length > 0;
  const target = signed ? parts[2]! : token;
  const at = Math.floor(target.length / 2);
  const swapped = `${target.slice(0, at)}${target[at] === 'A' ? 'B' : 'A'}${target.slice(at + 1)}`;
  return signed ? `${parts[0]}.${parts[1]}.${swapped}` : swapped;
}

function challengeNote(response: HttpResponse): string {
  const challenge = response.headers['www-authenticate'];
  return challenge ? ` (WWW-Authenticate: ${challenge.length > 160 ? `${challenge.slice(0, 160)}…` : challenge})` : '';
}
