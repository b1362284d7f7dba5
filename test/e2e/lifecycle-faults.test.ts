// Misbehaving IdPs, one fault each: every fault is caught by its own check id with exit 1, and the
// same commands pass against the fixture without faults (so the checks are not failing by default).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { saveTokens } from '../../src/store/cache.js';
import { runCli } from '../support/cli.js';
import { startBadLifecycleIdp, type BadLifecycleIdp, type LifecycleFaults } from '../support/lifecycle-bad-idp.js';

let home: string;
let idp: BadLifecycleIdp | undefined;
let env: Record<string, string>;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'oidc-cli-faults-'));
});
afterEach(async () => {
  await idp?.close();
  idp = undefined;
});
afterAll(() => rm(home, { recursive: true, force: true }));

/** Starts a fixture and caches a login for `client_id` in a fresh XDG cache, as `login` would. */
async function setup(faults: LifecycleFaults, client_id = 'app') {
  idp = await startBadLifecycleIdp(faults);
  const xdg = await mkdtemp(join(home, 'xdg-'));
  env = { XDG_CACHE_HOME: xdg, XDG_CONFIG_HOME: xdg, OIDC_ISSUER: idp.issuer, OIDC_CLIENT_ID: client_id };
  if (client_id === idp.client_id) env.OIDC_CLIENT_SECRET = idp.client_secret;
  const tokens = idp.issue(client_id);
  const now = Math.floor(Date.now() / 1000);
  await saveTokens({ issuer: idp.issuer, client_id, ...tokens, token_type: 'Bearer', expires_at: now + 300, scope: 'openid profile', obtained_at: now }, { env });
  return tokens;
}

async function run(args: string[]) {
  const result = await runCli([...args, '--json'], { env });
  const report = result.json();
  const status = (id: string) => report.checks.find((c: { id: string }) => c.id === id)?.status;
  const failed = report.checks.filter((c: { status: string }) => c.status === 'fail').map((c: { id: string }) => c.id);
  return { code: result.code, report, status, failed, stderr: result.stderr };
}

describe('against a compliant fixture', () => {
  it('refresh, userinfo, introspect and revoke all pass', async () => {
    await setup({}, 'cli-public');
    const refresh = await run(['refresh', '--check-reuse']);
    expect(refresh.failed).toEqual([]);
    expect(refresh.status('refresh.rotation')).toBe('pass');
    expect(refresh.status('refresh.reuse_rejected')).toBe('pass');
    expect(refresh.stderr).toMatch(/warning: --check-reuse: replaying the old refresh token/);
    expect(refresh.code).toBe(0);

    await setup({});
    for (const command of ['userinfo', 'introspect', 'revoke']) {
      const result = await run([command]);
      expect(result.failed, command).toEqual([]);
      expect(result.code, command).toBe(0);
    }
  });
});

describe('a revoked access token, the refresh token still alive', () => {
  it('token gets a new access token with the refresh token', async () => {
    const tokens = await setup({});
    const revoke = await run(['revoke', '--token-type-hint', 'access_token']);
    expect(revoke.failed).toEqual([]);
    const result = await runCli(['token', '-v'], { env });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/was revoked: refreshing/);
    expect(result.stdout.trim()).toMatch(/^\S{20,}$/);
    expect(result.stdout.trim()).not.toBe(tokens.access_token);
  });
});

describe('an expired cached access token', () => {
  it('userinfo and introspect say so on stderr before the IdP answers', async () => {
    await setup({});
    const key = { issuer: idp!.issuer, client_id: 'app' };
    const { loadTokens } = await import('../../src/store/cache.js');
    const entry = (await loadTokens(key, { env }))!;
    await saveTokens({ ...entry, expires_at: Math.floor(Date.now() / 1000) - 120 }, { env });
    for (const command of ['userinfo', 'introspect']) {
      const result = await run([command]);
      expect(result.stderr, command).toMatch(/warning: the cached access token expired 2m( \d+s)? ago; `oidc-cli token` or `oidc-cli refresh` gets a new one/);
    }
  });
});

describe('one fault each', () => {
  it('refresh without rotation for a public client: refresh.rotation fails (and passes as a note with --no-expect-rotation)', async () => {
    await setup({ noRotation: true }, 'cli-public');
    const flagged = await run(['refresh']);
    expect(flagged.code).toBe(1);
    expect(flagged.failed).toEqual(['refresh.rotation']);
    expect(flagged.report.checks.find((c: { id: string }) => c.id === 'refresh.rotation').message).toMatch(/expected rotation, got: the same refresh_token was returned/);
    const fapi = await run(['refresh', '--no-expect-rotation']);
    expect(fapi.code).toBe(0);
    expect(fapi.status('refresh.rotation')).toBe('skip');
  });

  it('an id_token on refresh that is not a JWT: id_token.format fails (exit 1), not a usage error', async () => {
    await setup({ malformedIdToken: true }, 'cli-public');
    const result = await run(['refresh']);
    expect(result.code).toBe(1);
    expect(result.failed).toEqual(['id_token.format']);
    expect(result.status('refresh.grant')).toBe('pass');
  });

  it('client credentials without no-store: the failed check named on stderr, exit 1; the token is printed alone only with --allow-failed', async () => {
    await setup({ clientCredentialsCacheable: true });
    const refused = await runCli(['token', '--grant', 'client_credentials'], { env });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/flagged: token_response\.no_store failed; not printed/);
    const result = await runCli(['token', '--grant', 'client_credentials', '--allow-failed'], { env });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^\S{20,}\n$/);
    expect(result.stderr).toMatch(/warning: token_response\.no_store failed: Cache-Control is "max-age=300", without no-store/);
    const json = await run(['token', '--grant', 'client_credentials']);
    expect(json.failed).toEqual(['token_response.no_store']);
  });

  it('a rotated refresh token that still works: refresh.reuse_rejected fails', async () => {
    await setup({ reuseAccepted: true }, 'cli-public');
    const result = await run(['refresh', '--check-reuse']);
    expect(result.code).toBe(1);
    expect(result.failed).toEqual(['refresh.reuse_rejected']);
  });

  it('userinfo for another sub: userinfo.sub fails', async () => {
    await setup({ userinfoSub: 'someone-else' });
    const result = await run(['userinfo']);
    expect(result.code).toBe(1);
    expect(result.failed).toEqual(['userinfo.sub']);
    expect(result.report.checks.find((c: { id: string }) => c.id === 'userinfo.sub').message).toMatch(/"user-1".*"someone-else"/);
  });

  it('introspection answering without client authentication: introspection.requires_auth fails', async () => {
    await setup({ introspectionWithoutAuth: true });
    const result = await run(['introspect']);
    expect(result.code).toBe(1);
    expect(result.failed).toEqual(['introspection.requires_auth']);
  });

  it('revocation erroring on an unknown token: revocation.unknown_token fails', async () => {
    await setup({ revocationErrorsOnUnknown: true });
    const result = await run(['revoke']);
    expect(result.code).toBe(1);
    expect(result.failed).toEqual(['revocation.unknown_token']);
    expect(result.status('revocation.status')).toBe('pass');
  });

  it('revocation that answers 200 but forgets nothing: revocation.inactive and revocation.refresh_rejected fail', async () => {
    await setup({ revocationIgnored: true });
    const result = await run(['revoke']);
    expect(result.code).toBe(1);
    expect(result.failed).toEqual(['revocation.inactive', 'revocation.refresh_rejected']);
  });
});
