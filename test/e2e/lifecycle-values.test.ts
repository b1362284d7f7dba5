// The token lifecycle judges every value an IdP sends (issue: "No internal error from anything a
// server sends"): odd types and out-of-range numbers are failed checks with exit 1, and a refresh
// keeps what the IdP returned (the rotated refresh token) even when the answer fails its checks.
// The value tables of client credentials, introspection and device authorization run in-process
// (test/unit/flows/lifecycle-values.test.ts); one row each stays here for the binary's exit code.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadTokens, saveTokens } from '../../src/store/cache.js';
import { hasStackTrace, runCli } from '../support/cli.js';
import { startBadLifecycleIdp, type BadLifecycleIdp, type LifecycleFaults } from '../support/lifecycle-bad-idp.js';

const HOSTILE = { toString: null, valueOf: null };
let home: string;
let idp: BadLifecycleIdp | undefined;
let env: Record<string, string>;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'oidc-cli-lifecycle-values-'));
});
afterEach(async () => {
  await idp?.close();
  idp = undefined;
});
afterAll(() => rm(home, { recursive: true, force: true }));

async function setup(faults: LifecycleFaults, client_id = 'app', expires_at = Math.floor(Date.now() / 1000) + 300) {
  idp = await startBadLifecycleIdp(faults);
  const xdg = await mkdtemp(join(home, 'xdg-'));
  env = { XDG_CACHE_HOME: xdg, XDG_CONFIG_HOME: xdg, OIDC_ISSUER: idp.issuer, OIDC_CLIENT_ID: client_id };
  if (client_id === idp.client_id) env.OIDC_CLIENT_SECRET = idp.client_secret;
  const tokens = idp.issue(client_id);
  await saveTokens({ issuer: idp.issuer, client_id, ...tokens, token_type: 'Bearer', expires_at, scope: 'openid profile', obtained_at: Math.floor(Date.now() / 1000) }, { env });
  return tokens;
}

async function run(args: string[]) {
  const result = await runCli([...args, '--json'], { env });
  expect(result.stderr).not.toMatch(/internal error/);
  expect(hasStackTrace(result.stderr)).toBe(false);
  const report = result.json();
  const failed: string[] = report.checks.filter((c: { status: string }) => c.status === 'fail').map((c: { id: string }) => c.id);
  return { code: result.code, report, failed, stderr: result.stderr };
}

const cached = () => loadTokens({ issuer: idp!.issuer, client_id: env.OIDC_CLIENT_ID! }, { env });

const JOSE_HEADER = Buffer.from(JSON.stringify({ alg: 'RSA-OAEP', enc: 'A256GCM' })).toString('base64url');

describe('refresh: the rotated refresh token is saved before anything that could fail', () => {
  // The table of hostile values runs in-process (test/unit/flows/lifecycle-values.test.ts), where each
  // also hands the rotated refresh token to the caller; here, two rows through the binary: the token is
  // really saved to the cache, and the next refresh works with it.
  const CASES: Array<[string, LifecycleFaults, string]> = [
    ['expires_in 1e300', { refreshResponse: { expires_in: 1e300 } }, 'token_response.expires_in'],
    // An ID token is never "opaque": whatever its shape, it is judged and fails (it passed unread before).
    ['ID token of 6 parts', { refreshResponse: { id_token: `${JOSE_HEADER}.YQ.YQ.YQ.YQ.YQ` } }, 'id_token.format'],
    // A 200 answer without a usable access token still rotated the refresh token at the IdP.
    ['access_token null', { refreshResponse: { access_token: null } }, 'token_response.access_token'],
  ];
  it.each(CASES)('%s → %s fails, exit 1; the next refresh works with the saved token', async (_name, faults, id) => {
    const before = await setup(faults, 'cli-public');
    const result = await run(['refresh']);
    expect(result.code, result.stderr).toBe(1);
    expect(result.failed).toContain(id);
    const entry = await cached();
    expect(entry?.refresh_token).toBeDefined();
    expect(entry?.refresh_token).not.toBe(before.refresh_token);
    // The IdP forgot the old one on rotation: only the saved one can work (it is taken: no invalid_grant,
    // even where the fault makes the new answer as unusable as the first).
    const again = await run(['refresh']);
    const grant = again.report.checks.find((c: { id: string }) => c.id === 'refresh.grant');
    if (faults.refreshResponse && 'access_token' in faults.refreshResponse) expect(grant?.message).toBe('HTTP 200, but no usable access token in the answer (see token_response.*)');
    else expect(grant?.status).toBe('pass');
  });

  it('a member nested 70 levels deep in the refresh answer is cut, not a reason to lose the rotated refresh token', async () => {
    let deep: unknown = 1;
    for (let i = 0; i < 70; i++) deep = [deep];
    const before = await setup({ refreshResponse: { unrelated: deep } }, 'cli-public');
    const result = await run(['refresh']);
    expect(result.stderr).not.toMatch(/internal error/);
    expect(result.report.checks.find((c: { id: string }) => c.id === 'token_response.status')).toMatchObject({ status: 'pass', message: expect.stringMatching(/nested deeper than 64 levels was cut/) });
    expect((await cached())?.refresh_token).not.toBe(before.refresh_token);
    expect((await run(['refresh'])).report.checks.find((c: { id: string }) => c.id === 'refresh.grant')?.status).toBe('pass');
  });

  it('token refreshing an expired access token with expires_in 1e300: no internal error, the new refresh token is kept (flagged, so not printed)', async () => {
    const before = await setup({ refreshResponse: { expires_in: 1e300 } }, 'cli-public', Math.floor(Date.now() / 1000) - 60);
    const result = await runCli(['token'], { env });
    expect(result.stderr).not.toMatch(/internal error/);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/flagged: token_response\.expires_in failed; not printed/);
    const entry = await cached();
    expect(entry?.refresh_token).not.toBe(before.refresh_token);
    expect(entry?.expires_at).toBeUndefined();
    expect(entry?.verdict).toEqual({ flagged: true, failed_checks: ['token_response.expires_in'] });
  });
});

