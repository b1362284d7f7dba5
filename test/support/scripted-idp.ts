/**
 * A small, purpose-built misbehaving IdP for the negative login tests: discovery, a JWKS, an
 * authorization endpoint that redirects straight back (no sign-in), a token endpoint, and userinfo —
 * each answer correct except for the one fault asked for. Loopback only, port 0.
 *
 * Run as a script it is also the matching no-JavaScript "browser":
 *   node dist/test/support/scripted-idp.js browse AUTHORIZATION_URL
 * follows the redirect to the loopback redirect_uri and, when the response is in the fragment, does
 * what the listener's page script does in a real browser (POST the fragment back).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { SignJWT, exportJWK, generateKeyPair, type JWK } from 'jose';

export const FAULTS = [
  'none',
  // authorization response
  'no_state', 'wrong_state', 'wrong_iss_param', 'access_denied', 'code_in_fragment', 'repeated_code',
  // token response / ID token
  'wrong_aud', 'expired', 'iat_future', 'missing_nonce', 'wrong_nonce', 'alg_none', 'bad_signature', 'unknown_kid',
  'wrong_iss', 'at_hash_mismatch', 'hs256', 'no_store_missing',
  // userinfo
  'userinfo_wrong_sub',
  // transport: the token endpoint never answers
  'token_hangs',
] as const;
export type Fault = (typeof FAULTS)[number];

export interface ScriptedIdp {
  issuer: string;
  client_id: string;
  /** What the authorization endpoint received last (for assertions on the request). */
  lastAuthorizationRequest: URLSearchParams | undefined;
  /** Every token request: its form and Authorization header (did a secret reach the IdP?). */
  tokenRequests: Array<{ form: URLSearchParams; authorization: string | undefined }>;
  close(): Promise<void>;
}

/**
 * Values the IdP sends instead of the sound ones, for the value classes a fault name cannot cover
 * (objects where strings belong, out-of-range numbers...). Each is merged over the sound value; a
 * member set to undefined is removed. `accessTokenClaims` makes the access token a signed RFC 9068 JWT.
 */
export interface ScriptedValues {
  idTokenClaims?: Record<string, unknown>;
  idTokenHeader?: Record<string, unknown>;
  accessTokenClaims?: Record<string, unknown>;
  tokenResponse?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  userinfo?: Record<string, unknown>;
}

const merged = (base: Record<string, unknown>, patch: Record<string, unknown> | undefined) => {
  const out: Record<string, unknown> = { ...base, ...patch };
  for (const [name, value] of Object.entries(out)) if (value === undefined) delete out[name];
  return out;
};

interface Grant {
  client_id: string;
  redirect_uri: string;
  nonce: string | undefined;
  code_challenge: string | undefined;
}

const b64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');
const atHash = (token: string) => b64url(createHash('sha256').update(token).digest().subarray(0, 16));

