import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

/**
 * A small misbehaving IdP on loopback (node:http): a sound discovery document and JWKS by default,
 * with switchable faults, one per check. Reusable by any e2e test that needs a broken IdP:
 *
 *   const idp = await startBadIdp({ faults: ['alg_none'] });
 *   ... run `oidc-cli discover --issuer ${idp.issuer}` ...
 *   idp.setFaults('duplicate_kid');  // switch between tests
 *   await idp.close();
 *
 * `patchMetadata` / `patchJwks` cover anything the named faults do not.
 */
export type Fault =
  // discovery document
  | 'issuer_mismatch' // issuer with a trailing slash added
  | 'missing_required' // no jwks_uri, no subject_types_supported
  | 'http_endpoints' // endpoints on http:// (use with tls for an https issuer)
  | 'foreign_host' // token_endpoint on another host
  | 'plain_http_authorize' // authorization_endpoint on plain http to a host that is not loopback
  | 'plain_http_token' // token_endpoint on plain http to a host that is not loopback
  | 'plain_http_device' // device_authorization_endpoint on plain http to a host that is not loopback
  | 'alg_none' // "none" in id_token_signing_alg_values_supported
  | 'no_s256' // code_challenge_methods_supported: ["plain"]
  | 'implicit' // response type "token" and the password grant
  | 'no_openid_config' // 404 at openid-configuration, document only at the RFC 8414 URL
  | 'not_json' // 200 text/html
  | 'huge_body' // a JSON body that goes on for megabytes, without Content-Length
  | 'stalled_body' // headers and half a body, then silence
  | 'redirect' // 302 to another URL
  | 'redirect_slash' // 301 to the same URL plus a trailing slash, where the document is (Django's APPEND_SLASH)
  | 'redirect_cross_origin' // 301 to the same path on another origin
  | 'leaky' // Set-Cookie and an access_token member with LEAKY_SECRET values (trace tests)
  | 'bad_date' // a Date header that is not a date (the IdP's clock, read for skew reports)
  // JWKS
  | 'private_key' // RSA key published with d, p, q...
  | 'symmetric_key' // an oct key with k
  | 'rsa_1024' // a 1024-bit RSA key
  | 'duplicate_kid' // two RSA RS256 keys with the same kid
  | 'missing_kid' // several keys, none with kid
  | 'use_key_ops' // use "sig" with key_ops ["encrypt"]
  | 'crv_mismatch' // ES384 on a P-256 key
  | 'jwks_not_json'
  | 'jwks_redirect';

/** Values the `leaky` fault puts in a cookie and in the document; they must never reach output. */
export const LEAKY_SECRET = { cookie: 'sessioncookie-SECRET-4f1d9a', accessToken: 'leaked-access-token-SECRET-7c2e' };

export interface BadIdp {
  issuer: string;
  origin: string;
  port: number;
  /** Replace the active faults. */
  setFaults(...faults: Fault[]): void;
  /** Change the document after faults are applied (undefined restores the default). */
  patchMetadata(patch: ((metadata: Record<string, unknown>) => Record<string, unknown>) | undefined): void;
  patchJwks(patch: ((jwks: { keys: Record<string, unknown>[] }) => unknown) | undefined): void;
  /** Paths requested so far, in order. */
  requests: string[];
  close(): Promise<void>;
}

export interface BadIdpOptions {
  faults?: Fault[];
  /** Serve https with this certificate (see test/support/tls.ts). */
  tls?: { key: string; cert: string };
  /** Issuer path, e.g. "/tenant" (default: none). */
  path?: string;
  /** Address to listen on (default 127.0.0.1), e.g. another loopback address such as 127.0.0.2 or ::1. */
  listen?: string;
  /** Host name in the issuer and endpoint URLs (default: the listen address), e.g. "foo.localhost". */
  hostname?: string;
}

function publicJwk(key: KeyObject, extra: Record<string, unknown>): Record<string, unknown> {
  return { ...(key.export({ format: 'jwk' }) as Record<string, unknown>), ...extra };
}

