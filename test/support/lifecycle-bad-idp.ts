/**
 * Small purpose-built IdPs for the token lifecycle, each with at most the faults a test turns on
 * (issue 5): a refresh that does not rotate, userinfo for another sub, introspection that answers
 * without client authentication, revocation that errors on an unknown token. Loopback, port 0.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fakeJwe, mint, nowSeconds, rsaKey } from './tokens.js';

export interface LifecycleFaults {
  /** The refresh grant returns the same refresh token. */
  noRotation?: boolean;
  /** Rotates, but the old refresh token keeps working (no reuse detection). */
  reuseAccepted?: boolean;
  /** The refresh answer's id_token is not a JWT at all. */
  malformedIdToken?: boolean;
  /** The refresh answer's id_token is a 5-part JWE the client cannot decrypt. */
  jweIdToken?: boolean;
  /** Client credentials tokens come without Cache-Control: no-store. */
  clientCredentialsCacheable?: boolean;
  /** userinfo answers with this sub instead of the ID token's. */
  userinfoSub?: string;
  /** Introspection answers with token data without any client authentication. */
  introspectionWithoutAuth?: boolean;
  /** Revocation answers 200 but forgets nothing. */
  revocationIgnored?: boolean;
  /** Revocation answers 400 invalid_request for a token it does not know. */
  revocationErrorsOnUnknown?: boolean;
  /**
   * Members merged over the sound answers (undefined removes one), for the value classes: objects
   * where strings belong, out-of-range numbers, odd types. The refresh still rotates as usual.
   */
  refreshResponse?: Record<string, unknown>;
  /** Claims merged over the sound ID token of a refresh. */
  refreshIdTokenClaims?: Record<string, unknown>;
  /** Header members merged over the refresh ID token's (still signed RS256, whatever alg it names). */
  refreshIdTokenHeader?: Record<string, unknown>;
  /** Members merged over the sound discovery document. */
  metadata?: Record<string, unknown>;
  clientCredentialsResponse?: Record<string, unknown>;
  userinfoResponse?: Record<string, unknown>;
  introspectionResponse?: Record<string, unknown>;
  /** Advertise device authorization (RFC 8628); the device code is approved at once. */
  device?: boolean;
  /** Members merged over the device authorization answer (RFC 8628 §3.2); implies `device`. */
  deviceResponse?: Record<string, unknown>;
}

const merged = (base: Record<string, unknown>, patch: Record<string, unknown> | undefined) => {
  const out: Record<string, unknown> = { ...base, ...patch };
  for (const [name, value] of Object.entries(out)) if (value === undefined) delete out[name];
  return out;
};

export interface IssuedTokens {
  access_token: string;
  refresh_token: string;
  id_token: string;
}

export interface BadLifecycleIdp {
  issuer: string;
  /** Paths of the POSTs received, in order (did a request reach the IdP at all?). */
  posts: string[];
  client_id: string;
  client_secret: string;
  sub: string;
  /** A fresh token set the IdP knows, as a login would have left it in the cache. */
  issue(client_id?: string): IssuedTokens;
  close(): Promise<void>;
}

const random = () => randomBytes(24).toString('base64url');

