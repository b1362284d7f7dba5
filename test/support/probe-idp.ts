/**
 * A small purpose-built OpenID provider for the active probes of `oidc-cli check`: sound by default
 * (exact redirect_uri, S256 PKCE required, single-use codes, client secrets checked, refresh tokens
 * rotated, state returned), with one switchable fault per probe. Nobody signs in: the "user" is
 * signed in the moment the browser arrives, except that prompt=none finds no session (each
 * browser.mjs run starts without cookies). Plain node:http on 127.0.0.1, port 0.
 *
 *   const idp = await startProbeIdp({ faults: ['code_reusable'] });
 *   ... oidc-cli check --issuer ${idp.issuer} --client-id ${idp.clients.basic.client_id} ...
 *   await idp.close();
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { freePort } from './ports.js';

export type ProbeFault =
  | 'pkce_not_enforced' // code_challenge and code_verifier are ignored altogether
  | 'pkce_plain_accepted' // code_challenge_method=plain is accepted (and verified) besides S256
  | 'code_reusable' // a code can be redeemed again and again
  | 'redirect_uri_unchecked' // any redirect_uri is accepted at the authorization endpoint (open redirect)
  | 'redirect_uri_query_ignored' // the query of a redirect_uri is left out of the comparison
  | 'redirect_uri_port_exact' // no RFC 8252 §7.3 any-port rule: only registeredRedirectUri (a port picked at start) is accepted
  | 'token_ignores_redirect_uri' // the token endpoint does not compare redirect_uri
  | 'wrong_secret_accepted' // client secrets are not checked
  | 'no_rotation' // a refresh returns the same refresh token
  | 'refresh_id_token_forged' // a refresh returns an ID token signed with a key that is not in the JWKS (same kid)
  | 'state_dropped' // the authorization response carries no state
  | 'replay_keeps_tokens' // a replayed code is refused, but the tokens issued from it stay valid
  | 'refresh_unknown_invalid_request' // an unknown refresh token is answered invalid_request, not invalid_grant
  | 'userinfo_open' // userinfo answers claims without a token
  | 'userinfo_no_challenge' // userinfo answers 401 without WWW-Authenticate
  | 'userinfo_malformed_challenge' // userinfo answers 401 with a challenge that is not Bearer's (Basic)
  | 'consent_page' // a consent page (allow / deny) after the sign-in; deny answers error=access_denied
  | 'consent_denied_wrong_error' // the same page, but deny answers error=server_error
  | 'refresh_token_introspects_inactive' // introspection says a refresh token that works is inactive
  | 'introspection_any_client' // any authenticated client may introspect any client's tokens (RFC 7662 §4)
  | 'userinfo_query_token'; // userinfo accepts the access token as ?access_token= (RFC 6750 §2.3, discouraged by §5.3)

export interface ProbeIdp {
  issuer: string;
  /** `other`: a second confidential client, for introspection.other_client (check --other-client-id). */
  clients: { public: { client_id: string }; basic: { client_id: string; client_secret: string }; other: { client_id: string; client_secret: string } };
  /** Where the browser was redirected to, in order (to see an open redirect from the IdP's side too). */
  redirects: string[];
  /** With 'redirect_uri_port_exact': the one loopback redirect URI accepted. */
  registeredRedirectUri: string | undefined;
  close(): Promise<void>;
}

interface Code {
  client_id: string;
  redirect_uri: string;
  code_challenge: string | undefined;
  code_challenge_method: string | undefined;
  nonce: string | undefined;
  scope: string;
  used: boolean;
  /** Access tokens issued from this code: revoked when the code comes back (RFC 6749 §4.1.2). */
  issued: string[];
}

const SUB = 'probe-user-1';
const random = () => randomBytes(24).toString('base64url');

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers }).end(JSON.stringify(body));
}

function errorPage(res: ServerResponse, error: string, description: string): void {
  res.writeHead(400, { 'content-type': 'text/html' }).end(`<!doctype html><title>Error</title><p><span id="error">${error}</span> <span id="error_description">${description}</span></p>`);
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  let body = '';
  for await (const chunk of req) body += String(chunk);
  return new URLSearchParams(body);
}

