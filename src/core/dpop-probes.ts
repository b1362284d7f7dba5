import type { CheckRecorder } from '../checks/recorder.js';
import type { HttpClient, HttpResponse } from '../http/types.js';
import { dpopProof, type DpopKey } from './dpop.js';
import type { ClientCredentials } from './client-auth.js';
import { refreshGrant } from './refresh.js';
import { bodyOf, type TokenSet } from './token-endpoint.js';

/**
 * `check --dpop`: what a resource (the IdP's userinfo) does with a DPoP-bound token once the login has
 * one — it must refuse the token as Bearer, a proof used twice, a proof for another URL or method. Each
 * request first earns a server nonce when the resource wants one, so a refusal is about the twist only.
 */
export const DPOP_PROBE_IDS = ['dpop.bearer_refused', 'dpop.replay_refused', 'dpop.htu_checked', 'dpop.htm_checked', 'dpop.iat_checked'] as const;

/** How old the stale proof of dpop.iat_checked is: far outside any acceptable window (RFC 9449 §11.1). */
const STALE_SECONDS = 3600;

const refused = (response: HttpResponse) => response.status === 401 || response.status === 403;

export async function probeDpop(http: HttpClient, input: { userinfo_endpoint: string; access_token: string; key: DpopKey }, c: CheckRecorder): Promise<void> {
  const { userinfo_endpoint: url, access_token: token, key } = input;
  const get = (headers: Record<string, string>) => http.request({ url, headers: { accept: 'application/json', ...headers }, tokens: [token] });
  const dpop = (proof: string) => ({ authorization: `DPoP ${token}`, dpop: proof });
  // The nonce the resource wants now (RFC 9449 §9), from a first request that may be refused for lacking it.
  const freshNonce = async (): Promise<string | undefined> => (await get(dpop(await dpopProof(key, { htm: 'GET', url, accessToken: token })))).headers['dpop-nonce'];
  const proof = async (claims: { htm?: string; url?: string; iat?: number } = {}) => dpopProof(key, { htm: claims.htm ?? 'GET', url: claims.url ?? url, accessToken: token, nonce: await freshNonce(), iat: claims.iat });

  // The baseline: a correct proof is taken. Without it no refusal below would mean anything.
  const valid = await proof();
  const first = await get(dpop(valid));
  if (refused(first)) {
    for (const id of DPOP_PROBE_IDS) c.skip(id, `userinfo refuses even a correct proof (HTTP ${first.status}): nothing to compare`);
    return;
  }

  const bearer = await get({ authorization: `Bearer ${token}` });
  c.expect('dpop.bearer_refused', refused(bearer), `the bound token as Bearer: refused, HTTP ${bearer.status}`, `the bound token as Bearer (no proof): accepted, HTTP ${bearer.status}`);

  const replay = await get(dpop(valid));
  c.expect('dpop.replay_refused', refused(replay), `the same proof (same jti) a second time: refused, HTTP ${replay.status}`, `the same proof (same jti) a second time: accepted, HTTP ${replay.status}`);

  const elsewhere = new URL(url);
  elsewhere.pathname = `${elsewhere.pathname.replace(/\/$/, '')}/oidc-cli-probe`;
  const htu = await get(dpop(await proof({ url: elsewhere.href })));
  c.expect('dpop.htu_checked', refused(htu), `a proof with htu ${elsewhere.href}: refused, HTTP ${htu.status}`, `a proof with htu ${elsewhere.href} (not this URL): accepted, HTTP ${htu.status}`);

  const htm = await get(dpop(await proof({ htm: 'POST' })));
  c.expect('dpop.htm_checked', refused(htm), `a proof with htm POST for a GET: refused, HTTP ${htm.status}`, `a proof with htm POST for a GET: accepted, HTTP ${htm.status}`);

  // RFC 9449 §4.3 step 11: the proof's age comes from iat, or from a server nonce. A server that hands
  // out nonces may let a fresh nonce vouch for an old iat: then the stale proof says nothing.
  if (first.headers['dpop-nonce'] !== undefined || (await freshNonce()) !== undefined) {
    c.skip('dpop.iat_checked', 'userinfo hands out DPoP nonces, which may bound a proof\'s age instead of iat (RFC 9449 §4.3 step 11)');
  } else {
    const stale = await get(dpop(await proof({ iat: Math.floor(Date.now() / 1000) - STALE_SECONDS })));
    c.expect('dpop.iat_checked', refused(stale), `a proof issued an hour ago (iat): refused, HTTP ${stale.status}`, `a proof issued an hour ago (iat): accepted, HTTP ${stale.status} — a proof copied once works for ever`);
  }
}

/**
 * RFC 9449 §5: the refresh token of a public client that used DPoP is bound to the key, so a refresh
 * without a proof must be refused. A confidential client's may be unbound (it authenticates): a skip.
 * Returns the new refresh token when the IdP took the unproven refresh (the old one may be spent).
 */
export async function probeRefreshBound(http: HttpClient, input: { token_endpoint: string; client: ClientCredentials; tokens: TokenSet; key: DpopKey }, c: CheckRecorder): Promise<string | undefined> {
  const { tokens, client } = input;
  if (client.method !== 'none') return void c.skip('dpop.refresh_bound', `a confidential client (${client.method}): RFC 9449 binds the refresh tokens of public clients`);
  if (!tokens.refresh_token) return void c.skip('dpop.refresh_bound', 'no refresh token was issued');
  if (tokens.token_type?.toLowerCase() !== 'dpop') return void c.skip('dpop.refresh_bound', `the IdP issued token_type "${tokens.token_type}", not a bound grant (dpop.token_type)`);
  const exchange = await refreshGrant(http, { token_endpoint: input.token_endpoint, client, refresh_token: tokens.refresh_token });
  const body = bodyOf(exchange.response);
  if (exchange.response.status !== 200 || typeof body?.access_token !== 'string') {
    c.pass('dpop.refresh_bound', `the refresh token without a DPoP proof: refused, HTTP ${exchange.response.status}${typeof body?.error === 'string' ? ` ${body.error}` : ''}`);
    return undefined;
  }
  c.violation('dpop.refresh_bound', 'the refresh token without a DPoP proof: accepted, HTTP 200 — a stolen refresh token works without the key');
  for (const name of ['access_token', 'refresh_token'] as const) if (typeof body[name] === 'string') http.addToken(body[name] as string);
  return typeof body.refresh_token === 'string' ? body.refresh_token : undefined;
}
