// `oidc-cli token`: client credentials for a machine client (validated), and the cache path with an
// expired access token that is refreshed on the way.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTokens, saveTokens } from '../../src/store/cache.js';
import { runCli } from '../support/cli.js';
import { BROWSER_SCRIPT } from '../support/idp-flow.js';
import { startIdp, type Idp } from '../support/idp.js';

let idp: Idp;
let home: string;
let env: Record<string, string>;
const check = (report: { checks: Array<{ id: string; status: string }> }, id: string) => report.checks.find((c) => c.id === id)?.status;
const failing = (stdout: string) => {
  try {
    return JSON.stringify(JSON.parse(stdout).checks.filter((c: { status: string }) => c.status === 'fail'));
  } catch {
    return stdout;
  }
};

beforeAll(async () => {
  idp = await startIdp();
  home = await mkdtemp(join(tmpdir(), 'oidc-cli-token-'));
  env = { XDG_CACHE_HOME: join(home, 'cache'), XDG_CONFIG_HOME: join(home, 'config'), OIDC_ISSUER: idp.issuer };
});
afterAll(async () => {
  await idp?.close();
  await rm(home, { recursive: true, force: true });
});

describe('token --grant client_credentials', () => {
  it('gets a JWT access token for the API, validates it (RFC 9068) and prints it alone', async () => {
    const machine = idp.clients.machine;
    const secretFile = join(home, 'machine.secret');
    await writeFile(secretFile, `${machine.client_secret}\n`, { mode: 0o600 });
    const args = ['token', '--grant', 'client_credentials', '--client-id', machine.client_id, '--client-secret-file', secretFile, '--resource', idp.resource, '--scope', 'api:read'];
    const bare = await runCli(args, { env });
    expect(bare.code, bare.stderr).toBe(0);
    expect(bare.stdout.trim().split('.')).toHaveLength(3);
    expect(bare.stdout.trim().split('\n')).toHaveLength(1);
    // Quiet as the docs promise: the token and nothing else, progress only with -v.
    expect(bare.stderr).toBe('');
    expect((await runCli([...args, '-v'], { env })).stderr).toMatch(/→ Client credentials grant/);
    // --explain is progress too: under --json stderr stays empty.
    expect((await runCli([...args, '--json', '--explain'], { env })).stderr).toBe('');

    const json = await runCli([...args, '--json'], { env });
    expect(json.code, failing(json.stdout)).toBe(0);
    const report = json.json();
    expect(report.source).toBe('client_credentials');
    expect(report.claims.aud).toBe(idp.resource);
    expect(report.claims.client_id).toBe(machine.client_id);
    expect(check(report, 'token_response.status')).toBe('pass');
    expect(check(report, 'client_credentials.refresh_token')).toBe('pass');
    expect(check(report, 'access_token.signature')).toBe('pass');
    expect(check(report, 'access_token.iss')).toBe('pass');
    expect(json.stdout).not.toContain(machine.client_secret);
    expect(json.stderr).not.toContain(machine.client_secret);
  });

  it('a JWT access token introspected by its client: IdP and token agree claim by claim', async () => {
    const machine = idp.clients.machine;
    const token = (await runCli(['token', '--grant', 'client_credentials', '--client-id', machine.client_id, '--resource', idp.resource, '--scope', 'api:read'], { env: { ...env, OIDC_CLIENT_SECRET: machine.client_secret } })).stdout.trim();
    const result = await runCli(['introspect', '--client-id', machine.client_id, token, '--json'], { env: { ...env, OIDC_CLIENT_SECRET: machine.client_secret } });
    const report = result.json();
    expect(report.local.valid).toBe(true);
    expect(check(report, 'introspection.agree.iss')).toBe('pass');
    expect(check(report, 'introspection.agree.client_id')).toBe('pass');
    expect(check(report, 'introspection.agree.exp')).toBe('pass');
    expect(result.code, failing(result.stdout)).toBe(report.active ? 0 : 1);
  });

  it('revoked, the JWT still verifies locally but introspects inactive: exit 1 with the explanation', async () => {
    const machine = idp.clients.machine;
    const machineEnv = { ...env, OIDC_CLIENT_SECRET: machine.client_secret, OIDC_CLIENT_ID: machine.client_id };
    const token = (await runCli(['token', '--grant', 'client_credentials', '--resource', idp.resource, '--scope', 'api:read'], { env: machineEnv })).stdout.trim();
    const revoke = await runCli(['revoke', token, '--json'], { env: machineEnv });
    expect(revoke.code, failing(revoke.stdout)).toBe(0);
    expect(check(revoke.json(), 'revocation.inactive')).toBe('pass');
    const result = await runCli(['introspect', token, '--json'], { env: machineEnv });
    expect(result.code).toBe(1);
    const report = result.json();
    expect(report.active).toBe(false);
    expect(report.local.valid).toBe(true);
    expect(report.explanation).toMatch(/Local verification cannot see revocation/);
    expect(report.checks.filter((c: { status: string }) => c.status === 'fail').map((c: { id: string }) => c.id)).toEqual(['introspection.active']);
    const human = await runCli(['introspect', token], { env: machineEnv });
    expect(human.stdout, human.stderr).toMatch(/Why is a valid token inactive\?/);
  });

  it('a wrong client secret is a failed check (exit 1) that names invalid_client', async () => {
    const result = await runCli(['token', '--grant', 'client_credentials', '--client-id', idp.clients.machine.client_id, '--json'], { env: { ...env, OIDC_CLIENT_SECRET: 'not-the-secret' } });
    expect(result.code).toBe(1);
    const report = result.json();
    expect(check(report, 'token_response.status')).toBe('fail');
    expect(report.checks.find((c: { id: string }) => c.id === 'token_response.status').message).toMatch(/invalid_client/);
  });

  it('a public client cannot use client credentials: usage error, exit 2', async () => {
    const result = await runCli(['token', '--grant', 'client_credentials', '--client-id', idp.clients.public.client_id], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/needs an authenticated client/);
  });
});

