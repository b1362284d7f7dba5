// PRODUCT.md "The cache keeps every login, with its verdict": every token response is cached, flagged
// with the ids of the checks that failed; userinfo, introspect, refresh and revoke investigate a flagged
// entry and say so; `token` refuses it (exit 1, one line) unless --allow-failed. Also: --clock-skew on
// every lifecycle command (one default), and one exit code for a discovery document without jwks_uri.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadTokens, saveTokens } from '../../src/store/cache.js';
import { startBadIdp } from '../support/bad-idp.js';
import { hasStackTrace, runCli } from '../support/cli.js';
import { startBadLifecycleIdp, type BadLifecycleIdp, type LifecycleFaults } from '../support/lifecycle-bad-idp.js';
import { startScriptedIdp } from '../support/scripted-idp.js';
import { goodClaims, mint, rsaKey } from '../support/tokens.js';

type Check = { id: string; status: string };
const failedIds = (doc: { checks: Check[] }) => doc.checks.filter((c) => c.status === 'fail').map((c) => c.id);
const now = () => Math.floor(Date.now() / 1000);

let home: string;
beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'oidc-cli-cache-verdict-'));
});
afterAll(() => rm(home, { recursive: true, force: true }));

describe('a login whose checks failed is cached flagged', { timeout: 60_000 }, () => {
  it('userinfo investigates it and says flagged; token refuses it (exit 1, one line); token --allow-failed prints it', async () => {
    const idp = await startScriptedIdp('wrong_aud');
    const xdg = await mkdtemp(join(home, 'login-'));
    const env = { XDG_CACHE_HOME: xdg, XDG_CONFIG_HOME: xdg, BROWSER: undefined };
    const who = ['--issuer', idp.issuer, '--client-id', idp.client_id];
    try {
      const login = await runCli(['login', ...who, '--browser-command', 'node dist/test/support/scripted-idp.js browse', '--timeout', '20', '--json'], { env, timeoutMs: 25_000 });
      expect(login.code, login.stderr).toBe(1);
      const doc = login.json();
      expect(failedIds(doc)).toEqual(['id_token.aud']);
      expect(doc.cache).toMatchObject({ saved: true, flagged: true, failed_checks: ['id_token.aud'] });
      const entry = await loadTokens({ issuer: idp.issuer, client_id: idp.client_id }, { env });
      expect(entry?.verdict).toEqual({ flagged: true, failed_checks: ['id_token.aud'] });

      // `userinfo` right after it: not "none cached", but the entry, said to be flagged.
      const userinfo = await runCli(['userinfo', ...who, '--json'], { env });
      expect(userinfo.code, userinfo.stderr).toBe(0);
      expect(userinfo.json().cache_entry).toEqual({ flagged: true, failed_checks: ['id_token.aud'] });
      expect(userinfo.stderr).toMatch(/flagged: id_token\.aud failed/);

      const refused = await runCli(['token', ...who], { env });
      expect(refused.code).toBe(1);
      expect(refused.stdout).toBe('');
      const lines = refused.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/flagged: id_token\.aud failed; not printed \(pass --allow-failed/);
      expect(hasStackTrace(refused.stderr)).toBe(false);

      const refusedJson = await runCli(['token', ...who, '--json'], { env });
      expect(refusedJson.code).toBe(1);
      expect(refusedJson.json().error).toMatchObject({ code: 'FLAGGED', exit_code: 1 });

      const allowed = await runCli(['token', ...who, '--allow-failed'], { env });
      expect(allowed.code, allowed.stderr).toBe(0);
      expect(allowed.stdout).toBe(`${entry!.access_token}\n`);
      expect(allowed.stderr).toMatch(/although it is flagged: id_token\.aud failed \(--allow-failed\)/);
    } finally {
      await idp.close();
    }
  });
});

