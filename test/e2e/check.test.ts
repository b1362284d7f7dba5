import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasStackTrace, runCli } from '../support/cli.js';
import { BROWSER_SCRIPT } from '../support/idp-flow.js';
import { startIdp, type Idp } from '../support/idp.js';

type Check = { id: string; status: string; message: string; spec: string; hint?: string };
type Doc = { ok: boolean; command: string; checks: Check[]; grant: string; user_flow: boolean; junit: string | null; steps: Array<{ name: string; ms: number }> };

const browser = `node ${BROWSER_SCRIPT}`;
// Each run spawns the CLI and many browser runs: room for a loaded 2-core CI machine (no timing is asserted).
const E2E_TIMEOUT = 120_000;
const ALL_PROBES = ['probe.code_reuse', 'probe.code_reuse_revokes', 'probe.pkce_missing', 'probe.pkce_wrong', 'probe.pkce_required', 'probe.pkce_downgrade', 'probe.pkce_plain', 'probe.redirect_uri_altered', 'probe.redirect_uri_token', 'probe.client_secret_wrong', 'probe.unknown_parameter', 'probe.response_type_missing', 'probe.prompt_none', 'probe.token_get', 'probe.refresh_unknown', 'probe.userinfo_no_token', 'probe.userinfo_bad_token'];
// The probes that need no user flow: they run with client credentials too.
const ANY_FLOW_PROBES = ['probe.client_secret_wrong', 'probe.token_get', 'probe.userinfo_no_token', 'probe.userinfo_bad_token'];
const USER_FLOW_PROBES = ALL_PROBES.filter((id) => !ANY_FLOW_PROBES.includes(id));

let idp: Idp;
let dir: string;
const secretFile = (name: 'basic' | 'machine') => join(dir, `${name}.secret`);

beforeAll(async () => {
  idp = await startIdp();
  dir = await mkdtemp(join(tmpdir(), 'oidc-check-'));
  await writeFile(secretFile('basic'), idp.clients.basic.client_secret, { mode: 0o600 });
  await writeFile(secretFile('machine'), idp.clients.machine.client_secret, { mode: 0o600 });
});
afterAll(async () => {
  await idp?.close();
  await rm(dir, { recursive: true, force: true });
});

const env = () => ({ XDG_CACHE_HOME: join(dir, 'cache'), XDG_CONFIG_HOME: join(dir, 'config'), BROWSER: undefined, OIDC_CLIENT_SECRET: undefined, OIDC_ISSUER: undefined, OIDC_CLIENT_ID: undefined });
const check = (args: string[]) => runCli(['check', '--issuer', idp.issuer, ...args], { env: env(), timeoutMs: 100_000 });
const basic = () => ['--client-id', idp.clients.basic.client_id, '--client-secret-file', secretFile('basic')];
const byId = (checks: Check[]) => Object.fromEntries(checks.map((c) => [c.id, c]));

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => ['testsuite', 'testcase'].includes(name), parseTagValue: false, parseAttributeValue: false, trimValues: false, htmlEntities: true });
type Case = { classname: string; name: string; failure?: { message: string; type: string }; skipped?: { message: string }; 'system-out'?: string };