export async function startBadLifecycleIdp(faults: LifecycleFaults): Promise<BadLifecycleIdp> {
  const key = rsaKey('bad-lifecycle-1');
  const client_id = 'app';
  const client_secret = 'app-secret-0123456789';
  const sub = 'user-1';
  const access = new Map<string, { client_id: string; exp: number; scope: string }>();
  const refresh = new Map<string, string>(); // refresh token → client_id
  let issuer = '';

  const posts: string[] = [];
  const idToken = (aud: string, extra?: Record<string, unknown>, header?: Record<string, unknown>) => mint(merged({ iss: issuer, sub, aud, iat: nowSeconds(), exp: nowSeconds() + 300, auth_time: 1_700_000_000 }, extra), key, header);
  const issue = (aud = client_id): IssuedTokens => {
    const tokens = { access_token: random(), refresh_token: random(), id_token: idToken(aud) };
    access.set(tokens.access_token, { client_id: aud, exp: nowSeconds() + 300, scope: 'openid profile' });
    refresh.set(tokens.refresh_token, aud);
    return tokens;
  };

  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers }).end(JSON.stringify(body));
  const form = async (req: IncomingMessage) => {
    let text = '';
    for await (const chunk of req) text += chunk;
    return new URLSearchParams(text);
  };
  const authenticated = (req: IncomingMessage, params: URLSearchParams): string | undefined => {
    const header = req.headers.authorization;
    if (header?.startsWith('Basic ')) {
      const [id, secret] = Buffer.from(header.slice(6), 'base64').toString().split(':').map(decodeURIComponent);
      return id === client_id && secret === client_secret ? id : undefined;
    }
    // A public client identifies itself with client_id only.
    const id = params.get('client_id');
    return id && id !== client_id ? id : undefined;
  };

  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', issuer).pathname;
    if (path === '/.well-known/openid-configuration') {
      return json(res, 200, merged({
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        userinfo_endpoint: `${issuer}/userinfo`,
        introspection_endpoint: `${issuer}/introspect`,
        revocation_endpoint: `${issuer}/revoke`,
        ...(faults.device || faults.deviceResponse ? { device_authorization_endpoint: `${issuer}/device` } : {}),
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['none', 'client_secret_basic'],
      }, faults.metadata));
    }
    if (path === '/jwks') return json(res, 200, { keys: [key.jwk] });
    if (path === '/userinfo') {
      const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
      if (!access.has(token)) return res.writeHead(401, { 'www-authenticate': 'Bearer error="invalid_token"' }).end();
      return json(res, 200, merged({ sub: faults.userinfoSub ?? sub, name: 'User One' }, faults.userinfoResponse));
    }
    if (req.method !== 'POST') return res.writeHead(404).end();
    posts.push(path);
    const params = await form(req);
    const caller = authenticated(req, params);
    if (path === '/token') {
      if (params.get('grant_type') === 'client_credentials') {
        if (caller !== client_id) return json(res, 401, { error: 'invalid_client' }, { 'www-authenticate': 'Basic realm="token"' });
        const access_token = random();
        access.set(access_token, { client_id, exp: nowSeconds() + 300, scope: params.get('scope') ?? '' });
        return json(res, 200, merged({ access_token, token_type: 'Bearer', expires_in: 300 }, faults.clientCredentialsResponse), faults.clientCredentialsCacheable ? { 'cache-control': 'max-age=300' } : {});
      }
      if (params.get('grant_type') === 'urn:ietf:params:oauth:grant-type:device_code') {
        return json(res, 200, { ...issue(params.get('client_id') ?? client_id), token_type: 'Bearer', expires_in: 300, scope: 'openid profile' });
      }
      if (params.get('grant_type') !== 'refresh_token') return json(res, 400, { error: 'unsupported_grant_type' });
      const old = params.get('refresh_token') ?? '';
      const owner = refresh.get(old);
      if (!owner || owner !== caller) return json(res, 400, { error: 'invalid_grant' });
      const tokens = issue(owner);
      if (faults.noRotation) {
        refresh.delete(tokens.refresh_token);
        tokens.refresh_token = old;
      } else if (!faults.reuseAccepted) refresh.delete(old);
      if (faults.malformedIdToken) tokens.id_token = 'eyJhbGciOiJSUzI1NiJ9.!!!.abc';
      if (faults.jweIdToken) tokens.id_token = fakeJwe();
      if (faults.refreshIdTokenClaims || faults.refreshIdTokenHeader) tokens.id_token = idToken(owner, faults.refreshIdTokenClaims, faults.refreshIdTokenHeader);
      return json(res, 200, merged({ ...tokens, token_type: 'Bearer', expires_in: 300, scope: 'openid profile' }, faults.refreshResponse));
    }
    if (path === '/introspect') {
      if (!caller && !faults.introspectionWithoutAuth) return json(res, 401, { error: 'invalid_client' }, { 'www-authenticate': 'Basic realm="introspection"' });
      const token = params.get('token') ?? '';
      const known = access.get(token);
      if (known) return json(res, 200, merged({ active: true, iss: issuer, sub, client_id: known.client_id, exp: known.exp, scope: known.scope, token_type: 'Bearer' }, faults.introspectionResponse));
      if (refresh.has(token)) return json(res, 200, { active: true, iss: issuer, sub, client_id: refresh.get(token), token_type: 'refresh_token' });
      return json(res, 200, { active: false });
    }
    if (path === '/device') {
      const body = { device_code: random(), user_code: 'WDJB-MJHT', verification_uri: `${issuer}/activate`, verification_uri_complete: `${issuer}/activate?user_code=WDJB-MJHT`, expires_in: 600, interval: 1 };
      return json(res, 200, merged(body, faults.deviceResponse));
    }
    if (path === '/revoke') {
      const token = params.get('token') ?? '';
      const known = faults.revocationIgnored ? access.has(token) || refresh.has(token) : access.delete(token) || refresh.delete(token);
      if (!known && faults.revocationErrorsOnUnknown) return json(res, 400, { error: 'invalid_request', error_description: 'unknown token' });
      return res.writeHead(200).end();
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    posts,
    client_id,
    client_secret,
    sub,
    issue,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