describe('token from the cache', () => {
  it('an expired cached access token is refreshed, printed, and the cache updated', async () => {
    const login = await runCli(['login', '--client-id', idp.clients.public.client_id, '--browser-command', `node ${BROWSER_SCRIPT}`], { env, timeoutMs: 30_000 });
    expect(login.code, login.stderr).toBe(0);
    const key = { issuer: idp.issuer, client_id: idp.clients.public.client_id };
    const entry = (await loadTokens(key, { env }))!;
    await saveTokens({ ...entry, expires_at: Math.floor(Date.now() / 1000) - 10 }, { env });

    const result = await runCli(['token', '--client-id', key.client_id, '-v'], { env });
    expect(result.code, result.stderr).toBe(0);
    const after = (await loadTokens(key, { env }))!;
    expect(result.stdout).toBe(`${after.access_token}\n`);
    expect(after.access_token).not.toBe(entry.access_token);
    expect(after.refresh_token).not.toBe(entry.refresh_token);
    expect(result.stderr).toMatch(/expired .* ago: refreshing/);
  });

  it('two `token` at once with an expired token: one refresh, both print the same fresh token', async () => {
    const key = { issuer: idp.issuer, client_id: idp.clients.public.client_id };
    const entry = (await loadTokens(key, { env }))!;
    await saveTokens({ ...entry, expires_at: Math.floor(Date.now() / 1000) - 10 }, { env });
    // oidc-provider rotates and detects reuse: without the lock the second refresh would fail and revoke the grant.
    const [a, b] = await Promise.all([runCli(['token', '--client-id', key.client_id], { env }), runCli(['token', '--client-id', key.client_id], { env })]);
    expect([a.code, b.code], a.stderr + b.stderr).toEqual([0, 0]);
    expect(a.stdout).toBe(b.stdout);
    const after = (await loadTokens(key, { env }))!;
    expect(a.stdout).toBe(`${after.access_token}\n`);
    const refresh = await runCli(['refresh', '--client-id', key.client_id, '--json'], { env });
    expect(refresh.code, refresh.stdout).toBe(0);
  });

  it('expired with no refresh token: exit 2 and a hint to log in again', async () => {
    const key = { issuer: idp.issuer, client_id: idp.clients.public.client_id };
    const entry = (await loadTokens(key, { env }))!;
    const { refresh_token: _drop, ...rest } = entry;
    await saveTokens({ ...rest, expires_at: Math.floor(Date.now() / 1000) - 100 }, { env });
    const result = await runCli(['token', '--client-id', key.client_id], { env });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/expired .* and there is no refresh token/);
  });

  it('a corrupted cache file is set aside with a warning; the command goes on (exit 2: nothing cached)', async () => {
    const { cacheFilePath } = await import('../../src/store/cache.js');
    const key = { issuer: idp.issuer, client_id: idp.clients.public.client_id };
    await writeFile(cacheFilePath(key, env), '{ not json');
    const result = await runCli(['token', '--client-id', key.client_id], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/warning: token cache file .* is corrupted; moved it to .*\.corrupt-/);
    expect(result.stderr).toMatch(/no cached access token/);
  });
  it('revoking the access token ends the whole grant at oidc-provider: the login leaves the cache', async () => {
    const login = await runCli(['login', '--client-id', idp.clients.public.client_id, '--browser-command', `node ${BROWSER_SCRIPT}`], { env, timeoutMs: 30_000 });
    expect(login.code, login.stderr).toBe(0);
    const key = { issuer: idp.issuer, client_id: idp.clients.public.client_id };
    const revoke = await runCli(['revoke', '--client-id', key.client_id, '--token-type-hint', 'access_token', '--json'], { env });
    expect(revoke.code, revoke.stdout).toBe(0);
    expect(await loadTokens(key, { env })).toBeUndefined();
    const result = await runCli(['token', '--client-id', key.client_id], { env });
    expect(result.code).toBe(2);
  });
});