export async function startScriptedIdp(fault: Fault, values: ScriptedValues = {}): Promise<ScriptedIdp> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const other = await generateKeyPair('RS256', { extractable: true });
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'scripted-1', alg: 'RS256', use: 'sig' };
  const grants = new Map<string, Grant>();
  const state: ScriptedIdp = { issuer: '', client_id: 'scripted-client', lastAuthorizationRequest: undefined, tokenRequests: [], close: async () => undefined };

  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };

  function authorize(url: URL, res: ServerResponse): void {
    const q = url.searchParams;
    state.lastAuthorizationRequest = q;
    const redirect_uri = q.get('redirect_uri') ?? '';
    const code = b64url(randomBytes(24));
    grants.set(code, { client_id: q.get('client_id') ?? '', redirect_uri, nonce: q.get('nonce') ?? undefined, code_challenge: q.get('code_challenge') ?? undefined });
    const back: Array<[string, string]> = fault === 'access_denied' ? [['error', 'access_denied'], ['error_description', 'The user said no']] : [['code', code]];
    if (fault === 'repeated_code') back.push(['code', 'second-code']);
    if (fault === 'wrong_state') back.push(['state', 'not-the-state-that-was-sent']);
    else if (fault !== 'no_state') back.push(['state', q.get('state') ?? '']);
    back.push(['iss', fault === 'wrong_iss_param' ? 'https://attacker.example' : state.issuer]);
    const query = new URLSearchParams(back).toString();
    res.writeHead(302, { location: fault === 'code_in_fragment' ? `${redirect_uri}#${query}` : `${redirect_uri}?${query}` });
    res.end();
  }

  async function idToken(grant: Grant, access_token: string): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const claims: Record<string, unknown> = {
      iss: fault === 'wrong_iss' ? `${state.issuer}/other` : state.issuer,
      sub: 'scripted-user',
      aud: fault === 'wrong_aud' ? 'someone-else' : grant.client_id,
      iat: fault === 'iat_future' ? now + 3600 : fault === 'expired' ? now - 7200 : now,
      exp: fault === 'expired' ? now - 3600 : now + 600,
      at_hash: fault === 'at_hash_mismatch' ? atHash('another access token') : atHash(access_token),
    };
    if (grant.nonce !== undefined && fault !== 'missing_nonce') claims.nonce = fault === 'wrong_nonce' ? 'a-different-nonce' : grant.nonce;
    if (values.idTokenClaims || values.idTokenHeader) {
      return new SignJWT(merged(claims, values.idTokenClaims)).setProtectedHeader(merged({ alg: 'RS256', kid: 'scripted-1' }, values.idTokenHeader) as { alg: string }).sign(privateKey);
    }
    if (fault === 'alg_none') return `${b64url(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${b64url(JSON.stringify(claims))}.`;
    if (fault === 'hs256') return new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('a-secret-the-client-never-had-0123456789'));
    const key = fault === 'unknown_kid' ? other.privateKey : privateKey;
    const signed = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: fault === 'unknown_kid' ? 'rotated-away' : 'scripted-1' }).sign(key);
    if (fault !== 'bad_signature') return signed;
    const [h, p, s] = signed.split('.');
    const sig = Buffer.from(s!, 'base64url');
    sig[10] = sig[10]! ^ 0xff;
    return `${h}.${p}.${b64url(sig)}`;
  }

  function accessToken(grant: Grant): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const claims = { iss: state.issuer, sub: 'scripted-user', aud: `${state.issuer}/api`, client_id: grant.client_id, iat: now, exp: now + 600, jti: b64url(randomBytes(8)) };
    return new SignJWT(merged(claims, values.accessTokenClaims)).setProtectedHeader({ alg: 'RS256', kid: 'scripted-1', typ: 'at+jwt' }).sign(privateKey);
  }

  async function token(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const form = new URLSearchParams(Buffer.concat(chunks).toString());
    state.tokenRequests.push({ form, authorization: req.headers.authorization });
    const grant = grants.get(form.get('code') ?? '');
    grants.delete(form.get('code') ?? '');
    if (!grant || grant.redirect_uri !== form.get('redirect_uri')) return json(res, 400, { error: 'invalid_grant' }, { 'cache-control': 'no-store' });
    const verifier = form.get('code_verifier') ?? '';
    if (grant.code_challenge && b64url(createHash('sha256').update(verifier).digest()) !== grant.code_challenge) {
      return json(res, 400, { error: 'invalid_grant', error_description: 'PKCE verification failed' }, { 'cache-control': 'no-store' });
    }
    const access_token = values.accessTokenClaims ? await accessToken(grant) : b64url(randomBytes(32));
    const body = merged({ access_token, token_type: 'Bearer', expires_in: 600, id_token: await idToken(grant, access_token), scope: 'openid' }, values.tokenResponse);
    json(res, 200, body, fault === 'no_store_missing' ? {} : { 'cache-control': 'no-store', pragma: 'no-cache' });
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', state.issuer);
    const route = `${req.method} ${url.pathname}`;
    if (route === 'GET /.well-known/openid-configuration') {
      return json(res, 200, merged({
        issuer: state.issuer,
        authorization_endpoint: `${state.issuer}/authorize`,
        token_endpoint: `${state.issuer}/token`,
        jwks_uri: `${state.issuer}/jwks`,
        userinfo_endpoint: `${state.issuer}/userinfo`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        code_challenge_methods_supported: ['S256'],
        scopes_supported: ['openid', 'profile', 'email'],
        token_endpoint_auth_methods_supported: ['none'],
        grant_types_supported: ['authorization_code'],
        authorization_response_iss_parameter_supported: true,
      }, values.metadata));
    }
    if (route === 'GET /jwks') return json(res, 200, { keys: [jwk] });
    if (route === 'GET /authorize') return authorize(url, res);
    if (route === 'POST /token' && fault === 'token_hangs') return;
    if (route === 'POST /token') return void token(req, res).catch(() => json(res, 500, { error: 'server_error' }));
    if (route === 'GET /userinfo') return json(res, 200, merged({ sub: fault === 'userinfo_wrong_sub' ? 'someone-else' : 'scripted-user', name: 'Scripted User' }, values.userinfo));
    json(res, 404, { error: 'not_found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}

/** The no-JavaScript browser for this IdP (see the header comment). Exit 0 once the response is delivered. */
async function browse(authorizationUrl: string): Promise<void> {
  const first = await fetch(authorizationUrl, { redirect: 'manual' });
  const location = first.headers.get('location');
  if (!location) throw new Error(`no redirect from the authorization endpoint (HTTP ${first.status})`);
  const target = new URL(location, authorizationUrl);
  const fragment = target.hash.replace(/^#/, '');
  target.hash = '';
  const landed = await fetch(target, { redirect: 'manual' });
  await landed.text();
  if (fragment === '' && target.search !== '') return;
  // What the listener's relay page does in a real browser: post the fragment back to the same path.
  const relayed = await fetch(target, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ oidc_cli_fragment: fragment }) });
  await relayed.text();
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === 'browse') {
  browse(process.argv.at(-1)!).catch((error: Error) => {
    process.stderr.write(`scripted-idp browse: ${error.message}\n`);
    process.exitCode = 1;
  });
}
