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
import { createHash, KeyObject, randomBytes, sign } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { CompactSign, SignJWT, exportJWK, generateKeyPair, type JWK } from 'jose';
import { echoSpellings, receivedSecret, requestInSpellings } from './echo-spellings.js';
import { fakeJwe, forgeForExponentOne, mint } from './tokens.js';
import { freePort } from './ports.js';

export const FAULTS = [
  'none',
  // discovery: 301 to the same path with a trailing slash (Django's APPEND_SLASH), the document there
  'discovery_redirect_slash',
  // redirect_uri matched exactly, port included (no RFC 8252 §7.3 any-port rule): see registeredRedirectUri
  'exact_redirect_uri',
  // a confidential client (secret BASIC_SECRET) whose Basic credentials are not form-urldecoded (RFC 6749 §2.3.1)
  'basic_not_urldecoded',
  // authorization response
  'no_state', 'wrong_state', 'wrong_iss_param', 'no_iss_unadvertised', 'access_denied', 'code_in_fragment', 'repeated_code',
  // token response / ID token
  'wrong_aud', 'expired', 'iat_future', 'missing_nonce', 'wrong_nonce', 'alg_none', 'bad_signature', 'unknown_kid',
  'wrong_iss', 'at_hash_mismatch', 'hs256', 'no_store_missing',
  // tokens encrypted for someone (5-part JWE): the client holds no key to decrypt them
  'jwe_id_token', 'jwe_access_token',
  // an ID token signed by the IdP's own key whose payload is not a claims set but a nested JWT (cty JWT)
  'nested_id_token',
  // keys anyone can sign with: an RSA key with e = 1 (the id_token forged for it), an HMAC key in the JWKS
  'forgeable_key', 'published_hmac',
  // userinfo
  'userinfo_wrong_sub',
  // transport: the token endpoint never answers
  'token_hangs',
  // output hardening: a debug IdP that quotes the request back (every grant, or only the refresh grant),
  // or answers the token request with text holding C1 controls; tokens in the front channel; a token
  // holding terminal escape sequences
  'echo_request', 'echo_refresh', 'echo_text', 'front_channel_tokens', 'token_controls',
  // an IdP quoting the credentials it received in other spellings (echoSpellings: percent-encoded either
  // case, HTML entities, JSON escapes, base64...), handing them back as tokens, or quoting ECHOED_SECRET
  // in the front channel's error_description; JWTs in the callback under names that do not say "token"
  'echo_encoded', 'echo_as_token', 'front_channel_error_echo', 'front_channel_jwts',
  // JARM (answered when response_mode is jwt or query.jwt): the response JWT signed by a key that is not in
  // the JWKS (same kid), for another issuer, for another client, expired, or unsigned
  'jarm_wrong_key', 'jarm_wrong_iss', 'jarm_wrong_aud', 'jarm_expired', 'jarm_alg_none',
] as const;
export type Fault = (typeof FAULTS)[number];

/** The access token of 'token_controls': an OSC 52 clipboard write, a BEL and an 8-bit CSI inside. */
export const CONTROL_TOKEN = 'abcdefgh\u001b]52;c;aGVsbG8=\u0007\u009b2J';

/** What 'echo_text' quotes in its JWKS answer: a test passes it as the client secret, as a debug IdP would echo it. */
export const ECHOED_SECRET = 'echoed/Secret+Value=99&y';

export interface ScriptedIdp {
  issuer: string;
  client_id: string;
  /** What the authorization endpoint received last (for assertions on the request). */
  lastAuthorizationRequest: URLSearchParams | undefined;
  /** Every token request received: the form and the Authorization header (the secrets a test scans for). */
  tokenRequests: Array<{ form: URLSearchParams; authorization: string | undefined }>;
  /** Tokens put in the front channel by 'front_channel_tokens' and 'front_channel_jwts'. */
  frontChannelTokens: string[];
  /** What the echo faults quoted back ('echo_encoded', 'front_channel_error_echo'), labelled by spelling. */
  echoed: Array<[string, string]>;
  /** With 'exact_redirect_uri': the one redirect_uri accepted (a free port picked at start). */
  registeredRedirectUri: string | undefined;
  close(): Promise<void>;
}

/** The client secret of 'basic_not_urldecoded': reserved characters, so a correct Basic header encodes it. */
export const BASIC_SECRET = 'p@ss+w/rd=%2F;';

/**
 * The client authentication of 'basic_not_urldecoded': the secret in the form (client_secret_post), or in
 * a Basic header split and compared as it stands, without the form-urldecoding RFC 6749 §2.3.1 requires.
 */
