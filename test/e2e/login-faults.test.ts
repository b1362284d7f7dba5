// Each misbehaviour of an IdP is caught by its own check id, with exit 1 (CHECKS.md; issue 4 "Tests").
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { BASIC_SECRET, startScriptedIdp, type Fault } from '../support/scripted-idp.js';

const BROWSER = 'node dist/test/support/scripted-idp.js browse';
let cache: string;
beforeAll(async () => {
  cache = await mkdtemp(join(tmpdir(), 'oidc-cli-login-faults-'));
});
afterAll(() => rm(cache, { recursive: true, force: true }));

async function loginAgainst(fault: Fault, extra: string[] = []) {
  const idp = await startScriptedIdp(fault);
  try {
    const result = await runCli(['login', '--issuer', idp.issuer, '--client-id', idp.client_id, '--browser-command', BROWSER, '--timeout', '20', '--json', ...extra], { env: { XDG_CACHE_HOME: cache, BROWSER: undefined }, timeoutMs: 25_000 });
    return { result, idp };
  } finally {
    await idp.close();
  }
}

type Check = { id: string; status: string; message: string };
const failed = (doc: { checks: Check[] }) => doc.checks.filter((c) => c.status === 'fail').map((c) => c.id);

describe('login against a well-behaved scripted IdP', () => {
  it('passes every check and exits 0 (the baseline the faults below differ from)', async () => {
    const { result } = await loginAgainst('none');
    expect(result.code, result.stderr).toBe(0);
    const doc = result.json<{ ok: boolean; checks: Check[]; cache: { saved: boolean } }>();
    expect(doc.ok).toBe(true);
    expect(failed(doc)).toEqual([]);
    expect(doc.cache.saved).toBe(true);
  });
});

// The table of faults, one check id each, runs in-process (test/unit/flows/login-faults.test.ts). Here, what
// only the binary does with such a verdict: exit 1, the --json document, stderr, and the login kept in
// the cache flagged with the failed ids, or not cached when the front channel failed.
const CASES: Array<[Fault, string, ...string[]]> = [
  ['discovery_redirect_slash', 'discovery.redirect'],
  ['wrong_state', 'authorization.state'],
  ['alg_none', 'id_token.alg', 'id_token.signature'],
];

