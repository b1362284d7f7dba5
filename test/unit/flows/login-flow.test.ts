// runLogin in-process against the real oidc-provider (test/support/idp.ts), signed in by the HTTP browser
// of test/support/http-browser-port.ts through the Browser port: no binary, no child process, seconds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLogin, type LoginDeps, type LoginSettings } from '../../../src/core/login-flow.js';
import { isOk } from '../../../src/report/model.js';
import { httpBrowser, type HttpBrowser } from '../../support/http-browser-port.js';
import { startIdp, type Idp } from '../../support/idp.js';
import { recordingUi, testHttp, type RecordingUi } from './flow-deps.js';

let idp: Idp;
beforeAll(async () => {
  idp = await startIdp();
});
afterAll(async () => {
  await idp?.close();
});

function settings(overrides: Partial<LoginSettings> = {}): LoginSettings {
  return {
    issuer: idp.issuer,
    client: { client_id: idp.clients.public.client_id, method: 'none' },
    scope: 'openid profile email',
    listener: { host: '127.0.0.1', port: 0, path: '/callback' },
    request: { response_mode: 'query', extra: [] },
    timeoutSeconds: 20,
    clockSkew: 60,
    showTokens: false,
    diagnose: true,
    ...overrides,
  };
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

  it('the browser stops short (wrong password): CANCELLED (exit 4) naming the redirect_uri nothing reached', async () => {
    const error = await login(httpBrowser({ password: 'wrong' })).then(() => undefined, (e: unknown) => e);
    expect(error).toMatchObject({ code: 'CANCELLED', exitCode: 4 });
    expect((error as Error).message).toMatch(/sign-in rejected.*and no request reached http:\/\/127\.0\.0\.1:\d+\/callback/);
  });

  it('the clock is a parameter: two hours ahead, the fresh ID token is expired (id_token.exp fails) and the verdict fails', async () => {
    const { result } = await login(httpBrowser(), {}, { now: () => Math.floor(Date.now() / 1000) + 2 * 3600 });
    expect(result.checks.find((c) => c.id === 'id_token.exp')).toMatchObject({ status: 'fail' });
    expect(isOk(result, false)).toBe(false);
  });
});