function authenticatesWithoutUrldecoding(form: URLSearchParams, authorization: string | undefined, client_id: string): boolean {
  const basic = /^Basic (.+)$/i.exec(authorization ?? '')?.[1];
  if (!basic) return form.get('client_id') === client_id && form.get('client_secret') === BASIC_SECRET;
  const decoded = Buffer.from(basic, 'base64').toString();
  const colon = decoded.indexOf(':');
  return decoded.slice(0, colon) === client_id && decoded.slice(colon + 1) === BASIC_SECRET;
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

// RSA key generation costs ~150 ms of CPU; the keys are made once per test process and shared by
// every IdP it starts (each test starts its own), which is what keeps the e2e suite inside its time.
let keyPairs: Promise<[Awaited<ReturnType<typeof generateKeyPair>>, Awaited<ReturnType<typeof generateKeyPair>>]> | undefined;
const scriptedKeys = () => (keyPairs ??= Promise.all([generateKeyPair('RS256', { extractable: true }), generateKeyPair('RS256', { extractable: true })]));

export async function startScriptedIdp(fault: Fault, values: ScriptedValues = {}): Promise<ScriptedIdp> {
  const [{ privateKey, publicKey }, other] = await scriptedKeys();
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'scripted-1', alg: 'RS256', use: 'sig', ...(fault === 'forgeable_key' ? { e: 'AQ' } : {}) };
  const hmac = 'an-hmac-key-published-for-all-to-see-0123456789';
  const published: JWK[] = fault === 'published_hmac' ? [jwk, { kty: 'oct', kid: 'hmac-1', alg: 'HS256', k: b64url(hmac) }] : [jwk];
  const grants = new Map<string, Grant>();
  const registeredRedirectUri = fault === 'exact_redirect_uri' ? `http://127.0.0.1:${await freePort()}/callback` : undefined;
  const state: ScriptedIdp = { issuer: '', client_id: 'scripted-client', lastAuthorizationRequest: undefined, tokenRequests: [], frontChannelTokens: [], echoed: [], registeredRedirectUri, close: async () => undefined };

  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };

  function authorize(url: URL, res: ServerResponse): void {
    const q = url.searchParams;
    state.lastAuthorizationRequest = q;
    const redirect_uri = q.get('redirect_uri') ?? '';
    if (registeredRedirectUri !== undefined && redirect_uri !== registeredRedirectUri) {
      // What most IdPs do: their own error page, never a redirect to an unregistered URI.
      res.writeHead(400, { 'content-type': 'text/html' });
      return void res.end('<!doctype html><title>Error</title><p>invalid_request: redirect_uri is not registered for this client</p>');
    }
    const code = b64url(randomBytes(24));
    grants.set(code, { client_id: q.get('client_id') ?? '', redirect_uri, nonce: q.get('nonce') ?? undefined, code_challenge: q.get('code_challenge') ?? undefined });
    const back: Array<[string, string]> = fault === 'access_denied' ? [['error', 'access_denied'], ['error_description', 'The user said no']] : [['code', code]];
    if (fault === 'front_channel_error_echo') {
      state.echoed.push(...echoSpellings(ECHOED_SECRET));
      back.splice(0, 1, ['error', 'invalid_client'], ['error_description', `client_secret was ${state.echoed.map(([label, value]) => `${label}=${value}`).join(' | ')}`]);
    }
    if (fault === 'front_channel_jwts') {
      // JARM's `response`, and JWTs under names that say nothing of tokens: a signed one, unsigned, encrypted.
      const claims = { iss: state.issuer, aud: q.get('client_id'), sub: 'scripted-user', exp: Math.floor(Date.now() / 1000) + 600 };
      const jwts: Array<[string, string]> = [
        ['response', mint({ ...claims, code }, { secret: 'a-jarm-signing-key-0123456789abcdef', alg: 'HS256' })],
        ['jwt', mint({ ...claims, jti: b64url(randomBytes(9)) }, { secret: 'another-signing-key-0123456789abcd', alg: 'HS256' }, { typ: 'JWT' })],
        ['assertion', `${b64url('{"alg":"none"}')}.${b64url(JSON.stringify({ ...claims, n: b64url(randomBytes(12)) }))}.`],
        ['vendor_result', fakeJwe({ alg: 'dir', enc: 'A128GCM' })],
      ];
      back.push(...jwts);
      state.frontChannelTokens.push(...jwts.map(([, value]) => value));
    }
    if (fault === 'repeated_code') back.push(['code', 'second-code']);
    if (fault === 'front_channel_tokens') {
      const tokens: Array<[string, string]> = [['access_token', b64url(randomBytes(30))], ['id_token', `${b64url('{"alg":"none"}')}.${b64url(randomBytes(40))}.`], ['session_token', b64url(randomBytes(20))]];
      back.push(...tokens);
      state.frontChannelTokens.push(...tokens.map(([, value]) => value));
    }
    if (fault === 'wrong_state') back.push(['state', 'not-the-state-that-was-sent']);
    else if (fault !== 'no_state') back.push(['state', q.get('state') ?? '']);
    if (fault !== 'no_iss_unadvertised') back.push(['iss', fault === 'wrong_iss_param' ? 'https://attacker.example' : state.issuer]);
    const mode = q.get('response_mode');
    if (mode === 'jwt' || mode === 'query.jwt') return void jarmResponse(back, q.get('client_id') ?? '').then((response) => {
      res.writeHead(302, { location: `${redirect_uri}?${new URLSearchParams({ response })}` });
      res.end();
    });
    const query = new URLSearchParams(back).toString();
    res.writeHead(302, { location: fault === 'code_in_fragment' ? `${redirect_uri}#${query}` : `${redirect_uri}?${query}` });
    res.end();
  }

  /** OAuth JARM §2.1: the response parameters in one JWT with iss, aud and exp; one fault at most. */
  function jarmResponse(params: Array<[string, string]>, client_id: string): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      ...Object.fromEntries(params),
      iss: fault === 'jarm_wrong_iss' ? 'https://attacker.example' : state.issuer,
      aud: fault === 'jarm_wrong_aud' ? 'another-client' : client_id,
      exp: fault === 'jarm_expired' ? now - 600 : now + 300,
    };
    if (fault === 'jarm_alg_none') return Promise.resolve(`${b64url(JSON.stringify({ alg: 'none' }))}.${b64url(JSON.stringify(claims))}.`);
    return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'scripted-1' }).sign(fault === 'jarm_wrong_key' ? other.privateKey : privateKey);
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
    if (fault === 'jwe_id_token') return fakeJwe({ alg: 'RSA-OAEP-256', enc: 'A256GCM', cty: 'JWT', kid: 'scripted-1' });
    if (fault === 'nested_id_token') {
      const inner = new TextEncoder().encode(fakeJwe({ alg: 'RSA-OAEP-256', enc: 'A256GCM', cty: 'JWT' }));
      return new CompactSign(inner).setProtectedHeader({ alg: 'RS256', kid: 'scripted-1', cty: 'JWT' }).sign(privateKey);
    }
    if (values.idTokenClaims || values.idTokenHeader) {
      // Signed RS256 over exactly the header asked for, whatever its alg says ("constructor", an object...):
      // jose refuses to sign under an alg it does not know, a hostile IdP does not.
      const input = `${b64url(JSON.stringify(merged({ alg: 'RS256', kid: 'scripted-1' }, values.idTokenHeader)))}.${b64url(JSON.stringify(merged(claims, values.idTokenClaims)))}`;
      return `${input}.${b64url(sign('sha256', Buffer.from(input), KeyObject.from(privateKey)))}`;
    }
    if (fault === 'alg_none') return `${b64url(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${b64url(JSON.stringify(claims))}.`;
    if (fault === 'forgeable_key') return forgeForExponentOne({ kid: 'scripted-1' }, claims, jwk.n!);
    if (fault === 'published_hmac') return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: 'hmac-1' }).sign(new TextEncoder().encode(hmac));
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
    const raw = Buffer.concat(chunks).toString();
    const form = new URLSearchParams(raw);
    state.tokenRequests.push({ form, authorization: req.headers.authorization });
    const echo = `rejected: ${raw} authorization=${req.headers.authorization ?? '(none)'}`;
    if (fault === 'echo_encoded') {
      const quoted = requestInSpellings(form, req.headers.authorization, state.client_id);
      state.echoed.push(...quoted);
      const error_description = quoted.map(([label, value]) => `${label}=${value}`).join(' | ');
      return json(res, 401, { error: 'invalid_client', error_description }, { 'www-authenticate': 'Basic realm="scripted"', 'cache-control': 'no-store' });
    }
    if (fault === 'echo_request' || (fault === 'echo_refresh' && (form.get('grant_type') === 'refresh_token' || form.has('token')))) {
      return json(res, 400, { error: 'invalid_client', error_description: echo }, { 'cache-control': 'no-store' });
    }
    if (fault === 'basic_not_urldecoded') {
      if (!authenticatesWithoutUrldecoding(form, req.headers.authorization, state.client_id)) return json(res, 401, { error: 'invalid_client' }, { 'www-authenticate': 'Basic realm="scripted"', 'cache-control': 'no-store' });
      if (form.get('grant_type') === 'refresh_token') return json(res, 400, { error: 'invalid_grant', error_description: 'unknown refresh token' }, { 'cache-control': 'no-store' });
    }
    if (fault === 'token_controls' && form.get('grant_type') === 'client_credentials') {
      return json(res, 200, { access_token: CONTROL_TOKEN, token_type: 'Bearer', expires_in: 600 }, { 'cache-control': 'no-store' });
    }
    const grant = grants.get(form.get('code') ?? '');
    grants.delete(form.get('code') ?? '');
    if (!grant || grant.redirect_uri !== form.get('redirect_uri')) return json(res, 400, { error: 'invalid_grant' }, { 'cache-control': 'no-store' });
    const verifier = form.get('code_verifier') ?? '';
    if (grant.code_challenge && b64url(createHash('sha256').update(verifier).digest()) !== grant.code_challenge) {
      return json(res, 400, { error: 'invalid_grant', error_description: 'PKCE verification failed' }, { 'cache-control': 'no-store' });
    }
    const echoed = fault === 'echo_as_token' ? receivedSecret(form, req.headers.authorization) : undefined;
    const access_token = echoed !== undefined ? echoed : fault === 'jwe_access_token' ? fakeJwe({ alg: 'RSA-OAEP-256', enc: 'A256GCM', typ: 'at+jwt' }) : fault === 'token_controls' ? CONTROL_TOKEN : values.accessTokenClaims ? await accessToken(grant) : b64url(randomBytes(32));
    const body: Record<string, unknown> = merged({ access_token, token_type: 'Bearer', expires_in: 600, id_token: await idToken(grant, access_token), scope: 'openid' }, values.tokenResponse);
    if (fault === 'echo_refresh') body.refresh_token = b64url(randomBytes(32));
    if (echoed !== undefined) Object.assign(body, { refresh_token: `${verifier}.${b64url(randomBytes(8))}`, scope: `openid ${echoed}` });
    json(res, 200, body, fault === 'no_store_missing' ? {} : { 'cache-control': 'no-store', pragma: 'no-cache' });
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', state.issuer);
    const route = `${req.method} ${url.pathname}`;
    if (route === 'GET /.well-known/openid-configuration' && fault === 'discovery_redirect_slash') {
      res.writeHead(301, { location: `${url.pathname}/` });
      return void res.end();
    }
    if (route === 'GET /.well-known/openid-configuration' || (route === 'GET /.well-known/openid-configuration/' && fault === 'discovery_redirect_slash')) {
      return json(res, 200, merged({
        issuer: state.issuer,
        authorization_endpoint: `${state.issuer}/authorize`,
        token_endpoint: `${state.issuer}/token`,
        jwks_uri: `${state.issuer}/jwks`,
        userinfo_endpoint: `${state.issuer}/userinfo`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: fault === 'published_hmac' ? ['RS256', 'HS256'] : ['RS256'],
        code_challenge_methods_supported: ['S256'],
        scopes_supported: ['openid', 'profile', 'email'],
        token_endpoint_auth_methods_supported: fault.startsWith('echo') ? ['none', 'client_secret_basic', 'client_secret_post', 'private_key_jwt'] : fault === 'basic_not_urldecoded' ? ['client_secret_basic', 'client_secret_post'] : ['none'],
        ...(fault.startsWith('echo') ? { token_endpoint_auth_signing_alg_values_supported: ['RS256', 'ES256'] } : {}),
        grant_types_supported: fault.startsWith('echo') ? ['authorization_code', 'refresh_token', 'client_credentials'] : ['authorization_code'],
        ...(fault === 'no_iss_unadvertised' ? {} : { authorization_response_iss_parameter_supported: true }),
        ...(fault === 'echo_refresh' ? { introspection_endpoint: `${state.issuer}/introspect`, revocation_endpoint: `${state.issuer}/revoke` } : {}),
      }, values.metadata));
    }
    if (route === 'GET /jwks' && fault === 'echo_text') {
      // Not JSON, with an 8-bit CSI (U+009B) in the content type and the body, quoting the client secret.
      res.writeHead(200, { 'content-type': 'text/\u009b2Jplain' });
      return void res.end(`\u009b31mrejected: client_secret=${new URLSearchParams([['s', ECHOED_SECRET]]).toString().slice(2)}`);
    }
    if (route === 'GET /jwks') return json(res, 200, { keys: published });
    if (route === 'GET /authorize') return authorize(url, res);
    if (route === 'POST /token' && fault === 'token_hangs') return;
    if (fault === 'echo_refresh' && (route === 'POST /introspect' || route === 'POST /revoke')) return void token(req, res).catch(() => json(res, 500, { error: 'server_error' }));
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
export async function browse(authorizationUrl: string): Promise<void> {
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

/** Runs `work` against a scripted IdP with `fault`, and closes it whatever happens. */
export async function withScriptedIdp<T>(fault: Fault, work: (idp: ScriptedIdp) => Promise<T>, values: ScriptedValues = {}): Promise<T> {
  const idp = await startScriptedIdp(fault, values);
  try {
    return await work(idp);
  } finally {
    await idp.close();
  }
}