const isRegistered = (uri: string, ignoreQuery: boolean) => {
  try {
    const url = new URL(uri);
    // Loopback native client (RFC 8252 §7.3): any port, exact path, no query.
    return url.protocol === 'http:' && ['127.0.0.1', '[::1]'].includes(url.hostname) && url.pathname === '/callback' && (ignoreQuery || url.search === '') && url.hash === '';
  } catch {
    return false;
  }
};

// Made once per test process (RSA key generation costs ~150 ms of CPU) and shared by every start.
let keyPair: ReturnType<typeof generateKeyPair> | undefined;

export async function startProbeIdp(options: { faults?: ProbeFault[] } = {}): Promise<ProbeIdp> {
  const faults = new Set(options.faults ?? []);
  const { privateKey, publicKey } = await (keyPair ??= generateKeyPair('RS256', { modulusLength: 2048 }));
  const kid = 'probe-rs256';
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  const clients = { public: { client_id: 'probe-public' }, basic: { client_id: 'probe-basic', client_secret: random() }, other: { client_id: 'probe-other', client_secret: random() } };
  const codes = new Map<string, Code>();
  const refreshTokens = new Map<string, { client_id: string; scope: string; auth_time: number }>();
  // access token → the client it was issued to
  const accessTokens = new Map<string, string>();
  const redirects: string[] = [];

  const server = createServer((req, res) => {
    handle(req, res).catch((error: Error) => send(res, 500, { error: 'server_error', error_description: error.message }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const registeredRedirectUri = faults.has('redirect_uri_port_exact') ? `http://127.0.0.1:${await freePort()}/callback` : undefined;

  const idToken = (client_id: string, nonce: string | undefined, auth_time: number, key: CryptoKey) => {
    const claims: Record<string, unknown> = { auth_time };
    if (nonce) claims.nonce = nonce;
    return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' }).setIssuer(issuer).setSubject(SUB).setAudience(client_id).setIssuedAt().setExpirationTime('10m').sign(key);
  };

  async function tokens(client_id: string, scope: string, nonce: string | undefined, auth_time: number, refresh_token?: string, signingKey: CryptoKey = privateKey) {
    const access_token = random();
    accessTokens.set(access_token, client_id);
    const body: Record<string, unknown> = { access_token, token_type: 'Bearer', expires_in: 600, scope };
    if (scope.split(' ').includes('openid')) body.id_token = await idToken(client_id, nonce, auth_time, signingKey);
    const next = refresh_token ?? random();
    refreshTokens.set(next, { client_id, scope, auth_time });
    body.refresh_token = next;
    return body;
  }

  /** Allow or deny, posted back to /authorize with the request it answers. */
  function consentPage(res: ServerResponse, url: URL): void {
    const request = url.searchParams.toString().replace(/"/g, '&quot;');
    res.writeHead(200, { 'content-type': 'text/html' }).end(
      `<!doctype html><title>Consent</title><form method="post" action="/authorize"><input type="hidden" name="request" value="${request}"><button type="submit" name="oidc_probe_decision" value="allow">Allow</button><button type="submit" name="oidc_probe_decision" value="deny" id="deny">Deny</button></form>`,
    );
  }

  function authorize(url: URL, res: ServerResponse): void {
    const q = url.searchParams;
    const client_id = q.get('client_id') ?? '';
    const redirect_uri = q.get('redirect_uri') ?? '';
    if (client_id !== clients.public.client_id && client_id !== clients.basic.client_id) return errorPage(res, 'invalid_client', 'unknown client_id');
    if (!faults.has('redirect_uri_unchecked') && !isRegistered(redirect_uri, faults.has('redirect_uri_query_ignored'))) return errorPage(res, 'invalid_redirect_uri', 'redirect_uri is not registered');
    if (registeredRedirectUri && redirect_uri !== registeredRedirectUri) return errorPage(res, 'invalid_redirect_uri', `only ${registeredRedirectUri} is registered`);
    const back = (params: Record<string, string | undefined>) => {
      const target = new URL(redirect_uri);
      const state = q.get('state');
      for (const [name, value] of Object.entries({ ...params, state: faults.has('state_dropped') ? undefined : state ?? undefined, iss: issuer })) if (value !== undefined) target.searchParams.set(name, value);
      redirects.push(target.toString());
      res.writeHead(302, { location: target.toString() }).end();
    };
    const response_type = q.get('response_type');
    if (response_type === null) return back({ error: 'invalid_request', error_description: 'response_type is required' });
    if (response_type !== 'code') return back({ error: 'unsupported_response_type' });
    const code_challenge = q.get('code_challenge') ?? undefined;
    const code_challenge_method = q.get('code_challenge_method') ?? undefined;
    const methods = faults.has('pkce_plain_accepted') ? ['S256', 'plain'] : ['S256'];
    if (!faults.has('pkce_not_enforced') && (!code_challenge || !methods.includes(code_challenge_method ?? 'plain'))) return back({ error: 'invalid_request', error_description: 'PKCE with S256 is required' });
    if (q.get('prompt') === 'none') return back({ error: 'login_required' });
    if (faults.has('consent_page') || faults.has('consent_denied_wrong_error')) {
      const decision = q.get('oidc_probe_decision');
      if (decision === null) return consentPage(res, url);
      if (decision === 'deny') return back({ error: faults.has('consent_denied_wrong_error') ? 'server_error' : 'access_denied' });
    }
    const code = random();
    codes.set(code, { client_id, redirect_uri, code_challenge, code_challenge_method, nonce: q.get('nonce') ?? undefined, scope: q.get('scope') ?? 'openid', used: false, issued: [] });
    back({ code });
  }

  function authenticate(req: IncomingMessage, form: URLSearchParams): { client_id: string } | { error: [number, Record<string, string>, Record<string, string>] } {
    let client_id = form.get('client_id') ?? undefined;
    let secret = form.get('client_secret') ?? undefined;
    const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? '');
    if (basic) [client_id, secret] = Buffer.from(basic[1]!, 'base64').toString().split(':').map(decodeURIComponent) as [string, string];
    const challenge = basic ? { 'www-authenticate': 'Basic realm="probe-idp"' } : {};
    const unauthorized = { error: [basic ? 401 : 400, { error: 'invalid_client' }, challenge] as [number, Record<string, string>, Record<string, string>] };
    if (client_id === clients.public.client_id) return secret === undefined ? { client_id } : unauthorized;
    if (client_id === clients.basic.client_id && (secret === clients.basic.client_secret || (faults.has('wrong_secret_accepted') && secret !== undefined))) return { client_id };
    if (client_id === clients.other.client_id && secret === clients.other.client_secret) return { client_id };
    return unauthorized;
  }

  /** RFC 7662, for authenticated clients; the hint is only a hint. */
  async function introspect(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') return send(res, 405, { error: 'invalid_request' }, { allow: 'POST' });
    const form = await readForm(req);
    const who = authenticate(req, form);
    if ('error' in who) return send(res, 401, { error: 'invalid_client' }, { 'www-authenticate': 'Basic realm="probe-idp"' });
    const token = form.get('token') ?? '';
    const owner = accessTokens.get(token);
    // Only the client a token was issued to learns about it (this IdP has no resource servers).
    if (owner !== undefined && (owner === who.client_id || faults.has('introspection_any_client'))) return send(res, 200, { active: true, client_id: owner, token_type: 'Bearer' });
    const refresh = refreshTokens.get(token);
    if (refresh && (refresh.client_id === who.client_id || faults.has('introspection_any_client')) && !faults.has('refresh_token_introspects_inactive')) return send(res, 200, { active: true, client_id: refresh.client_id, scope: refresh.scope });
    return send(res, 200, { active: false });
  }

  async function token(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') return send(res, 405, { error: 'invalid_request', error_description: 'POST only' }, { allow: 'POST' });
    const form = await readForm(req);
    const who = authenticate(req, form);
    if ('error' in who) return send(res, who.error[0], who.error[1], who.error[2]);
    const grant = form.get('grant_type');
    const invalidGrant = (description: string) => send(res, 400, { error: 'invalid_grant', error_description: description });
    if (grant === 'authorization_code') {
      const entry = codes.get(form.get('code') ?? '');
      if (!entry || entry.client_id !== who.client_id) return invalidGrant('unknown code');
      if (entry.used && !faults.has('code_reusable')) {
        if (!faults.has('replay_keeps_tokens')) for (const issued of entry.issued) accessTokens.delete(issued);
        return invalidGrant('code already used');
      }
      if (!faults.has('token_ignores_redirect_uri') && form.get('redirect_uri') !== entry.redirect_uri) return invalidGrant('redirect_uri mismatch');
      const verifier = form.get('code_verifier');
      if (!faults.has('pkce_not_enforced')) {
        if (!entry.code_challenge && verifier) return invalidGrant('code_verifier without code_challenge');
        const expected = (v: string) => (entry.code_challenge_method === 'plain' ? v : createHash('sha256').update(v).digest('base64url'));
        if (entry.code_challenge && (!verifier || expected(verifier) !== entry.code_challenge)) return invalidGrant('PKCE verification failed');
      }
      entry.used = true;
      const body = await tokens(who.client_id, entry.scope, entry.nonce, Math.floor(Date.now() / 1000));
      entry.issued.push(body.access_token as string);
      return send(res, 200, body);
    }
    if (grant === 'refresh_token') {
      const old = form.get('refresh_token') ?? '';
      const entry = refreshTokens.get(old);
      if (!entry && faults.has('refresh_unknown_invalid_request')) return send(res, 400, { error: 'invalid_request', error_description: 'bad refresh token' });
      if (!entry || entry.client_id !== who.client_id) return invalidGrant('unknown refresh token');
      if (!faults.has('no_rotation')) refreshTokens.delete(old);
      const signingKey = faults.has('refresh_id_token_forged') ? (await generateKeyPair('RS256')).privateKey : privateKey;
      return send(res, 200, await tokens(who.client_id, entry.scope, undefined, entry.auth_time, faults.has('no_rotation') ? old : undefined, signingKey));
    }
    if (grant === 'client_credentials' && who.client_id === clients.basic.client_id) {
      const access_token = random();
      accessTokens.set(access_token, who.client_id);
      return send(res, 200, { access_token, token_type: 'Bearer', expires_in: 600 });
    }
    return send(res, 400, { error: 'unsupported_grant_type' });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', issuer);
    switch (url.pathname) {
      case '/.well-known/openid-configuration':
        return send(res, 200, {
          issuer,
          authorization_endpoint: `${issuer}/authorize`,
          token_endpoint: `${issuer}/token`,
          userinfo_endpoint: `${issuer}/userinfo`,
          introspection_endpoint: `${issuer}/introspect`,
          jwks_uri: `${issuer}/jwks`,
          scopes_supported: ['openid', 'profile', 'email'],
          response_types_supported: ['code'],
          grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
          subject_types_supported: ['public'],
          id_token_signing_alg_values_supported: ['RS256'],
          code_challenge_methods_supported: ['S256'],
          token_endpoint_auth_methods_supported: ['none', 'client_secret_basic', 'client_secret_post'],
          authorization_response_iss_parameter_supported: true,
        }, { 'cache-control': 'max-age=60' });
      case '/jwks':
        return send(res, 200, { keys: [jwk] }, { 'cache-control': 'max-age=60' });
      case '/authorize': {
        if (req.method !== 'POST') return authorize(url, res);
        // The consent page's answer: the original request plus the decision.
        const form = await readForm(req);
        const answered = new URL(`/authorize?${form.get('request') ?? ''}`, issuer);
        answered.searchParams.set('oidc_probe_decision', form.get('oidc_probe_decision') ?? '');
        return authorize(answered, res);
      }
      case '/token':
        return token(req, res);
      case '/introspect':
        return introspect(req, res);
      case '/userinfo': {
        const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
        if (!bearer && faults.has('userinfo_open')) return send(res, 200, { sub: SUB, name: 'Probe User' });
        if (faults.has('userinfo_no_challenge') && (!bearer || !accessTokens.has(bearer))) return send(res, 401, { error: 'invalid_token' });
        if (faults.has('userinfo_malformed_challenge') && (!bearer || !accessTokens.has(bearer))) return send(res, 401, { error: 'invalid_token' }, { 'www-authenticate': 'Basic realm="probe-idp"' });
        const query = url.searchParams.get('access_token');
        if (!bearer && query && faults.has('userinfo_query_token') && accessTokens.has(query)) return send(res, 200, { sub: SUB, name: 'Probe User' });
        if (!bearer) return send(res, 401, { error: 'invalid_request' }, { 'www-authenticate': 'Bearer realm="probe-idp"' });
        if (!accessTokens.has(bearer)) return send(res, 401, { error: 'invalid_token' }, { 'www-authenticate': 'Bearer realm="probe-idp", error="invalid_token"' });
        return send(res, 200, { sub: SUB, name: 'Probe User' });
      }
      default:
        return send(res, 404, { error: 'not_found' });
    }
  }

  return {
    issuer,
    clients,
    redirects,
    registeredRedirectUri,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
