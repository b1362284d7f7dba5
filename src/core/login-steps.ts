import type { DiscoveredIssuer, Flow } from './login-context.js';
import { judgeAccessToken, judgeIdToken, type JudgedToken, type TokenContext } from './token-judge.js';
import { advertisedAlgorithms } from './discovery.js';
import { describeForm, isVsChar, judgeTokenResponse, requestToken, type TokenJudgement, type TokenSet } from './token-endpoint.js';
import { judgeUserinfo, requestUserinfo } from './userinfo.js';
import { show } from '../util/show.js';
import { redactSecret } from '../util/redact.js';
import { judgeDpopNonce, judgeDpopTokens } from './dpop.js';
import { introspectorFor, judgeCertificateBinding } from './mtls.js';
import { readClaims } from './jwt/parse.js';
import { introspectOpaque, judgeIntrospectedAudience, judgeIntrospectedCnf } from './introspection.js';
import { isFrontChannelCredential } from './authorization.js';
import { judgeJarmMetadata, verifyJarmResponse, type JwtResponseMode } from './jarm.js';
import type { ReceivedCallback } from './loopback.js';

export const hasOpenid = (scope: string) => scope.split(/\s+/).includes('openid');

/**
 * Step 4b, JARM: the response JWT verified (signature with the IdP's keys, iss, aud, exp) before anything
 * in it is used; then its parameters are the response to judge. `callback` is undefined when it failed:
 * nothing in it is used. `jarm` holds its claims for the report, credentials masked.
 */
export async function openJarmResponse(flow: Flow, issuer: DiscoveredIssuer, callback: ReceivedCallback, mode: JwtResponseMode) {
  const { settings, deps: { ui, http }, checks, show } = flow;
  ui.step('JWT authorization response (JARM): verified before its code and state are used');
  judgeJarmMetadata(issuer.metadata, mode, checks);
  ui.explain('The IdP signed the whole response: its signature, iss and aud prove who answered and for whom, so a response forged or meant for another client is refused.');
  const now = flow.deps.now?.() ?? Math.floor(Date.now() / 1000);
  const verified = await flow.timed('jarm verification', () =>
    verifyJarmResponse(callback.params, { issuer: issuer.issuer, client_id: settings.client.client_id, keys: issuer.keys, client_secret: settings.client.client_secret, advertised: issuer.metadata.authorization_signing_alg_values_supported, now, clockSkew: settings.clockSkew }),
  );
  checks.merge(verified.checks);
  const claims: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(verified.claims ?? {})) {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    const secret = isFrontChannelCredential(name, text);
    if (secret) http.addToken(text);
    claims[name] = secret ? show(text) : value;
    ui.detail(`${name.padEnd(21)} ${secret ? show(text) : text}`);
  }
  const jarm = verified.claims ? { claims, verified: verified.params !== undefined } : undefined;
  if (!verified.params) {
    ui.warn('the JWT authorization response failed its checks (jarm.*): its code and state are not used');
    return { callback: undefined, jarm };
  }
  return { callback: { ...callback, params: verified.params }, jarm };
}

