// runLogin in-process against the real oidc-provider (test/support/idp.ts), signed in by the HTTP browser
// of test/support/http-browser-port.ts through the Browser port: no binary, no child process, seconds.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPrivateKey } from '../../../src/core/client-auth.js';
import { runLogin, type LoginDeps, type LoginSettings } from '../../../src/core/login-flow.js';
import { isOk } from '../../../src/report/model.js';
import { httpBrowser, type HttpBrowser } from '../../support/http-browser-port.js';
import { startIdp, type Idp } from '../../support/idp.js';
import { loginSettings, recordingUi, testHttp, type RecordingUi } from './flow-deps.js';

// RFC 6749 §2.3.1: id and secret are form-urlencoded before the Basic encoding; these need it.
const ODD_CLIENT = { client_id: 'odd client:1', client_secret: 'p@ss w:rd+/%~' };
let idp: Idp;
let dir: string;
beforeAll(async () => {
  idp = await startIdp({ extraClients: [{ ...ODD_CLIENT, application_type: 'native', token_endpoint_auth_method: 'client_secret_basic', redirect_uris: ['http://127.0.0.1/callback'], grant_types: ['authorization_code'], response_types: ['code'] }] });
  dir = await mkdtemp(join(tmpdir(), 'oidc-cli-login-flow-'));
});
afterAll(async () => {
  await idp?.close();
  await rm(dir, { recursive: true, force: true });
});

function settings(overrides: Partial<LoginSettings> = {}): LoginSettings {
  return loginSettings(idp.issuer, { client_id: idp.clients.public.client_id, method: 'none' }, overrides);
}

async function login(browser: HttpBrowser, overrides: Partial<LoginSettings> = {}, clock: Pick<LoginDeps, 'now'> = {}) {
  const ui: RecordingUi = recordingUi();
  const http = testHttp(ui);
  const deps: LoginDeps = { http, ui, browser, signal: new AbortController().signal, ...clock };
  try {
    return { result: await runLogin(settings(overrides), deps), ui };
  } finally {
    await http.close();
  }
}

const statusOf = (checks: Array<{ id: string; status: string }>, id: string) => checks.find((c) => c.id === id)?.status;