describe('token --grant client_credentials', () => {
  it.each([
    ['expires_in 1e300', { expires_in: 1e300 }, 'token_response.expires_in'],
  ] as Array<[string, Record<string, unknown>, string]>)('%s → %s fails, exit 1', async (_name, clientCredentialsResponse, id) => {
    await setup({ clientCredentialsResponse });
    const result = await run(['token', '--grant', 'client_credentials']);
    expect(result.code, result.stderr).toBe(1);
    expect(result.failed).toContain(id);
  });
});

describe('userinfo and introspection', () => {
  it('userinfo with an object sub: userinfo.sub fails, exit 1', async () => {
    await setup({ userinfoResponse: { sub: HOSTILE } });
    const result = await run(['userinfo']);
    expect(result.code).toBe(1);
    expect(result.failed).toEqual(['userinfo.sub']);
  });

  it.each([
    ['exp 1e300', { exp: 1e300 }, 'introspection.member_types'],
  ] as Array<[string, Record<string, unknown>, string]>)('introspection answering %s → %s fails, exit 1', async (_name, introspectionResponse, id) => {
    await setup({ introspectionResponse });
    const result = await run(['introspect', '--no-probes']);
    expect(result.code, result.stderr).toBe(1);
    expect(result.failed).toContain(id);
  });
});

describe('login --device', () => {
  const device = () => run(['login', '--device', '--timeout', '20']);
  it('the sound fixture logs in (the baseline)', async () => {
    await setup({ device: true }, 'cli-public');
    const result = await device();
    expect(result.failed).toEqual([]);
    expect(result.code).toBe(0);
  });

  it.each([
    ['expires_in 1e300', { expires_in: 1e300 }],
  ] as Array<[string, Record<string, unknown>]>)('a device authorization with %s: device.authorization_response fails, exit 1, nothing polled', async (_name, deviceResponse) => {
    await setup({ deviceResponse }, 'cli-public');
    const result = await device();
    expect(result.code, result.stderr).toBe(1);
    expect(result.failed).toContain('device.authorization_response');
    expect(idp!.posts.filter((path) => path === '/token')).toEqual([]);
  });
});

describe('login --device hands the browser only a safe verification page', () => {
  it('a verification_uri_complete on plain http elsewhere is not opened with --browser-command and fails device.verification_uri_https', async () => {
    await setup({ deviceResponse: { verification_uri_complete: 'http://phish.example/activate?user_code=WDJB-MJHT' } }, 'cli-public');
    const dir = await mkdtemp(join(home, 'browser-'));
    const script = join(dir, 'record.mjs');
    const { writeFile } = await import('node:fs/promises');
    const { existsSync } = await import('node:fs');
    await writeFile(script, "import { appendFileSync } from 'node:fs';\nappendFileSync(process.argv[2], process.argv.at(-1) + '\\n');\n");
    const result = await run(['login', '--device', '--timeout', '20', '--browser-command', `node ${script} ${join(dir, 'called')}`]);
    expect(result.stderr).toMatch(/not opening "http:\/\/phish\.example\/activate\?user_code=WDJB-MJHT" with --browser-command: it is plain http/);
    expect(existsSync(join(dir, 'called'))).toBe(false);
    expect(result.code).toBe(1);
    expect(result.failed).toContain('device.verification_uri_https');
  });
});