describe('the token lifecycle against an IdP whose refreshed ID token is issued 90 s in the future', { timeout: 60_000 }, () => {
  let idp: BadLifecycleIdp | undefined;
  let env: Record<string, string>;
  afterEach(async () => {
    await idp?.close();
    idp = undefined;
  });

  /** A sound cached login for the confidential client `app`; the IdP's refresh answers carry `faults`. */
  async function setup(faults: LifecycleFaults, expires_at = now() + 300) {
    idp = await startBadLifecycleIdp(faults);
    const xdg = await mkdtemp(join(home, 'lifecycle-'));
    env = { XDG_CACHE_HOME: xdg, XDG_CONFIG_HOME: xdg, OIDC_ISSUER: idp.issuer, OIDC_CLIENT_ID: idp.client_id, OIDC_CLIENT_SECRET: idp.client_secret };
    await saveTokens({ issuer: idp.issuer, client_id: idp.client_id, ...idp.issue(), token_type: 'Bearer', expires_at, scope: 'openid profile', obtained_at: now() }, { env });
  }
  const cached = () => loadTokens({ issuer: idp!.issuer, client_id: idp!.client_id }, { env });
  const run = async (args: string[]) => {
    const result = await runCli([...args, '--json'], { env });
    expect(hasStackTrace(result.stderr)).toBe(false);
    return { ...result, doc: result.json() };
  };
  const future = () => ({ refreshIdTokenClaims: { iat: now() + 90 } });

  it('refresh: id_token.iat fails with the default skew (60 s) and the new tokens are cached flagged', async () => {
    await setup(future());
    const result = await run(['refresh']);
    expect(result.code, result.stderr).toBe(1);
    expect(failedIds(result.doc)).toEqual(['id_token.iat']);
    expect(result.doc.cache).toMatchObject({ saved: true, flagged: true, failed_checks: ['id_token.iat'] });
    expect((await cached())?.verdict).toEqual({ flagged: true, failed_checks: ['id_token.iat'] });
  });

  it('refresh --clock-skew 2m: the same answer passes, cached unflagged', async () => {
    await setup(future());
    const result = await run(['refresh', '--clock-skew', '2m']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.doc.checks.find((c: Check) => c.id === 'id_token.iat')?.status).toBe('pass');
    expect((await cached())?.verdict).toEqual({ flagged: false, failed_checks: [] });
  });

  it('a flagged refresh is investigated by userinfo, introspect, refresh and revoke, each saying so; token refuses it', async () => {
    await setup(future());
    expect((await run(['refresh'])).code).toBe(1);
    const flagged = { flagged: true, failed_checks: ['id_token.iat'] };
    for (const command of [['userinfo'], ['introspect', '--no-probes'], ['refresh']]) {
      const result = await run(command);
      expect(result.doc.cache_entry, `${command[0]}: ${result.stderr}`).toEqual(flagged);
      expect(result.stderr).toMatch(/is flagged: id_token\.iat failed when it was obtained; investigating it anyway/);
    }
    const token = await runCli(['token'], { env });
    expect(token.code).toBe(1);
    expect(token.stdout).toBe('');
    expect(token.stderr).toMatch(/flagged: id_token\.iat failed; not printed/);
    // A clean refresh does not clear the flag: the grant is the one that failed (log in again).
    const clean = await run(['refresh', '--clock-skew', '2m']);
    expect(clean.code, clean.stderr).toBe(0);
    expect((await cached())?.verdict).toEqual(flagged);
    const revoke = await run(['revoke', '--no-probes']);
    expect(revoke.doc.cache_entry).toEqual(flagged);
  });

  it('token refreshing an expired access token: the failed answer is cached flagged and not printed; --allow-failed prints it; --clock-skew 2m passes', async () => {
    await setup(future(), now() - 60);
    const refused = await runCli(['token'], { env });
    expect(refused.code, refused.stderr).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/id_token\.iat failed/);
    expect(refused.stderr).toMatch(/flagged: id_token\.iat failed; not printed/);
    const entry = await cached();
    expect(entry?.verdict).toEqual({ flagged: true, failed_checks: ['id_token.iat'] });
    const allowed = await runCli(['token', '--allow-failed'], { env });
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(allowed.stdout).toBe(`${entry!.access_token}\n`);

    await setup(future(), now() - 60);
    const skewed = await runCli(['token', '--clock-skew', '2m'], { env });
    expect(skewed.code, skewed.stderr).toBe(0);
    expect(skewed.stdout).toBe(`${(await cached())!.access_token}\n`);
  });

  it('token --grant client_credentials whose answer fails a check: cached flagged, not printed; --json keeps the report without the token; --allow-failed prints it', async () => {
    await setup({ clientCredentialsResponse: { expires_in: -1 } });
    const refused = await runCli(['token', '--grant', 'client_credentials'], { env });
    expect(refused.code, refused.stderr).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/flagged: token_response\.expires_in failed; not printed/);
    const entry = await cached();
    expect(entry?.verdict).toEqual({ flagged: true, failed_checks: ['token_response.expires_in'] });

    const json = await run(['token', '--grant', 'client_credentials']);
    expect(json.code).toBe(1);
    expect(failedIds(json.doc)).toEqual(['token_response.expires_in']);
    expect(json.doc).toMatchObject({ access_token: null, cache_entry: { flagged: true } });

    const allowed = await runCli(['token', '--grant', 'client_credentials', '--allow-failed'], { env });
    expect(allowed.code).toBe(1); // the check failed in this run
    expect(allowed.stdout).toMatch(/^\S{20,}\n$/);
  });

  it.each([['userinfo'], ['introspect'], ['revoke'], ['token'], ['refresh']])('%s --clock-skew takes a duration, bounded like decode and login', async (command) => {
    const result = await runCli([command, '--clock-skew', '2d'], { env: { XDG_CACHE_HOME: home } });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--clock-skew: "2d" is more than the maximum of/);
  });
});

describe('a discovery document without jwks_uri (the IdP\'s fault): exit 3, one message, from every command', { timeout: 60_000 }, () => {
  it.each([
    ['decode --issuer', (issuer: string) => ['decode', '--issuer', issuer, mint(goodClaims({ iss: issuer }), rsaKey())]],
    ['jwks --issuer', (issuer: string) => ['jwks', '--issuer', issuer]],
    ['login', (issuer: string) => ['login', '--issuer', issuer, '--client-id', 'c', '--no-browser', '--timeout', '10']],
  ])('%s', async (_name, args) => {
    const idp = await startBadIdp({ faults: ['missing_required'] });
    try {
      const xdg = await mkdtemp(join(home, 'jwks-uri-'));
      const result = await runCli(args(idp.issuer), { env: { XDG_CACHE_HOME: xdg, XDG_CONFIG_HOME: xdg } });
      expect(result.code, result.stderr).toBe(3);
      expect(result.stdout).toBe('');
      expect(result.stderr.split('\n').filter((line) => line.startsWith('oidc-cli:'))).toEqual([`oidc-cli: the discovery document of ${idp.issuer} has no jwks_uri`]);
      expect(hasStackTrace(result.stderr)).toBe(false);
    } finally {
      await idp.close();
    }
  });
});