describe('check against the sound oidc-provider harness', () => {
  it('confidential client, headless sign-in, --destructive: every probe passes, no failure and no warning, exit 0', async () => {
    const junit = join(dir, 'report.xml');
    const result = await check([...basic(), '--browser-command', browser, '--destructive', '--junit', junit, '--json']);
    const doc = result.json<Doc>();
    expect(doc.checks.filter((c) => c.status === 'fail' || c.status === 'warn'), result.stderr).toEqual([]);
    expect(result.code).toBe(0);
    expect(doc).toMatchObject({ command: 'check', ok: true, grant: 'authorization_code', user_flow: true, junit });
    const checks = byId(doc.checks);
    for (const id of ALL_PROBES) expect([id, checks[id]?.status]).toEqual([id, 'pass']);
    // The destructive part ran: replay refused, revocation confirmed through introspection.
    for (const id of ['refresh.reuse_rejected', 'revocation.status', 'revocation.unknown_token', 'revocation.inactive', 'revocation.refresh_rejected']) expect([id, checks[id]?.status]).toEqual([id, 'pass']);
    expect(checks['probe.redirect_uri_altered']!.message).toMatch(/^no redirect to the unregistered http:\/\/127\.0\.0\.1:\d+\/oidc-cli-probe\/altered or http:\/\/127\.0\.0\.1:\d+\/callback\?oidc_cli_probe=altered, their listeners saw nothing: the browser command ended \(exit code 1\) before any response arrived$/);
    expect(checks['probe.prompt_none']!.message).toContain('error=login_required');
    expect(doc.steps.map((s) => s.name)).toEqual(expect.arrayContaining(['discovery + jwks', 'login', 'lifecycle', 'probes', 'total']));
    expect(hasStackTrace(result.stderr)).toBe(false);
    // The report order is stable: groups stay together, probes in catalogue order.
    const groups = doc.checks.map((c) => c.id.split('.')[0]);
    expect(groups.filter((g, i) => g !== groups[i - 1])).toEqual(['discovery', 'jwks', 'authorization', 'token_response', 'id_token', 'userinfo', 'refresh', 'introspection', 'revocation', 'probe']);
    expect(doc.checks.filter((c) => c.id.startsWith('probe.')).map((c) => c.id)).toEqual(ALL_PROBES);

    // The JUnit file: 0600, and the same checks as the JSON report, one for one.
    expect((await stat(junit)).mode & 0o777).toBe(0o600);
    const suites = (parser.parse(await readFile(junit, 'utf8')) as { testsuites: Record<string, string> & { testsuite: Array<{ name: string; testcase: Case[] }> } }).testsuites;
    const cases = suites.testsuite.flatMap((s) => s.testcase);
    expect(cases.map((c) => c.name)).toEqual(doc.checks.map((c) => c.id));
    for (const [i, c] of cases.entries()) {
      const json = doc.checks[i]!;
      expect(c.classname).toBe(json.id.split('.')[0]);
      if (json.status === 'skip') expect(c.skipped?.message).toBe(json.message);
      else expect([json.id, c['system-out'], c.failure]).toEqual([json.id, json.message, undefined]);
    }
    expect(suites).toMatchObject({ tests: String(doc.checks.length), failures: '0', skipped: String(doc.checks.filter((c) => c.status === 'skip').length) });
  }, E2E_TIMEOUT);

  it('public client: no failure and no warning; the secret probe and introspection say why they are skipped', async () => {
    const result = await check(['--client-id', idp.clients.public.client_id, '--browser-command', browser, '--json']);
    const doc = result.json<Doc>();
    expect(doc.checks.filter((c) => c.status === 'fail' || c.status === 'warn'), result.stderr).toEqual([]);
    expect(result.code).toBe(0);
    const checks = byId(doc.checks);
    expect(checks['probe.client_secret_wrong']).toMatchObject({ status: 'skip', message: 'the client authenticates with none: no secret to get wrong' });
    expect(checks['refresh.rotation']!.status).toBe('pass');
    expect(checks['introspection.status']).toMatchObject({ status: 'skip', message: 'a public client cannot authenticate to the introspection endpoint' });
    expect(checks['refresh.reuse_rejected']).toMatchObject({ status: 'skip', message: 'destructive (ends the grant): opt in with --destructive' });
  }, E2E_TIMEOUT);

  it('no user flow: client credentials for a machine client, user-flow probes skipped with the reason, a warning on stderr', async () => {
    const result = await check(['--client-id', idp.clients.machine.client_id, '--client-secret-file', secretFile('machine'), '--scope', 'api:read', '--json']);
    const doc = result.json<Doc>();
    expect(result.code, result.stderr).toBe(0);
    expect(doc).toMatchObject({ grant: 'client_credentials', user_flow: false });
    const checks = byId(doc.checks);
    for (const id of USER_FLOW_PROBES) expect(checks[id]).toMatchObject({ status: 'skip', message: 'no user flow: pass --browser-command CMD (a headless sign-in script) to run it' });
    expect(checks['probe.client_secret_wrong']).toMatchObject({ status: 'pass', message: expect.stringMatching(/^client_credentials with a wrong secret \(client_secret_basic\): refused, HTTP 401 invalid_client/) });
    expect(checks['probe.token_get']!.status).toBe('pass');
    expect(checks['probe.userinfo_no_token']).toMatchObject({ status: 'pass', message: expect.stringMatching(/^without a token: HTTP 401, WWW-Authenticate: Bearer/) });
    expect(checks['probe.userinfo_bad_token']).toMatchObject({ status: 'pass', message: 'with an invalid token: HTTP 401, WWW-Authenticate: Bearer error="invalid_token"' });
    expect(checks['access_token.signature']!.status).toBe('pass');
    expect(checks['client_credentials.refresh_token']!.status).toBe('pass');
    expect(result.stderr).toContain('warning: no --browser-command');
  }, E2E_TIMEOUT);

  it('human output: grouped checks, a summary per group, timings and totals on stdout; progress on stderr', async () => {
    const result = await check([...basic(), '--browser-command', browser, '--only', 'probe.pkce_*,discovery.issuer_match']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Check\n {2}issuer {5}http:\/\/127\.0\.0\.1:\d+\n/);
    expect(result.stdout).toMatch(/By group\n\s+group\s+pass\s+fail\s+warn\s+skip\n\s+discovery\s+1\s+0\s+0\s+0\n\s+probe\s+5\s+0\s+0\s+0\n/);
    expect(result.stdout).toMatch(/\n {2}✔ probe\.pkce_missing +a code issued for an S256 code_challenge, redeemed without code_verifier: refused, HTTP 400 invalid_grant/);
    expect(result.stdout).toMatch(/Timings\n\s+discovery \+ jwks\s+\d+ ms\n\s+probes\s+\d+ ms\n\s+total\s+\d+ ms/);
    expect(result.stdout.trimEnd().split('\n').at(-1)).toBe('OK  6 passed, 0 failed, 0 warnings, 0 skipped');
    expect(result.stderr).toContain('→ Active probes: 4, up to 4 browser runs at once');
    expect(result.stdout).not.toContain('→');
  }, E2E_TIMEOUT);

  it('--only and --skip select by id, group or prefix*, and only the selected probes run', async () => {
    const result = await check([...basic(), '--browser-command', browser, '--only', 'probe', '--skip', 'probe.pkce_*', '--skip', 'probe.redirect_uri_altered', '--json']);
    const doc = result.json<Doc & { probes: Array<{ name: string; ran: boolean }> }>();
    expect(result.code, result.stderr).toBe(0);
    expect(doc.checks.map((c) => c.id)).toEqual(['probe.code_reuse', 'probe.code_reuse_revokes', 'probe.redirect_uri_token', 'probe.client_secret_wrong', 'probe.unknown_parameter', 'probe.response_type_missing', 'probe.prompt_none', 'probe.token_get', 'probe.refresh_unknown', 'probe.userinfo_no_token', 'probe.userinfo_bad_token']);
    expect(doc.probes.map((p) => p.name)).not.toContain('PKCE: plain');
    expect(doc.steps.map((s) => s.name)).not.toContain('login');
  }, E2E_TIMEOUT);

  it('a pattern that matches no check is a usage error (exit 2), before any network call', async () => {
    const result = await runCli(['check', '--issuer', 'http://127.0.0.1:9', '--client-id', 'x', '--only', 'probe.nope'], { env: env() });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('oidc-cli: --only probe.nope: no check id or group matches\n  hint: list the ids with: oidc-cli checks (e.g. probe, probe.code_reuse, id_token, probe.pkce_*)\n');
    expect(result.stdout).toBe('');
  }, E2E_TIMEOUT);

  it('--junit into a missing directory: exit 2 with one line', async () => {
    const result = await check(['--client-id', idp.clients.machine.client_id, '--client-secret-file', secretFile('machine'), '--only', 'discovery', '--junit', join(dir, 'no', 'such', 'dir', 'r.xml')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^oidc-cli: --junit: cannot write .*r\.xml: ENOENT$/m);
    expect(hasStackTrace(result.stderr)).toBe(false);
  }, E2E_TIMEOUT);

  it('an IdP that cannot be reached: exit 3 with one line, and the JUnit file says why (an <error>)', async () => {
    const junit = join(dir, 'unreachable.xml');
    const sarif = join(dir, 'unreachable.sarif');
    const result = await runCli(['check', '--issuer', 'http://127.0.0.1:9', '--client-id', 'x', '--junit', junit, '--sarif', sarif], { env: env() });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/^oidc-cli: connection refused by 127\.0\.0\.1:9$/m);
    expect(hasStackTrace(result.stderr)).toBe(false);
    const xml = await readFile(junit, 'utf8');
    expect(xml).toMatch(/<testsuites [^>]*errors="1"/);
    expect(xml).toContain('<error message="connection refused by 127.0.0.1:9" type="NETWORK">');
    // the SARIF log says so too: no results, an unsuccessful invocation with the reason
    const log = JSON.parse(await readFile(sarif, 'utf8'));
    expect(log.runs[0].results).toEqual([]);
    expect(log.runs[0].invocations[0]).toMatchObject({ executionSuccessful: false, exitCode: 3, toolExecutionNotifications: [{ message: { text: 'connection refused by 127.0.0.1:9' } }] });
  }, E2E_TIMEOUT);
});