describe('login against a misbehaving IdP: one fault, one failing check', () => {
  it.each(CASES)('%s → %s fails, exit 1; the login is cached flagged, or not at all when the front channel failed', async (fault, ...ids) => {
    const { result } = await loginAgainst(fault);
    expect(result.code, result.stderr).toBe(1);
    const doc = result.json<{ ok: boolean; checks: Check[]; cache: { saved: boolean; reason?: string; flagged: boolean; failed_checks: string[] } }>();
    expect(doc.ok).toBe(false);
    expect(failed(doc)).toEqual(ids);
    // The login is kept, flagged with the failed ids, to investigate (`token` refuses it: cache-verdict.test.ts);
    // a login stopped in the front channel got no tokens to keep.
    if (fault === 'discovery_redirect_slash' || !ids[0]!.startsWith('authorization.')) expect(doc.cache).toMatchObject({ saved: true, flagged: true, failed_checks: ids });
    else {
      expect(doc.cache).toMatchObject({ saved: false, reason: 'no tokens', flagged: false });
      expect(result.stderr).toMatch(/login stopped: the authorization response failed its checks; the code was not redeemed/);
    }
  });

  it('an IdP that matches redirect_uri exactly: the dead end becomes a diagnosis (the URI to register, --redirect-uri), and with it the login works', async () => {
    const idp = await startScriptedIdp('exact_redirect_uri');
    try {
      const base = ['login', '--issuer', idp.issuer, '--client-id', idp.client_id, '--browser-command', BROWSER, '--timeout', '20'];
      const refused = await runCli(base, { env: { XDG_CACHE_HOME: cache, BROWSER: undefined }, timeoutMs: 25_000 });
      // A diagnosis, not a dead end: the report with the failed check, exit 1 (not 4, not one error line).
      expect(refused.code, refused.stderr).toBe(1);
      expect(refused.stdout).toMatch(/✖ diagnosis\.redirect_uri +the browser command "node" exited with code 1 before the authorization response arrived, and no request reached http:\/\/127\.0\.0\.1:\d+\/callback: the IdP most likely refused this redirect_uri/);
      expect(refused.stdout).toContain('hint: many IdPs compare redirect_uri exactly, port included, and do not allow any port on loopback (RFC 8252 §7.3)');
      expect(refused.stdout).toContain('--redirect-uri http://127.0.0.1:8765/callback');
      const json = await runCli([...base, '--json'], { env: { XDG_CACHE_HOME: cache, BROWSER: undefined }, timeoutMs: 25_000 });
      expect(json.code).toBe(1);
      const doc = json.json<{ ok: boolean; checks: Check[]; stopped_at: string }>();
      expect(doc.checks.filter((c) => c.status === 'fail').map((c) => c.id)).toEqual(['diagnosis.redirect_uri']);
      expect(doc.stopped_at).toMatch(/never reached the redirect URI/);
      // the registered URI, as the hint says: the same IdP lets the login through
      const registered = await runCli([...base, '--redirect-uri', idp.registeredRedirectUri!], { env: { XDG_CACHE_HOME: cache, BROWSER: undefined }, timeoutMs: 25_000 });
      expect(registered.code, registered.stderr).toBe(0);
    } finally {
      await idp.close();
    }
  });

  it('invalid_client at the token endpoint is diagnosed without spending a code: this IdP does not form-urldecode Basic credentials', async () => {
    const secretFile = join(cache, 'basic-secret');
    await writeFile(secretFile, BASIC_SECRET, { mode: 0o600 });
    const { result, idp } = await loginAgainst('basic_not_urldecoded', ['--client-secret-file', secretFile, '--client-auth', 'client_secret_basic']);
    expect(result.code, result.stderr).toBe(1);
    const doc = result.json<{ checks: Check[] }>();
    expect(doc.checks.find((c) => c.id === 'diagnosis.client_auth')).toMatchObject({
      status: 'fail',
      message: expect.stringContaining('this IdP does not form-urldecode client_secret_basic credentials (RFC 6749 §2.3.1)'),
    });
    expect(doc.checks.find((c) => c.id === 'diagnosis.client_auth')?.message).toContain('client_secret_post works');
    // the experiments spent no code: one code redemption, then refresh-token requests with a made-up token
    expect(idp.tokenRequests.filter((r) => r.form.get('grant_type') === 'authorization_code')).toHaveLength(1);
    expect(idp.tokenRequests.filter((r) => r.form.get('grant_type') === 'refresh_token').length).toBeGreaterThanOrEqual(2);
    expect(result.stdout + result.stderr).not.toContain(BASIC_SECRET);
    // opt out: no experiments
    const quiet = await loginAgainst('basic_not_urldecoded', ['--client-secret-file', secretFile, '--client-auth', 'client_secret_basic', '--no-diagnose']);
    expect(quiet.result.json<{ checks: Check[] }>().checks.find((c) => c.id === 'diagnosis.client_auth')).toMatchObject({ status: 'skip' });
    expect(quiet.idp.tokenRequests.filter((r) => r.form.get('grant_type') === 'refresh_token')).toHaveLength(0);
  });

  // The listener cannot tell an IdP that garbles state from a local process probing the port, so such a
  // response is refused like any stray request; once the browser command has finished, nothing else can
  // come, and the last refused response is judged instead of waiting for --timeout.
  it.each(['no_state', 'wrong_state'] as const)('%s: refused as stray while waiting, judged once the browser command has finished (exit 1, well before --timeout)', async (fault) => {
    const started = Date.now();
    const { result } = await loginAgainst(fault);
    expect(result.code, result.stderr).toBe(1);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(result.stderr).toContain('the browser command finished and no response carried the state that was sent: judging the last one that came');
    const doc = result.json<{ checks: Check[] }>();
    expect(doc.checks.find((c) => c.id === 'authorization.stray_callbacks')).toMatchObject({ status: 'warn', message: expect.stringMatching(/^1 request to \/callback was not the authorization response and was refused: 1 without the state that was sent/) });
  });

  it('--timeout bounds the whole login: a token endpoint that never answers ends with exit 4', async () => {
    const idp = await startScriptedIdp('token_hangs');
    try {
      const result = await runCli(['login', '--issuer', idp.issuer, '--client-id', idp.client_id, '--browser-command', BROWSER, '--timeout', '3'], { env: { XDG_CACHE_HOME: cache, BROWSER: undefined } });
      expect(result.code).toBe(4);
      expect(result.stderr).toContain('oidc-cli: timed out after 3s (--timeout bounds the whole login)');
      expect(result.stdout).toBe('');
    } finally {
      await idp.close();
    }
  });
});