describe('runLogin in-process', () => {
  it('public client, signed in: every check passes, the verdict is ok (exit 0), tokens judged', async () => {
    const browser = httpBrowser();
    const { result } = await login(browser);
    expect(result.checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect(isOk(result, false)).toBe(true);
    expect(result.stoppedAt).toBeUndefined();
    for (const id of ['authorization.state', 'authorization.iss', 'token_response.no_store', 'id_token.signature', 'id_token.nonce', 'id_token.aud', 'userinfo.sub']) {
      expect([id, statusOf(result.checks, id)]).toEqual([id, 'pass']);
    }
    expect(browser.opened).toHaveLength(1);
    expect(browser.opened[0]).toBe(result.authorization_url);
    expect(result.client_auth).toBe('none');
    expect(result.idToken?.payload?.sub).toBe(idp.users.demo.sub);
    expect(result.userinfo?.sub).toBe(idp.users.demo.sub);
    expect(result.steps.map((s) => s.name)).toEqual(expect.arrayContaining(['discovery', 'jwks', 'listener', 'authorization (browser)', 'token request', 'userinfo']));
  });

  it('confidential client (client_secret_basic): same verdict through the token endpoint with a secret', async () => {
    const { result } = await login(httpBrowser(), { client: { client_id: idp.clients.basic.client_id, client_secret: idp.clients.basic.client_secret, method: 'client_secret_basic' } });
    expect(result.checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect(result.client_auth).toBe('client_secret_basic');
    expect(result.tokens?.refresh_token).toEqual(expect.any(String));
  });

  it('the user denies: authorization.error fails, the code is never redeemed, the verdict fails (exit 1)', async () => {
    const { result } = await login(httpBrowser({ deny: true }));
    expect(statusOf(result.checks, 'authorization.error')).toBe('fail');
    expect(result.stoppedAt).toBe('the IdP answered error=access_denied');
    expect(isOk(result, false)).toBe(false);
    expect(result.tokens).toBeUndefined();
    expect(result.steps.map((s) => s.name)).not.toContain('token request');
    expect(Object.fromEntries(result.callback ?? [])).toMatchObject({ error: 'access_denied' });
  });

  it('a wrong client secret: invalid_client at the code exchange, diagnosed without spending a code', async () => {
    const { result } = await login(httpBrowser(), { client: { client_id: idp.clients.basic.client_id, client_secret: 'not-the-secret', method: 'client_secret_basic' } });
    expect(result.stoppedAt).toMatch(/^the token request failed \(HTTP 401, error=invalid_client\)$/);
    expect(result.checks.find((c) => c.id === 'diagnosis.client_auth')).toMatchObject({ status: 'fail' });
    expect(isOk(result, false)).toBe(false);
  });

  it('the browser command stops short (wrong password): diagnosis.redirect_uri fails quoting the reason the command gave first, the report is complete (exit 1)', async () => {
    const { result } = await login(httpBrowser({ password: 'wrong' }));
    const diagnosis = result.checks.find((c) => c.id === 'diagnosis.redirect_uri');
    expect(diagnosis).toMatchObject({ status: 'fail' });
    expect(diagnosis!.message).toMatch(/^.*sign-in rejected.*and no request reached http:\/\/127\.0\.0\.1:\d+\/callback/);
    expect(result.stoppedAt).toMatch(/never reached the redirect URI/);
    expect(result.tokens).toBeUndefined();
    expect(isOk(result, false)).toBe(false);
  });

  it('the clock is a parameter: two hours ahead, the fresh ID token is expired (id_token.exp fails) and the verdict fails', async () => {
    const { result } = await login(httpBrowser(), {}, { now: () => Math.floor(Date.now() / 1000) + 2 * 3600 });
    expect(result.checks.find((c) => c.id === 'id_token.exp')).toMatchObject({ status: 'fail' });
    expect(isOk(result, false)).toBe(false);
  });
});

// The protocol verdicts that test/e2e/login.test.ts used to reach through the binary (issue 11): the
// binary's own part (exit codes, files, -vv, the cache) stays there.
describe('runLogin in-process: each client authentication', () => {
  function expectFullPass(result: Awaited<ReturnType<typeof login>>['result']) {
    expect(result.checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect(result.checks.filter((c) => c.id.startsWith('diagnosis.'))).toEqual([]);
    expect(isOk(result, false)).toBe(true);
    for (const id of ['authorization.state', 'authorization.iss', 'token_response.no_store', 'id_token.signature', 'id_token.nonce', 'id_token.aud', 'userinfo.sub']) {
      expect([id, statusOf(result.checks, id)]).toEqual([id, 'pass']);
    }
    expect(result.checks.map((c) => c.id)).toContain('token_response.access_token_kind');
    expect(result.idToken?.payload?.sub).toBe(idp.users.demo.sub);
    expect(result.userinfo?.sub).toBe(idp.users.demo.sub);
  }

  it('client_secret_basic with a client_id and secret that need form-urlencoding (space, colon, plus, percent)', async () => {
    const { result } = await login(httpBrowser(), { client: { ...ODD_CLIENT, method: 'client_secret_basic' } });
    expectFullPass(result);
    expect(result.client_auth).toBe('client_secret_basic');
  });

  it('client_secret_post', async () => {
    const { result } = await login(httpBrowser(), { client: { client_id: idp.clients.post.client_id, client_secret: idp.clients.post.client_secret, method: 'client_secret_post' } });
    expectFullPass(result);
    expect(result.client_auth).toBe('client_secret_post');
  });

  it('private_key_jwt with a PEM key file, and with a JWK key file', async () => {
    const pem = join(dir, 'client.pem');
    const jwk = join(dir, 'client.jwk.json');
    await writeFile(pem, idp.clients.privateKeyJwt.privateKeyPem, { mode: 0o600 });
    await writeFile(jwk, JSON.stringify(idp.clients.privateKeyJwt.privateJwk), { mode: 0o600 });
    for (const file of [pem, jwk]) {
      const { result } = await login(httpBrowser(), { client: { client_id: idp.clients.privateKeyJwt.client_id, method: 'private_key_jwt', privateKey: await loadPrivateKey(file) } });
      expectFullPass(result);
      expect(result.client_auth).toBe('private_key_jwt');
    }
  });

  it('the method implied by a secret alone is chosen from discovery (client_secret_basic)', async () => {
    const { result } = await login(httpBrowser(), { client: { client_id: idp.clients.basic.client_id, client_secret: idp.clients.basic.client_secret, method: 'client_secret_basic' }, clientAuthExplicit: false });
    expectFullPass(result);
    expect(result.client_auth).toBe('client_secret_basic');
  });

  it('a wrong client secret: token_response.status fails with the token endpoint\'s error (exit 1)', async () => {
    const { result } = await login(httpBrowser(), { client: { client_id: idp.clients.basic.client_id, client_secret: 'not-the-secret-at-all', method: 'client_secret_basic' } });
    const check = result.checks.find((c) => c.id === 'token_response.status');
    expect(check?.status).toBe('fail');
    expect(check?.message).toMatch(/^HTTP 401: error=invalid_client/);
    expect(isOk(result, false)).toBe(false);
  });
});

describe('runLogin in-process: what the login asks for', () => {
  it('--resource gets an RFC 9068 JWT access token, judged as one; userinfo skipped with the reason', async () => {
    const { result } = await login(httpBrowser(), { scope: `openid ${idp.resourceScopes[0]}`, request: { response_mode: 'query', extra: [], resource: [idp.resource] } });
    expect(result.checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect(isOk(result, false)).toBe(true);
    // A JudgedToken is the JWT kind (login.ts reports kind 'jwt' for it; an opaque token has none).
    expect(result.accessToken?.signature.verified).toBe(true);
    expect(result.accessToken?.payload?.aud).toBe(idp.resource);
    expect(statusOf(result.checks, 'access_token.signature')).toBe('pass');
    expect(statusOf(result.checks, 'access_token.typ')).toBe('pass');
    expect(statusOf(result.checks, 'userinfo.status')).toBe('skip');
  });

  it('--resource with an opaque access token: its aud comes from introspection for a confidential client, and is a skip with the reason for a public one', async () => {
    // The same IdP, minting opaque tokens for the resource (as many do): only introspection can tell their aud.
    const opaque = await startIdp({
      configure(configuration: any) {
        const info = configuration.features.resourceIndicators.getResourceServerInfo;
        configuration.features.resourceIndicators.getResourceServerInfo = async (ctx: unknown, indicator: string) => ({ ...(await info(ctx, indicator)), accessTokenFormat: 'opaque' });
      },
    });
    const asked = { scope: `openid ${opaque.resourceScopes[0]}`, request: { response_mode: 'query' as const, extra: [], resource: [opaque.resource] } };
    const run = async (client: LoginSettings['client'], audience?: string) => {
      const ui = recordingUi();
      const http = testHttp(ui);
      const request = audience ? { ...asked.request, audience } : asked.request;
      try {
        return await runLogin(loginSettings(opaque.issuer, client, { ...asked, request }), { http, ui, browser: httpBrowser(), signal: new AbortController().signal });
      } finally {
        await http.close();
      }
    };
    try {
      const confidential = await run({ client_id: opaque.clients.basic.client_id, client_secret: opaque.clients.basic.client_secret, method: 'client_secret_basic' });
      expect(confidential.accessToken).toBeUndefined();
      expect(confidential.checks.find((c) => c.id === 'access_token.aud')).toMatchObject({ status: 'pass', message: `aud (from introspection) contains "${opaque.resource}"` });
      // Expecting another API than the one the token was minted for (--audience beside --resource).
      const wrong = await run({ client_id: opaque.clients.basic.client_id, client_secret: opaque.clients.basic.client_secret, method: 'client_secret_basic' }, 'https://another-api.example.com/');
      expect(wrong.checks.find((c) => c.id === 'access_token.aud')).toMatchObject({ status: 'fail', message: `aud (from introspection) is "${opaque.resource}", not "https://another-api.example.com/": the token was not issued for the API it was asked for` });
      const open = await run({ client_id: opaque.clients.public.client_id, method: 'none' });
      expect(open.checks.find((c) => c.id === 'access_token.aud')).toMatchObject({ status: 'skip', message: 'an opaque access token, and a public client cannot introspect it (RFC 7662 §2.1): its audience cannot be seen here' });
    } finally {
      await opaque.close();
    }
  });

  it('--dpop with an opaque access token: cnf.jkt from introspection for a confidential client (the key\'s thumbprint), a skip with the reason for a public one', async () => {
    const confidential = await login(httpBrowser(), { client: { client_id: idp.clients.basic.client_id, client_secret: idp.clients.basic.client_secret, method: 'client_secret_basic' }, dpop: true });
    expect(confidential.result.accessToken).toBeUndefined();
    const cnf = confidential.result.checks.filter((c) => c.id === 'dpop.cnf_jkt');
    expect(cnf).toEqual([expect.objectContaining({ status: 'pass', message: `cnf.jkt (from introspection) ${confidential.result.dpop!.thumbprint}: the thumbprint of this run's key` })]);
    const open = await login(httpBrowser(), { dpop: true });
    expect(open.result.checks.filter((c) => c.id === 'dpop.cnf_jkt')).toEqual([expect.objectContaining({ status: 'skip', message: 'an opaque access token, and a public client cannot introspect it (RFC 7662 §2.1): its cnf.jkt cannot be seen here' })]);
    expect(statusOf(open.result.checks, 'dpop.token_type')).toBe('pass');
  });

  it('response_mode=form_post is received by the listener as a POST, and the login passes', async () => {
    const { result, ui } = await login(httpBrowser(), { request: { response_mode: 'form_post', extra: [] } });
    expect(ui.lines.step).toContain('Authorization response (form_post)');
    expect(new URL(result.authorization_url!).searchParams.get('response_mode')).toBe('form_post');
    expect(result.checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect(isOk(result, false)).toBe(true);
  });

  it('the user denies: authorization.error fails with the IdP\'s error=access_denied', async () => {
    const { result } = await login(httpBrowser({ deny: true }));
    const check = result.checks.find((c) => c.id === 'authorization.error');
    expect(check?.status).toBe('fail');
    expect(check?.message).toMatch(/^the IdP answered error=access_denied/);
  });

  it('a registered loopback redirect_uri with a fixed port, and an extra parameter, reach the IdP', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const { result } = await login(httpBrowser(), { listener: { host: '127.0.0.1', port, path: '/callback' }, request: { response_mode: 'query', extra: [['ui_locales', 'fr']] } });
    expect(result.checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect(result.redirect_uri).toBe(`http://127.0.0.1:${port}/callback`);
    const url = new URL(result.authorization_url!);
    expect(url.searchParams.get('ui_locales')).toBe('fr');
    expect(url.searchParams.get('redirect_uri')).toBe(`http://127.0.0.1:${port}/callback`);
  });

  it('a discovery that is not there fails early (exit 3), before any browser', async () => {
    const browser = httpBrowser();
    const error = await login(browser, { issuer: `${idp.issuer}/nothing-here` }).then(() => undefined, (e: unknown) => e);
    expect(error).toMatchObject({ exitCode: 3 });
    expect((error as Error).message).toMatch(/^discovery failed for /);
    expect(browser.opened).toEqual([]);
  });
});
