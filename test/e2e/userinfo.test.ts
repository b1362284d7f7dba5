// `oidc-cli userinfo` with signed (JWT) userinfo: verified with the issuer's keys, iss and aud checked.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { BROWSER_SCRIPT } from '../support/idp-flow.js';
import { LOOPBACK_REDIRECT_URIS } from '../support/idp-config.js';
import { startIdp, type Idp } from '../support/idp.js';

let idp: Idp;
let home: string;
let env: Record<string, string>;
const CLIENT = 'oidc-cli-signed-userinfo';

beforeAll(async () => {
  idp = await startIdp({
    extraClients: [
      {
        client_id: CLIENT,
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        redirect_uris: LOOPBACK_REDIRECT_URIS,
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        userinfo_signed_response_alg: 'RS256',
      },
    ],
  });
  home = await mkdtemp(join(tmpdir(), 'oidc-cli-userinfo-'));
  env = { XDG_CACHE_HOME: join(home, 'cache'), XDG_CONFIG_HOME: join(home, 'config'), OIDC_ISSUER: idp.issuer, OIDC_CLIENT_ID: CLIENT };
});
afterAll(async () => {
  await idp?.close();
  await rm(home, { recursive: true, force: true });
});

describe('userinfo', () => {
  it('verifies a signed userinfo response and compares its sub', async () => {
    const login = await runCli(['login', '--browser-command', `node ${BROWSER_SCRIPT}`], { env, timeoutMs: 30_000 });
    expect(login.code, login.stderr).toBe(0);
    const result = await runCli(['userinfo', '--json'], { env });
    const report = result.json();
    const status = (id: string) => report.checks.find((c: { id: string }) => c.id === id)?.status;
    expect(result.code, JSON.stringify(report.checks)).toBe(0);
    expect(report.signed).toBe(true);
    expect(status('userinfo.signed')).toBe('pass');
    expect(status('userinfo.sub')).toBe('pass');
    expect(report.claims.sub).toBe(idp.users.demo.sub);
  });

  it('a token the IdP does not know: userinfo.status fails with the WWW-Authenticate challenge', async () => {
    const result = await runCli(['userinfo', '--access-token', 'not-a-real-token-0123456789', '--json'], { env });
    expect(result.code).toBe(1);
    const check = result.json().checks.find((c: { id: string }) => c.id === 'userinfo.status');
    expect(check.status).toBe('fail');
    expect(check.message).toMatch(/HTTP 401 \(WWW-Authenticate: Bearer/);
    // an opaque token that is merely unknown: nothing in it to explain the refusal, so no guess
    expect(result.json().checks.find((c: { id: string }) => c.id === 'diagnosis.token_refused')?.status).toBe('skip');
  });

  it('an ID token sent where the access token belongs: the refusal is diagnosed as that (diagnosis.token_refused)', async () => {
    const login = await runCli(['--show-tokens', 'login', '--browser-command', `node ${BROWSER_SCRIPT}`, '--json'], { env, timeoutMs: 30_000 });
    const idToken = JSON.stringify(login.json()).match(/"id_token":"(eyJ[^"]+)"/)?.[1];
    expect(idToken, login.stdout.slice(0, 400)).toBeDefined();
    const result = await runCli(['userinfo', '--access-token', idToken!, '--json'], { env });
    expect(result.code).toBe(1);
    const check = result.json().checks.find((c: { id: string }) => c.id === 'diagnosis.token_refused');
    expect(check).toMatchObject({ status: 'fail', message: expect.stringContaining('this looks like an ID token, not an access token') });
  });
});
