import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasStackTrace, runCli } from '../support/cli.js';
import { BROWSER_SCRIPT } from '../support/idp-flow.js';
import { startBadIdp } from '../support/bad-idp.js';
import { startIdp, type Idp } from '../support/idp.js';

type Check = { id: string; status: string; message: string; spec: string; hint?: string };
type Doc = { ok: boolean; command: string; checks: Check[]; grant: string; user_flow: boolean; junit: string | null; steps: Array<{ name: string; ms: number }> };

const browser = `node ${BROWSER_SCRIPT}`;
// Each run spawns the CLI and many browser runs: room for a loaded 2-core CI machine (no timing is asserted).
const E2E_TIMEOUT = 120_000;

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
  // The verdicts of the confidential, public and no-user-flow runs are judged in-process
  // (test/unit/flows/check-flow.test.ts); here, what only the binary shows: the --json document, the
  // JUnit file and the warning on stderr. No browser, so it runs in seconds.
  it('--json and --junit: the document\'s shape, and the JUnit file (0600) holds the same checks one for one, skips as <skipped>', async () => {
    const junit = join(dir, 'report.xml');
    const result = await check(['--client-id', idp.clients.machine.client_id, '--client-secret-file', secretFile('machine'), '--scope', 'api:read', '--only', 'discovery,probe.pkce_missing,probe.token_get', '--junit', junit, '--json']);
    expect(result.code, result.stderr).toBe(0);
    const doc = result.json<Doc>();
    expect(doc).toMatchObject({ command: 'check', ok: true, grant: 'client_credentials', user_flow: false, junit });
    const checks = byId(doc.checks);
    expect(checks['probe.pkce_missing']).toMatchObject({ status: 'skip', message: 'no user flow: pass --browser-command CMD (a headless sign-in script) to run it' });
    expect(checks['probe.token_get']!.status).toBe('pass');
    expect(doc.checks.some((c) => c.id.startsWith('discovery.') && c.status === 'pass')).toBe(true);
    expect(result.stderr).toContain('warning: no --browser-command');
    expect(hasStackTrace(result.stderr)).toBe(false);

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
    expect(cases.find((c) => c.name === 'probe.pkce_missing')?.skipped?.message).toBe(checks['probe.pkce_missing']!.message);
    expect(suites).toMatchObject({ tests: String(doc.checks.length), failures: '0', skipped: String(doc.checks.filter((c) => c.status === 'skip').length) });
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

  it('a pattern that matches no check is a usage error (exit 2), before any network call', async () => {
    const result = await runCli(['check', '--issuer', 'http://127.0.0.1:9', '--client-id', 'x', '--only', 'probe.nope'], { env: env() });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('oidc-cli: --only probe.nope: no check id or group matches\n  hint: list the ids with: oidc-cli checks (e.g. probe, probe.code_reuse, id_token, probe.pkce_*)\n');
    expect(result.stdout).toBe('');
  }, E2E_TIMEOUT);

  it('--other-client-id with its secret file: the second client is refused the first one\'s token (pass), and its secret is never printed', async () => {
    const result = await check([...basic(), '--browser-command', browser, '--only', 'introspection.other_client', '--other-client-id', idp.clients.machine.client_id, '--other-client-secret-file', secretFile('machine'), '--json', '--verbose']);
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout) as Doc;
    expect(doc.checks.map((c) => [c.id, c.status, c.message])).toEqual([['introspection.other_client', 'pass', 'client "oidc-cli-machine" asking about another client\'s token got 200 {"active": false}']]);
    expect(result.stdout + result.stderr).not.toContain(idp.clients.machine.client_secret);
  }, E2E_TIMEOUT);

  it('--other-client-id without --other-client-secret-file is a usage error (exit 2), before any network call', async () => {
    const result = await runCli(['check', '--issuer', 'http://127.0.0.1:9', '--client-id', 'x', '--other-client-id', 'y'], { env: env() });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('oidc-cli: --other-client-id and --other-client-secret-file go together: a second confidential client of the same IdP\n');
  }, E2E_TIMEOUT);

  it('--junit into a missing directory: exit 2 with one line', async () => {
    const result = await check(['--client-id', idp.clients.machine.client_id, '--client-secret-file', secretFile('machine'), '--only', 'discovery', '--junit', join(dir, 'no', 'such', 'dir', 'r.xml')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^oidc-cli: --junit: cannot write .*r\.xml: ENOENT$/m);
    expect(hasStackTrace(result.stderr)).toBe(false);
  }, E2E_TIMEOUT);

  it('a run that stops at the key set (exit 3) first shows, on stderr, the findings it had judged', async () => {
    const bad = await startBadIdp({ faults: ['alg_none'] });
    bad.patchMetadata((metadata) => ({ ...metadata, jwks_uri: 'http://127.0.0.1:9/jwks' }));
    try {
      const result = await runCli(['check', '--issuer', bad.issuer, '--client-id', 'x'], { env: env() });
      expect(result.code).toBe(3);
      expect(result.stderr).toMatch(/found before it stopped:\n {2}! discovery\.alg_none +id_token_signing_alg_values_supported lists "none"/);
      expect(result.stderr).toMatch(/\noidc-cli: .*127\.0\.0\.1:9.*\n/);
      expect(hasStackTrace(result.stderr)).toBe(false);
    } finally {
      await bad.close();
    }
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
