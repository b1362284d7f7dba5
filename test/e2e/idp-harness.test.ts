import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { createRemoteJWKSet, decodeProtectedHeader, importJWK, jwtVerify, SignJWT } from 'jose';
import { randomUUID } from 'node:crypto';
import { startIdp } from '../support/idp.js';
import type { Idp } from '../support/idp.js';
import { authorize, runBrowser } from '../support/idp-flow.js';

type Json = Record<string, any>;

let idp: Idp;
let metadata: Json;

beforeAll(async () => {
  idp = await startIdp();
  metadata = await (await fetch(idp.url('/.well-known/openid-configuration'))).json() as Json;
});
afterAll(() => idp?.close());

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

async function tokenRequest(form: Record<string, string>, headers: Record<string, string> = {}) {
  const response = await fetch(metadata.token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
  return { status: response.status, headers: response.headers, body: await response.json() as Json };
}

async function verifyIdToken(idToken: string, clientId: string, nonce: string) {
  const jwks = createRemoteJWKSet(new URL(metadata.jwks_uri));
  const { payload, protectedHeader } = await jwtVerify(idToken, jwks, { issuer: idp.issuer, audience: clientId });
  expect(payload.nonce).toBe(nonce);
  expect(payload.sub).toBe(idp.users.demo.sub);
  return protectedHeader;
}

describe('discovery', () => {
  it('publishes the configured issuer and a sound configuration', () => {
    expect(metadata.issuer).toBe(idp.issuer);
    expect(idp.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(metadata.code_challenge_methods_supported).toEqual(['S256']);
    expect(metadata.authorization_response_iss_parameter_supported).toBe(true);
    expect(metadata.id_token_signing_alg_values_supported).toContain('RS256');
    expect(metadata.id_token_signing_alg_values_supported).not.toContain('none');
    expect(metadata.response_types_supported).not.toContain('token');
    for (const endpoint of ['introspection_endpoint', 'revocation_endpoint', 'device_authorization_endpoint', 'userinfo_endpoint']) {
      expect(metadata[endpoint], endpoint).toMatch(new RegExp(`^${idp.issuer}/`));
    }
    expect(metadata.grant_types_supported).toEqual(expect.arrayContaining(['authorization_code', 'refresh_token', 'client_credentials', 'urn:ietf:params:oauth:grant-type:device_code']));
    expect(metadata.token_endpoint_auth_methods_supported).toEqual(expect.arrayContaining(['none', 'client_secret_basic', 'client_secret_post', 'private_key_jwt']));
  });

  it('publishes RS256 (2048-bit) and ES256 public keys with kids, and no private material', async () => {
    const { keys } = await (await fetch(metadata.jwks_uri)).json() as { keys: Json[] };
    expect(keys.map((k) => [k.kty, k.alg, k.kid])).toEqual([
      ['RSA', 'RS256', idp.signingKeys.rs256.kid],
      ['EC', 'ES256', idp.signingKeys.es256.kid],
    ]);
    expect(Buffer.from(keys[0]!.n, 'base64url').length * 8).toBe(2048);
    for (const key of keys) for (const p of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) expect(key[p]).toBeUndefined();
  });

  it('serves an issuer with a path, and signs in under it', async () => {
    const pathIdp = await startIdp({ issuerPath: '/realms/demo' });
    try {
      const doc = await (await fetch(pathIdp.url('/.well-known/openid-configuration'))).json() as Json;
      expect(doc.issuer).toBe(`${pathIdp.origin}/realms/demo`);
      expect(doc.authorization_endpoint).toBe(`${pathIdp.origin}/realms/demo/auth`);
      const run = await authorize({ authorization_endpoint: doc.authorization_endpoint, client_id: pathIdp.clients.public.client_id });
      expect(run.browser.stderr).toBe('');
      expect(run.response?.get('iss')).toBe(pathIdp.issuer);
      expect(run.response?.get('code')).toBeTruthy();
    } finally {
      await pathIdp.close();
    }
  });
});

describe('authorization code + PKCE through browser.mjs', () => {
  it('public client: the code exchanges for id_token, access_token and refresh_token', async () => {
    const client = idp.clients.public;
    const run = await authorize({ authorization_endpoint: metadata.authorization_endpoint, client_id: client.client_id });
    expect(run.browser).toEqual({ code: 0, stderr: '' });
    expect(run.response?.get('state')).toBe(run.state);
    expect(run.response?.get('iss')).toBe(idp.issuer);

    const token = await tokenRequest({
      grant_type: 'authorization_code',
      code: run.response!.get('code')!,
      redirect_uri: run.redirect_uri,
      code_verifier: run.code_verifier,
      client_id: client.client_id,
    });
    expect(token.status).toBe(200);
    expect(token.headers.get('cache-control')).toBe('no-store');
    expect(token.body).toMatchObject({ token_type: 'Bearer', scope: 'openid profile email' });
    expect(token.body.refresh_token).toEqual(expect.any(String));
    const header = await verifyIdToken(token.body.id_token, client.client_id, run.nonce);
    expect(header).toMatchObject({ alg: 'RS256', kid: idp.signingKeys.rs256.kid });

    const userinfo = await (await fetch(metadata.userinfo_endpoint, { headers: { authorization: `Bearer ${token.body.access_token}` } })).json() as Json;
    expect(userinfo).toMatchObject({ sub: idp.users.demo.sub, email: idp.users.demo.email, name: idp.users.demo.name });

    // Rotation (RFC 9700 §4.14.2): a new refresh token each time, and the old one is dead.
    const refreshed = await tokenRequest({ grant_type: 'refresh_token', refresh_token: token.body.refresh_token, client_id: client.client_id });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refresh_token).not.toBe(token.body.refresh_token);
    const replay = await tokenRequest({ grant_type: 'refresh_token', refresh_token: token.body.refresh_token, client_id: client.client_id });
    expect(replay).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('a redemption without the code_verifier is refused (PKCE is required)', async () => {
    const client = idp.clients.public;
    const run = await authorize({ authorization_endpoint: metadata.authorization_endpoint, client_id: client.client_id });
    const token = await tokenRequest({ grant_type: 'authorization_code', code: run.response!.get('code')!, redirect_uri: run.redirect_uri, client_id: client.client_id });
    expect(token).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('client_secret_basic + form_post + resource: an RFC 9068 JWT access token for the API', async () => {
    const client = idp.clients.basic;
    const run = await authorize({
      authorization_endpoint: metadata.authorization_endpoint,
      client_id: client.client_id,
      scope: 'openid api:read',
      params: { response_mode: 'form_post', resource: idp.resource },
    });
    expect(run.browser).toEqual({ code: 0, stderr: '' });
    expect(run.method).toBe('POST');
    expect(run.response?.get('iss')).toBe(idp.issuer);
    const token = await tokenRequest(
      { grant_type: 'authorization_code', code: run.response!.get('code')!, redirect_uri: run.redirect_uri, code_verifier: run.code_verifier, resource: idp.resource },
      { authorization: basic(client.client_id, client.client_secret) },
    );
    expect(token.status).toBe(200);
    expect(decodeProtectedHeader(token.body.access_token)).toMatchObject({ typ: 'at+jwt', alg: 'RS256' });
    const { payload } = await jwtVerify(token.body.access_token, createRemoteJWKSet(new URL(metadata.jwks_uri)), {
      issuer: idp.issuer, audience: idp.resource, typ: 'at+jwt',
    });
    expect(payload).toMatchObject({ client_id: client.client_id, sub: idp.users.demo.sub, scope: 'api:read' });
  });

  it('with openid, a resource named only at the authorization endpoint still gives an opaque (userinfo) token', async () => {
    const client = idp.clients.basic;
    const run = await authorize({ authorization_endpoint: metadata.authorization_endpoint, client_id: client.client_id, scope: 'openid api:read', params: { resource: idp.resource } });
    const token = await tokenRequest(
      { grant_type: 'authorization_code', code: run.response!.get('code')!, redirect_uri: run.redirect_uri, code_verifier: run.code_verifier },
      { authorization: basic(client.client_id, client.client_secret) },
    );
    expect(token.status).toBe(200);
    expect(token.body.access_token.split('.')).toHaveLength(1);
  });

  it('client_secret_post: the secret in the body works, a wrong one is refused', async () => {
    const client = idp.clients.post;
    const run = await authorize({ authorization_endpoint: metadata.authorization_endpoint, client_id: client.client_id });
    const form = { grant_type: 'authorization_code', code: run.response!.get('code')!, redirect_uri: run.redirect_uri, code_verifier: run.code_verifier, client_id: client.client_id };
    expect((await tokenRequest({ ...form, client_secret: 'wrong' })).body.error).toBe('invalid_client');
    const run2 = await authorize({ authorization_endpoint: metadata.authorization_endpoint, client_id: client.client_id });
    const token = await tokenRequest({ ...form, code: run2.response!.get('code')!, redirect_uri: run2.redirect_uri, code_verifier: run2.code_verifier, client_secret: client.client_secret });
    expect(token.status).toBe(200);
    await verifyIdToken(token.body.id_token, client.client_id, run2.nonce);
  });

  it('private_key_jwt: a client assertion signed with the exposed private key', async () => {
    const client = idp.clients.privateKeyJwt;
    const run = await authorize({ authorization_endpoint: metadata.authorization_endpoint, client_id: client.client_id });
    const key = await importJWK(client.privateJwk, 'RS256');
    const assertion = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid: client.kid })
      .setIssuer(client.client_id).setSubject(client.client_id).setAudience(idp.issuer)
      .setJti(randomUUID()).setIssuedAt().setExpirationTime('60s')
      .sign(key);
    const token = await tokenRequest({
      grant_type: 'authorization_code', code: run.response!.get('code')!, redirect_uri: run.redirect_uri, code_verifier: run.code_verifier,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion,
    });
    expect(token.status).toBe(200);
    await verifyIdToken(token.body.id_token, client.client_id, run.nonce);
    expect(client.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
  });
});

describe('refresh token issuance (oidc-provider keeps offline_access only with prompt=consent)', () => {
  async function login(target: Idp, doc: Json, scope: string, params: Record<string, string> = {}) {
    const client = target.clients.public;
    const run = await authorize({ authorization_endpoint: doc.authorization_endpoint, client_id: client.client_id, scope, params });
    const response = await fetch(doc.token_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: run.response!.get('code')!, redirect_uri: run.redirect_uri, code_verifier: run.code_verifier, client_id: client.client_id }).toString(),
    });
    return await response.json() as Json;
  }

  it('default (refreshTokens: always): a refresh token even when offline_access is dropped', async () => {
    const tokens = await login(idp, metadata, 'openid offline_access');
    expect(tokens.scope).toBe('openid');
    expect(tokens.refresh_token).toEqual(expect.any(String));
  });

  it('with prompt=consent, offline_access is granted', async () => {
    const tokens = await login(idp, metadata, 'openid offline_access', { prompt: 'consent' });
    expect(tokens.scope).toBe('openid offline_access');
    expect(tokens.refresh_token).toEqual(expect.any(String));
  });

  it("refreshTokens: 'offline_access': none without it", async () => {
    const strict = await startIdp({ refreshTokens: 'offline_access' });
    try {
      const doc = await (await fetch(strict.url('/.well-known/openid-configuration'))).json() as Json;
      expect((await login(strict, doc, 'openid')).refresh_token).toBeUndefined();
      expect((await login(strict, doc, 'openid offline_access', { prompt: 'consent' })).refresh_token).toEqual(expect.any(String));
    } finally {
      await strict.close();
    }
  });
});

describe('front-channel errors', () => {
  it('prompt=none without a session answers login_required at the redirect_uri', async () => {
    const run = await authorize({ authorization_endpoint: metadata.authorization_endpoint, client_id: idp.clients.public.client_id, params: { prompt: 'none' } });
    expect(run.browser.code).toBe(0);
    expect(run.response?.get('error')).toBe('login_required');
    expect(run.response?.get('state')).toBe(run.state);
    expect(run.response?.get('iss')).toBe(idp.issuer);
  });

  it('OIDC_TEST_BROWSER_MODE=deny ends with access_denied', async () => {
    const run = await authorize({ authorization_endpoint: metadata.authorization_endpoint, client_id: idp.clients.public.client_id, env: { OIDC_TEST_BROWSER_MODE: 'deny' } });
    expect(run.browser.code).toBe(0);
    expect(run.response?.get('error')).toBe('access_denied');
  });

  it('a wrong password: browser.mjs exits 1 with one line, and no callback is made', async () => {
    const run = await authorize({ authorization_endpoint: metadata.authorization_endpoint, client_id: idp.clients.public.client_id, env: { OIDC_TEST_PASSWORD: 'nope' } });
    expect(run.browser.code).toBe(1);
    expect(run.browser.stderr).toBe('browser.mjs: sign-in rejected: 401: Invalid username or password.\n');
    expect(run.response).toBeUndefined();
  });

  it('loopback redirect_uri matching: any port (RFC 8252 §7.3), but the exact host and path', async () => {
    const status = async (redirect_uri: string) => {
      const url = new URL(metadata.authorization_endpoint);
      url.search = new URLSearchParams({ response_type: 'code', client_id: idp.clients.public.client_id, redirect_uri, scope: 'openid', code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' }).toString();
      const response = await fetch(url, { redirect: 'manual' });
      return response.status;
    };
    expect(await status('http://127.0.0.1:1234/callback')).toBe(303);
    expect(await status('http://[::1]:1234/callback')).toBe(303);
    expect(await status('http://localhost:1234/callback')).toBe(400);
    expect(await status('http://127.0.0.1:1234/callback/other')).toBe(400);
    expect(await status('http://127.0.0.1:1234/callback?x=1')).toBe(400);
  });

  it('an unregistered redirect_uri gets an error page, not a redirect', async () => {
    const url = new URL(metadata.authorization_endpoint);
    url.search = new URLSearchParams({ response_type: 'code', client_id: idp.clients.public.client_id, redirect_uri: 'http://127.0.0.1:9/elsewhere', scope: 'openid', code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' }).toString();
    const response = await fetch(url, { redirect: 'manual' });
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
    expect(await response.text()).toContain('<span id="error">invalid_redirect_uri</span>');
  });
});

describe('introspection and revocation', () => {
  async function post(endpoint: string, form: Record<string, string>, auth?: string) {
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(auth ? { authorization: auth } : {}) },
      body: new URLSearchParams(form).toString(),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : {}) as Json };
  }

  async function jwtLogin() {
    const client = idp.clients.basic;
    const auth = basic(client.client_id, client.client_secret);
    const run = await authorize({ authorization_endpoint: metadata.authorization_endpoint, client_id: client.client_id, scope: 'openid api:read', params: { resource: idp.resource } });
    const token = await tokenRequest(
      { grant_type: 'authorization_code', code: run.response!.get('code')!, redirect_uri: run.redirect_uri, code_verifier: run.code_verifier, resource: idp.resource },
      { authorization: auth },
    );
    expect(token.status).toBe(200);
    return { auth, tokens: token.body };
  }

  it('a JWT access token introspects active, matching its own claims; revoked, it reads inactive', async () => {
    const { auth, tokens } = await jwtLogin();
    const { payload } = await jwtVerify(tokens.access_token, createRemoteJWKSet(new URL(metadata.jwks_uri)), { issuer: idp.issuer });
    const active = await post(metadata.introspection_endpoint, { token: tokens.access_token }, auth);
    expect(active.body).toMatchObject({
      active: true, iss: payload.iss, client_id: payload.client_id, sub: payload.sub, exp: payload.exp, scope: payload.scope, aud: payload.aud,
    });
    expect(await post(metadata.revocation_endpoint, { token: tokens.access_token, token_type_hint: 'access_token' }, auth)).toEqual({ status: 200, body: {} });
    expect((await post(metadata.introspection_endpoint, { token: tokens.access_token }, auth)).body).toEqual({ active: false });
  });

  it('revoking the refresh token ends the grant: no refresh, and the access token goes inactive', async () => {
    const { auth, tokens } = await jwtLogin();
    expect((await post(metadata.introspection_endpoint, { token: tokens.refresh_token, token_type_hint: 'refresh_token' }, auth)).body.active).toBe(true);
    expect((await post(metadata.introspection_endpoint, { token: tokens.access_token }, auth)).body.active).toBe(true);
    expect((await post(metadata.revocation_endpoint, { token: tokens.refresh_token }, auth)).status).toBe(200);
    expect((await tokenRequest({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token }, { authorization: auth })).body.error).toBe('invalid_grant');
    expect((await post(metadata.introspection_endpoint, { token: tokens.access_token }, auth)).body).toEqual({ active: false });
  });

  it('another client cannot revoke the token, and a wrong secret gets invalid_client', async () => {
    const { auth, tokens } = await jwtLogin();
    const other = basic(idp.clients.post.client_id, idp.clients.post.client_secret);
    await post(metadata.revocation_endpoint, { token: tokens.access_token }, other);
    expect((await post(metadata.introspection_endpoint, { token: tokens.access_token }, auth)).body.active).toBe(true);
    const wrong = await post(metadata.introspection_endpoint, { token: tokens.access_token }, basic(idp.clients.basic.client_id, 'wrong'));
    expect(wrong).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
  });

  it('with jwtIntrospection: false, stock oidc-provider refuses JWTs (unsupported_token_type)', async () => {
    const stock = await startIdp({ jwtIntrospection: false });
    try {
      const { client_id, client_secret } = stock.clients.machine;
      const auth = basic(client_id, client_secret);
      const token = await (await fetch(stock.url('/token'), {
        method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: auth }, body: 'grant_type=client_credentials',
      })).json() as Json;
      const answer = await post(stock.url('/token/introspection'), { token: token.access_token }, auth);
      expect(answer).toMatchObject({ status: 400, body: { error: 'unsupported_token_type' } });
    } finally {
      await stock.close();
    }
  });

  it('garbage and unauthenticated requests', async () => {
    const { auth } = await jwtLogin();
    expect(await post(metadata.introspection_endpoint, { token: 'garbage' }, auth)).toEqual({ status: 200, body: { active: false } });
    expect(await post(metadata.revocation_endpoint, { token: 'garbage' }, auth)).toEqual({ status: 200, body: {} });
    expect((await post(metadata.introspection_endpoint, { token: 'garbage' })).status).toBe(400);
  });
});

describe('machine and device grants', () => {
  it('client_credentials gives the machine client a JWT access token for the API', async () => {
    const { client_id, client_secret } = idp.clients.machine;
    const token = await tokenRequest({ grant_type: 'client_credentials', scope: 'api:read' }, { authorization: basic(client_id, client_secret) });
    expect(token.body.error_description).toBeUndefined();
    expect(token.status).toBe(200);
    expect(token.body).toMatchObject({ token_type: 'Bearer', scope: 'api:read', expires_in: expect.any(Number) });
    const { payload, protectedHeader } = await jwtVerify(token.body.access_token, createRemoteJWKSet(new URL(metadata.jwks_uri)), { issuer: idp.issuer, audience: idp.resource });
    expect(protectedHeader.typ).toBe('at+jwt');
    expect(payload).toMatchObject({ client_id, sub: client_id });
    const introspected = await (await fetch(metadata.introspection_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(client_id, client_secret) },
      body: new URLSearchParams({ token: token.body.access_token }).toString(),
    })).json() as Json;
    expect(introspected).toMatchObject({ active: true, client_id, aud: idp.resource, scope: 'api:read' });
  });

  it('device authorization, approved by browser.mjs at verification_uri_complete', async () => {
    const client_id = idp.clients.public.client_id;
    const started = await (await fetch(metadata.device_authorization_endpoint, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id, scope: 'openid' }).toString(),
    })).json() as Json;
    expect(started.verification_uri_complete).toContain(started.user_code);
    const form = { grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: started.device_code, client_id };
    expect((await tokenRequest(form)).body.error).toBe('authorization_pending');
    expect(await runBrowser(started.verification_uri_complete)).toEqual({ code: 0, stderr: '' });
    const token = await tokenRequest(form);
    expect(token.status).toBe(200);
    expect(token.body.id_token).toEqual(expect.any(String));
  });
});

describe('device authorization denied', () => {
  it('OIDC_TEST_BROWSER_MODE=deny aborts on the confirmation page: access_denied when polling', async () => {
    const client_id = idp.clients.public.client_id;
    const started = await (await fetch(metadata.device_authorization_endpoint, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id, scope: 'openid' }).toString(),
    })).json() as Json;
    expect(await runBrowser(started.verification_uri_complete, { OIDC_TEST_BROWSER_MODE: 'deny' })).toEqual({ code: 0, stderr: '' });
    const token = await tokenRequest({ grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: started.device_code, client_id });
    expect(token).toMatchObject({ status: 400, body: { error: 'access_denied' } });
  });
});

describe('close()', () => {
  it('frees the port', async () => {
    const other = await startIdp();
    const port = Number(new URL(other.issuer).port);
    await fetch(other.url('/.well-known/openid-configuration'));
    await other.close();
    await expect(fetch(other.url('/.well-known/openid-configuration'))).rejects.toThrow();
    const server = createServer();
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
    await new Promise((resolve) => server.close(resolve));
  });
});