/** Step 5: the authorization_code grant with the chosen client authentication, shown and judged. */
export async function redeemCode(
  flow: Flow,
  issuer: DiscoveredIssuer,
  grant: { code: string; redirect_uri: string; code_verifier: string },
): Promise<TokenJudgement & { status: number }> {
  const { settings, deps: { http, ui }, show } = flow;
  const { client } = issuer;
  ui.step(`Token request: POST ${issuer.token_endpoint} (grant_type=authorization_code, ${client.method})`);
  ui.explain('The code is redeemed over a back channel with code_verifier and the client credentials: tokens never pass through the browser.');
  const exchange = await flow.timed('token request', () =>
    requestToken(http, {
      token_endpoint: issuer.token_endpoint,
      params: [
        ['grant_type', 'authorization_code'],
        ['code', grant.code],
        ['redirect_uri', grant.redirect_uri],
        ['code_verifier', grant.code_verifier],
        // RFC 8707 §2.2: the resource is named again so the access token is minted for it.
        ...(settings.request.resource ?? []).map((r) => ['resource', r] as [string, string]),
      ],
      client,
      dpop: flow.dpop,
    }),
  );
  if (exchange.dpopProof) {
    ui.detail(`DPoP: proof ${describeProof(exchange.dpopProof)}${exchange.dpopNonce ? ` (sent again with the nonce the IdP asked for: use_dpop_nonce)` : ''}`);
  }
  if (exchange.authorizationHeader) {
    const [scheme, credentials] = exchange.authorizationHeader.split(' ');
    ui.detail(`Authorization: ${scheme} ${redactSecret(credentials ?? '', settings.showTokens)}`);
  }
  for (const line of describeForm(exchange.form, settings.showTokens)) ui.detail(line);
  const response = exchange.response;
  ui.detail(`← HTTP ${response.status}${response.headers['cache-control'] ? `, Cache-Control: ${response.headers['cache-control']}` : ''}`);
  const judgement = judgeTokenResponse(response, { openid: hasOpenid(settings.scope), basicAuth: client.method === 'client_secret_basic' }, flow.checks);
  // The answer in its own words, tokens redacted; an error body (error, error_description) too.
  const body = judgement.body !== null && typeof judgement.body === 'object' && !Array.isArray(judgement.body) ? (judgement.body as Record<string, unknown>) : {};
  for (const [name, value] of Object.entries(body)) {
    ui.detail(`${name.padEnd(17)} ${typeof value !== 'string' ? JSON.stringify(value) : /token$/.test(name) ? show(value) : value}`);
  }
  if (judgement.tokens) {
    http.addToken(judgement.tokens.access_token);
    if (judgement.tokens.refresh_token) http.addToken(judgement.tokens.refresh_token);
  }
  if (flow.dpop) {
    // An opaque token's cnf.jkt is asked of the IdP with the other tokens' checks (validateTokens).
    if (judgement.tokens) judgeDpopTokens(judgement.tokens, flow.dpop, flow.checks, true);
    else for (const id of ['dpop.token_type', 'dpop.cnf_jkt'] as const) flow.checks.skip(id, 'no tokens: the token request failed');
    judgeDpopNonce(exchange, flow.checks);
  }
  // RFC 8705 §3: a token requested over mTLS may be bound to the certificate (cnf.x5t#S256).
  if (client.certificate) {
    ui.detail(`TLS client certificate presented at ${issuer.token_endpoint} (x5t#S256 ${client.certificate.thumbprint})`);
    const binding = { advertised: issuer.metadata.tls_client_certificate_bound_access_tokens === true, introspect: introspectorFor(http, { introspection_endpoint: issuer.metadata.introspection_endpoint, client, issuer: issuer.issuer, insecure: settings.insecure === true }) };
    if (judgement.tokens) await judgeCertificateBinding(judgement.tokens, client.certificate, binding, flow.checks);
    else flow.checks.skip('mtls.cnf_x5t', 'no tokens: the token request failed');
  }
  return { ...judgement, status: response.status };
}

/** The proof's claims in one line: what it proves (method, URL, time, one-time id, nonce). */
function describeProof(proof: string): string {
  const claims = readClaims(proof) ?? {};
  return ['htm', 'htu', 'iat', 'jti', 'nonce'].filter((name) => claims[name] !== undefined).map((name) => `${name}=${String(claims[name])}`).join(' ');
}