describe('profiles (--profile NAME in $XDG_CONFIG_HOME/oidc-cli/config.json)', () => {
  it('a profile supplies issuer, client, auth, scope; the secret comes from the env var it names', async () => {
    const dir = join(home, 'profiles');
    await mkdir(join(dir, 'oidc-cli'), { recursive: true });
    await writeFile(join(dir, 'oidc-cli', 'config.json'), JSON.stringify({
      profiles: {
        machine: { issuer: idp.issuer, client_id: idp.clients.machine.client_id, client_auth: 'client_secret_basic', client_secret_env: 'MACHINE_SECRET', scope: 'api:read' },
        leaky: { issuer: idp.issuer, client_id: 'x', client_secret: 'plain-text-secret' },
      },
    }));
    const profileEnv = { XDG_CACHE_HOME: join(home, 'cache'), XDG_CONFIG_HOME: dir, MACHINE_SECRET: idp.clients.machine.client_secret, OIDC_ISSUER: '' };
    const result = await runCli(['token', '--profile', 'machine', '--grant', 'client_credentials', '--resource', idp.resource, '--json'], { env: profileEnv });
    expect(result.code, failing(result.stdout) + result.stderr).toBe(0);
    expect(result.json().client_id).toBe(idp.clients.machine.client_id);
    expect(result.json().scope).toBe('api:read');

    const leaky = await runCli(['token', '--profile', 'leaky'], { env: profileEnv });
    expect(leaky.code).toBe(2);
    expect(leaky.stderr).toMatch(/profile "leaky" holds a plain "client_secret"/);
    expect(leaky.stderr).not.toContain('plain-text-secret');

    const unknown = await runCli(['token', '--profile', 'nope'], { env: profileEnv });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no profile "nope" .*\n.*known profiles: machine, leaky/);
  });
});
