// The token lifecycle against the real IdP, through the real binary: login → token → refresh (rotation)
// → userinfo → introspect (active, agreement) → revoke → introspect (inactive) → refresh fails.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTokens } from '../../src/store/cache.js';
import { runCli, hasStackTrace } from '../support/cli.js';
import { BROWSER_SCRIPT } from '../support/idp-flow.js';
import { startIdp, type Idp } from '../support/idp.js';

let idp: Idp;
let home: string;
let env: Record<string, string>;
const failing = (stdout: string) => {
  try {
    return JSON.stringify(JSON.parse(stdout).checks.filter((c: { status: string }) => c.status === 'fail'));
  } catch {
    return stdout;
  }
};
const check = (report: { checks: Array<{ id: string; status: string }> }, id: string) => report.checks.find((c) => c.id === id)?.status;

beforeAll(async () => {
  idp = await startIdp();
  home = await mkdtemp(join(tmpdir(), 'oidc-cli-lifecycle-'));
  env = { XDG_CACHE_HOME: join(home, 'cache'), XDG_CONFIG_HOME: join(home, 'config'), OIDC_ISSUER: idp.issuer };
});
afterAll(async () => {
  await idp?.close();
  await rm(home, { recursive: true, force: true });
});

const cached = () => loadTokens({ issuer: idp.issuer, client_id: idp.clients.public.client_id }, { env });

describe('lifecycle of a public client login', () => {
  let firstAccess: string;
  let firstRefresh: string;

  it('login caches the tokens', async () => {
    const login = await runCli(['login', '--client-id', idp.clients.public.client_id, '--browser-command', `node ${BROWSER_SCRIPT}`, '--json'], { env, timeoutMs: 30_000 });
    expect(login.code, login.stderr).toBe(0);
    const entry = await cached();
    expect(entry?.access_token).toBeTruthy();
    expect(entry?.refresh_token).toBeTruthy();
    firstAccess = entry!.access_token!;
    firstRefresh = entry!.refresh_token!;
  });

  it('token prints the cached access token alone on stdout, with no issuer flag (one cached login)', async () => {
    const result = await runCli(['token'], { env: { ...env, OIDC_ISSUER: '' } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(`${firstAccess}\n`);
    const json = (await runCli(['token', '--json'], { env })).json();
    expect(json.access_token).not.toBe(firstAccess);
    expect(json.access_token).toMatch(/redacted/);
    expect(json.source).toBe('cache');
  });

  it('refresh rotates the refresh token and keeps the ID token\'s subject', async () => {
    const result = await runCli(['refresh', '--json'], { env });
    expect(result.code, failing(result.stdout) + result.stderr).toBe(0);
    const report = result.json();
    expect(check(report, 'refresh.grant')).toBe('pass');
    expect(check(report, 'refresh.rotation')).toBe('pass');
    expect(check(report, 'refresh.id_token.subject')).toBe('pass');
    expect(check(report, 'refresh.id_token.auth_time')).not.toBe('fail');
    expect(check(report, 'refresh.id_token.iat')).toBe('pass');
    expect(check(report, 'refresh.id_token.nonce')).toBe('pass');
    expect(check(report, 'refresh.reuse_rejected')).toBe('skip');
    expect(report.rotation).toEqual({ rotated: true, expected: true });
    expect(result.stdout).not.toContain(firstRefresh);
    const entry = await cached();
    expect(entry!.refresh_token).not.toBe(firstRefresh);
    expect(entry!.access_token).not.toBe(firstAccess);
  });

  it('userinfo answers for the same sub as the cached ID token', async () => {
    const result = await runCli(['userinfo', '--json'], { env });
    expect(result.code, failing(result.stdout) + result.stderr).toBe(0);
    const report = result.json();
    expect(check(report, 'userinfo.sub')).toBe('pass');
    expect(report.claims.sub).toBe(idp.users.demo.sub);
  });

  it('introspect says active and passes the probes', async () => {
    const result = await runCli(['introspect', '--json'], { env });
    expect(result.code, failing(result.stdout) + result.stderr).toBe(0);
    const report = result.json();
    expect(report.active).toBe(true);
    for (const id of ['introspection.status', 'introspection.active_boolean', 'introspection.active', 'introspection.requires_auth', 'introspection.unknown_token', 'introspection.token_type_hint']) {
      expect(check(report, id), id).toBe('pass');
    }
  });

  it('revoke ends the grant: inactive at introspection, refresh refused, cache emptied', async () => {
    const before = await cached();
    const result = await runCli(['revoke', '--json', '--show-tokens'], { env });
    expect(result.code, failing(result.stdout) + result.stderr).toBe(0);
    const report = result.json();
    expect(report.token).toBe(before!.refresh_token);
    for (const id of ['revocation.unknown_token', 'revocation.status', 'revocation.inactive', 'revocation.refresh_rejected']) expect(check(report, id), id).toBe('pass');
    expect(await cached()).toBeUndefined();

    // The access token of the revoked grant is now inactive too.
    const introspection = await runCli(['introspect', '--client-id', idp.clients.public.client_id, before!.access_token!, '--json'], { env });
    expect(introspection.code).toBe(1);
    expect(check(introspection.json(), 'introspection.active')).toBe('fail');

    const refresh = await runCli(['refresh', '--client-id', idp.clients.public.client_id, '--refresh-token', '-', '--json'], { env, stdin: before!.refresh_token! });
    expect(refresh.code).toBe(1);
    const refreshReport = refresh.json();
    expect(check(refreshReport, 'refresh.grant')).toBe('fail');
    expect(refreshReport.error).toMatch(/invalid_grant/);
  });

  it('token with nothing cached says so, with exit 2 and no stack trace', async () => {
    const result = await runCli(['token'], { env });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/no cached login/);
    expect(result.stderr).toMatch(/hint: log in first/);
    expect(hasStackTrace(result.stderr)).toBe(false);
  });
});

describe('refresh --check-reuse against oidc-provider', () => {
  it('the replayed refresh token is refused, and (as warned) the IdP ends the grant', async () => {
    const login = await runCli(['login', '--client-id', idp.clients.public.client_id, '--browser-command', `node ${BROWSER_SCRIPT}`], { env, timeoutMs: 30_000 });
    expect(login.code, login.stderr).toBe(0);
    const result = await runCli(['refresh', '--check-reuse', '--json'], { env });
    expect(result.code, failing(result.stdout)).toBe(0);
    expect(check(result.json(), 'refresh.reuse_rejected')).toBe('pass');
    expect(result.stderr).toMatch(/warning: --check-reuse/);
    // RFC 9700 §4.14.2 reuse detection: the new tokens died with the old one.
    const introspect = await runCli(['introspect', '--json'], { env });
    expect(introspect.code).toBe(1);
    expect(introspect.json().active).toBe(false);
  });
});