// Generated once per process: RSA key generation is the slow part of starting a fixture.
let keyCache: { rsa: ReturnType<typeof generateKeyPairSync>; rsa2: KeyObject; ec: KeyObject; weak: KeyObject } | undefined;
function keys() {
  keyCache ??= {
    rsa: generateKeyPairSync('rsa', { modulusLength: 2048 }),
    rsa2: generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey,
    ec: generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey,
    weak: generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey,
  };
  return keyCache;
}

export function soundMetadata(issuer: string, origin: string, path = ''): Record<string, unknown> {
  const base = `${origin}${path}`;
  return {
    issuer,
    authorization_endpoint: `${base}/authorize`,
    token_endpoint: `${base}/token`,
    userinfo_endpoint: `${base}/userinfo`,
    jwks_uri: `${base}/jwks`,
    revocation_endpoint: `${base}/revoke`,
    introspection_endpoint: `${base}/introspect`,
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    response_types_supported: ['code'],
    grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256', 'ES256'],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'],
    authorization_response_iss_parameter_supported: true,
  };
}

export function soundJwks(): { keys: Record<string, unknown>[] } {
  const k = keys();
  return {
    keys: [
      publicJwk(k.rsa.publicKey as KeyObject, { kid: 'rsa-1', use: 'sig', alg: 'RS256' }),
      publicJwk(k.ec, { kid: 'ec-1', use: 'sig', alg: 'ES256' }),
    ],
  };
}

function applyMetadataFaults(metadata: Record<string, unknown>, faults: Set<Fault>): Record<string, unknown> {
  const m = { ...metadata };
  if (faults.has('issuer_mismatch')) m.issuer = `${String(m.issuer)}/`;
  if (faults.has('missing_required')) {
    delete m.jwks_uri;
    delete m.subject_types_supported;
  }
  if (faults.has('http_endpoints')) {
    for (const [name, value] of Object.entries(m)) if (name.endsWith('_endpoint') && typeof value === 'string') m[name] = value.replace(/^https:/, 'http:');
  }
  if (faults.has('foreign_host')) m.token_endpoint = 'https://tokens.elsewhere.example/token';
  if (faults.has('plain_http_authorize')) m.authorization_endpoint = 'http://login.elsewhere.example/authorize';
  if (faults.has('plain_http_token')) m.token_endpoint = 'http://tokens.elsewhere.example/token';
  if (faults.has('plain_http_device')) m.device_authorization_endpoint = 'http://device.elsewhere.example/device';
  if (faults.has('alg_none')) m.id_token_signing_alg_values_supported = ['RS256', 'none'];
  if (faults.has('no_s256')) m.code_challenge_methods_supported = ['plain'];
  if (faults.has('implicit')) {
    m.response_types_supported = ['code', 'token', 'id_token token'];
    m.grant_types_supported = ['authorization_code', 'password'];
  }
  if (faults.has('leaky')) m.access_token = LEAKY_SECRET.accessToken;
  return m;
}

function applyJwksFaults(jwks: { keys: Record<string, unknown>[] }, faults: Set<Fault>): { keys: Record<string, unknown>[] } {
  const k = keys();
  let list = jwks.keys.map((key) => ({ ...key }));
  if (faults.has('private_key')) list[0] = { ...(k.rsa.privateKey.export({ format: 'jwk' }) as Record<string, unknown>), kid: 'rsa-1', use: 'sig', alg: 'RS256' };
  if (faults.has('symmetric_key')) list.push({ kty: 'oct', kid: 'hmac-1', alg: 'HS256', k: 'c2VjcmV0LXNpZ25pbmcta2V5LWZvci10ZXN0cy0xMjM0' });
  if (faults.has('rsa_1024')) list.push(publicJwk(k.weak, { kid: 'rsa-weak', use: 'sig', alg: 'RS256' }));
  if (faults.has('duplicate_kid')) list.push(publicJwk(k.rsa2, { kid: 'rsa-1', use: 'sig', alg: 'RS256' }));
  if (faults.has('missing_kid')) list = list.map(({ kid: _kid, ...rest }) => rest);
  if (faults.has('use_key_ops')) list[0] = { ...list[0], use: 'sig', key_ops: ['encrypt'] };
  if (faults.has('crv_mismatch')) list[1] = { ...list[1], alg: 'ES384' };
  return { keys: list };
}