/** Step 6: the ID token (OIDC Core §3.1.3.7), the access token (RFC 9068 when a JWT) and userinfo. */
export async function validateTokens(
  flow: Flow,
  issuer: DiscoveredIssuer,
  tokens: TokenSet,
  sent: { nonce: string | undefined; code: string },
): Promise<{ idToken: JudgedToken | undefined; accessToken: JudgedToken | undefined; userinfo: Record<string, unknown> | undefined }> {
  const { settings, deps: { http, ui }, checks } = flow;
  const keys = issuer.keys;
  const context: TokenContext = {
    issuer: issuer.issuer,
    client_id: settings.client.client_id,
    client_secret: settings.client.client_secret,
    keys: async () => keys,
    advertisedAlgorithms: advertisedAlgorithms(issuer.metadata),
    clockSkew: settings.clockSkew,
    now: flow.deps.now,
  };
  let idToken: JudgedToken | undefined;
  if (tokens.id_token) {
    const id_token = tokens.id_token;
    ui.step('ID token (OIDC Core §3.1.3.7)');
    ui.explain('The ID token is for the client: it says who signed in; signature, iss, aud, nonce and times must all hold.');
    const request = { accessToken: tokens.access_token, nonce: sent.nonce, code: sent.code, max_age: settings.request.max_age, serverDate: tokens.date };
    idToken = await flow.timed('id_token validation', () => judgeIdToken(id_token, context, request));
    ui.detail(`alg ${show(idToken.header.alg)}, kid ${show(idToken.header.kid ?? '(none)')}, signature ${idToken.signature.verified ? 'verified' : 'NOT verified'}`);
    if (idToken.payload) ui.detail(`sub ${show(idToken.payload.sub)}, aud ${show(idToken.payload.aud)}, nonce ${idToken.payload.nonce === sent.nonce ? 'matches' : show(idToken.payload.nonce)}`);
    checks.merge(idToken.checks);
  }
  ui.step('Access token');
  ui.explain('The access token is for APIs; a client treats it as opaque. A JWT access token is judged by RFC 9068.');
  const audience = settings.request.audience ?? settings.request.resource?.[0];
  const accessToken = await judgeAccessToken(tokens.access_token, context, { audience, serverDate: tokens.date });
  const kind = accessToken && 'enc' in accessToken.header ? `a JWE (enc ${show(accessToken.header.enc)}), which oidc-cli cannot decrypt` : 'a JWT';
  ui.detail(accessToken ? `${kind}: alg ${show(accessToken.header.alg)}, typ ${show(accessToken.header.typ ?? '(none)')}` : 'opaque to the client (not a JWT)');
  if (accessToken) checks.merge(accessToken.checks);
  else if (audience !== undefined || flow.dpop) {
    // The token says nothing to the client: whom it is for (asked for an API) and the key it is bound to
    // (DPoP) are asked of the IdP, in one introspection.
    ui.detail(`opaque: introspecting it for its ${[audience !== undefined ? 'aud' : '', flow.dpop ? 'cnf.jkt' : ''].filter(Boolean).join(' and ')}`);
    const seen = await flow.timed('introspection (opaque token)', () => introspectOpaque(http, { introspection_endpoint: issuer.metadata.introspection_endpoint, client: issuer.client, issuer: issuer.issuer, insecure: settings.insecure === true }, tokens.access_token));
    if (audience !== undefined) judgeIntrospectedAudience(seen, audience, checks);
    if (flow.dpop) judgeIntrospectedCnf(seen, flow.dpop.thumbprint, checks);
  }

  const endpoint = issuer.userinfo_endpoint;
  let userinfo: Record<string, unknown> | undefined;
  if (!hasOpenid(settings.scope)) checks.skip('userinfo.status', 'openid was not requested');
  else if (!endpoint) checks.skip('userinfo.status', 'discovery lists no userinfo_endpoint');
  else if (!isVsChar(tokens.access_token)) checks.skip('userinfo.status', 'the access token has characters outside VSCHAR (token_response.token_syntax): it cannot be sent in an Authorization header');
  else if (accessToken && isForAnotherApi(accessToken.payload?.aud, [endpoint, issuer.issuer])) {
    checks.skip('userinfo.status', `the access token is for ${JSON.stringify(accessToken.payload?.aud)} (--resource/--audience), not for userinfo; run without them to check userinfo`);
  } else {
    ui.step(`Userinfo: GET ${endpoint}`);
    ui.explain('Userinfo returns claims about the user; its sub must equal the ID token\'s, or the two responses may have been swapped.');
    const response = await flow.timed('userinfo', () => requestUserinfo(http, endpoint, tokens.access_token, tokens.token_type, undefined, flow.dpop));
    ui.detail(`← HTTP ${response.status} ${response.headers['content-type'] ?? ''}`);
    const sub = typeof idToken?.payload?.sub === 'string' ? idToken.payload.sub : undefined;
    userinfo = await judgeUserinfo(response, { sub, issuer: issuer.issuer, client_id: settings.client.client_id, keys, refused: { access_token: tokens.access_token, endpoint, diagnose: settings.diagnose !== false } }, checks);
  }
  return { idToken, accessToken, userinfo };
}

/** RFC 8707: a token minted for an API is rightly refused by userinfo unless userinfo is among its audiences. */
function isForAnotherApi(aud: unknown, userinfoAudiences: string[]): boolean {
  const list = Array.isArray(aud) ? aud : typeof aud === 'string' ? [aud] : [];
  return list.length > 0 && !list.some((a) => userinfoAudiences.includes(a));
}