export async function startBadIdp(options: BadIdpOptions = {}): Promise<BadIdp> {
  let faults = new Set<Fault>(options.faults ?? []);
  let metadataPatch: ((m: Record<string, unknown>) => Record<string, unknown>) | undefined;
  let jwksPatch: ((j: { keys: Record<string, unknown>[] }) => unknown) | undefined;
  const requests: string[] = [];
  const path = options.path ?? '';
  const sockets = new Set<import('node:net').Socket>();
  keys();

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push(url.pathname);
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...(faults.has('bad_date') ? { date: 'the day after tomorrow' } : {}), ...headers });
      res.end(JSON.stringify(body));
    };
    const transportFault = (): boolean => {
      if (faults.has('redirect')) {
        res.writeHead(302, { location: `${idp.origin}/elsewhere${url.pathname}` });
        res.end();
      } else if (faults.has('not_json')) {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<html><body>Welcome to our login portal</body></html>');
      } else if (faults.has('huge_body')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        const chunk = `"${'x'.repeat(64 * 1024 - 3)}",`;
        let sent = 0;
        res.write('{"padding":[');
        // Stop when the client hangs up (it should, at the size cap) or after 16 MiB.
        const pump = () => {
          while (sent < 256 && !res.destroyed) {
            sent += 1;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          if (!res.destroyed) res.end('""]}');
        };
        pump();
      } else if (faults.has('stalled_body')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"issuer":');
      } else return false;
      return true;
    };

    const openid = `${path}/.well-known/openid-configuration`;
    const oauth = `/.well-known/oauth-authorization-server${path}`;
    if (url.pathname === openid && faults.has('redirect_slash')) {
      res.writeHead(301, { location: `${openid}/` });
      return void res.end();
    }
    if (url.pathname === openid && faults.has('redirect_cross_origin')) {
      res.writeHead(301, { location: `http://localhost:${new URL(idp.origin).port}${openid}` });
      return void res.end();
    }
    if (url.pathname === openid || url.pathname === oauth || (url.pathname === `${openid}/` && faults.has('redirect_slash'))) {
      if (url.pathname === openid && faults.has('no_openid_config')) return json(404, { error: 'not_found' });
      if (transportFault()) return;
      let metadata = applyMetadataFaults(soundMetadata(idp.issuer, idp.origin, path), faults);
      if (metadataPatch) metadata = metadataPatch(metadata);
      return json(200, metadata, faults.has('leaky') ? { 'set-cookie': `session=${LEAKY_SECRET.cookie}; HttpOnly` } : {});
    }
    if (url.pathname === `${path}/jwks`) {
      if (faults.has('jwks_redirect')) {
        res.writeHead(301, { location: `${idp.origin}/old-keys` });
        return void res.end();
      }
      if (faults.has('jwks_not_json')) {
        res.writeHead(200, { 'content-type': 'text/plain' });
        return void res.end('keys are being rotated, come back later');
      }
      let jwks: unknown = applyJwksFaults(soundJwks(), faults);
      if (jwksPatch) jwks = jwksPatch(jwks as { keys: Record<string, unknown>[] });
      return json(200, jwks, { 'content-type': 'application/jwk-set+json' });
    }
    json(404, { error: 'not_found', path: url.pathname });
  };

  const server: Server = options.tls ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, handler) : createHttpServer(handler);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const listen = options.listen ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, listen, resolve);
  });
  const port = (server.address() as AddressInfo).port;
  const hostname = options.hostname ?? (listen.includes(':') ? `[${listen}]` : listen);
  const origin = `${options.tls ? 'https' : 'http'}://${hostname}:${port}`;

  const idp: BadIdp = {
    issuer: `${origin}${path}`,
    origin,
    port,
    requests,
    setFaults: (...next) => void (faults = new Set(next)),
    patchMetadata: (patch) => void (metadataPatch = patch),
    patchJwks: (patch) => void (jwksPatch = patch),
    close: () =>
      new Promise<void>((resolve) => {
        // Stalled responses keep sockets open forever: destroy them so close() returns.
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  return idp;
}
