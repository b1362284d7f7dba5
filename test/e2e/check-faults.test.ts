import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasStackTrace, runCli } from '../support/cli.js';
import { BROWSER_SCRIPT } from '../support/idp-flow.js';
import { startIdp } from '../support/idp.js';
import { startProbeIdp, type ProbeFault, type ProbeIdp } from '../support/probe-idp.js';

type Check = { id: string; status: string; message: string };

const browser = `node ${BROWSER_SCRIPT}`;
// Each run spawns the CLI and many browser runs: room for a loaded 2-core CI machine (no timing is asserted).
const E2E_TIMEOUT = 120_000;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oidc-check-faults-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const env = () => ({ XDG_CACHE_HOME: join(dir, 'cache'), XDG_CONFIG_HOME: join(dir, 'config'), BROWSER: undefined, OIDC_CLIENT_SECRET: undefined });

async function check(idp: { issuer: string }, client: { client_id: string; client_secret?: string }, extra: string[] = []) {
  const args = ['check', '--issuer', idp.issuer, '--client-id', client.client_id, '--browser-command', browser, '--json', ...extra];
  if (client.client_secret) {
    const file = join(dir, `secret-${client.client_id}`);
    await writeFile(file, client.client_secret, { mode: 0o600 });
    args.push('--client-secret-file', file);
  }
  const result = await runCli(args, { env: env(), timeoutMs: 100_000 });
  expect(hasStackTrace(result.stderr), result.stderr).toBe(false);
  const doc = result.json<{ ok: boolean; checks: Check[] }>();
  const status = (id: string) => doc.checks.find((c) => c.id === id)?.status;
  return { result, doc, status, failing: doc.checks.filter((c) => c.status === 'fail').map((c) => c.id).sort(), message: (id: string) => doc.checks.find((c) => c.id === id)?.message };
}

// One fault each, through the binary, with --only the checks it concerns: the exit code and the JSON
// document are what only the binary shows. That the fixture is otherwise right (without a fault every
// probe passes) and that exactly these checks fail in a full run is judged in-process, with the whole
// fault table (test/unit/flows/check-flow.test.ts).
const cases: Array<{ fault: ProbeFault; client: 'public' | 'basic'; failing: string[]; warned?: string[]; message?: RegExp }> = [
  { fault: 'code_reusable', client: 'public', failing: ['probe.code_reuse'], message: /second time: accepted, HTTP 200 with an access_token/ },
  { fault: 'redirect_uri_unchecked', client: 'public', failing: ['probe.redirect_uri_altered'], message: /^open redirect: the IdP sent the browser to the unregistered http:\/\/127\.0\.0\.1:\d+\/oidc-cli-probe\/altered with a code/ },
  { fault: 'wrong_secret_accepted', client: 'basic', failing: ['probe.client_secret_wrong'], message: /wrong secret \(client_secret_basic\): accepted/ },
];

// Refused, but not the way the spec says: warnings (exit 0), each with its own id.
const warnings: Array<{ fault: ProbeFault; warned: string; message: RegExp; client?: 'public' | 'basic' }> = [
  { fault: 'refresh_unknown_invalid_request', warned: 'probe.refresh_unknown', message: /refused, but with HTTP 400 invalid_request/ },
  { fault: 'consent_denied_wrong_error', warned: 'probe.consent_denied', message: /came back with error=server_error; expected error=access_denied/ },
];

describe('check against one fault at a time', () => {
  let idp: ProbeIdp | undefined;
  afterAll(() => idp?.close());

  it.each(cases)('$fault → $failing fail, exit 1', async ({ fault, client, failing, warned, message }) => {
    await idp?.close();
    idp = await startProbeIdp({ faults: [fault] });
    const run = await check(idp, idp.clients[client], ['--only', failing.join(',')]);
    expect(run.failing, run.result.stderr).toEqual(failing);
    expect(run.result.code).toBe(1);
    expect(run.doc.ok).toBe(false);
    for (const id of warned ?? []) expect(run.status(id)).toBe('warn');
    if (message) expect(run.message(failing[0]!)).toMatch(message);
  }, E2E_TIMEOUT);

  it.each(warnings)('$fault → $warned warns, exit 0', async ({ fault, warned, message, client }) => {
    await idp?.close();
    idp = await startProbeIdp({ faults: [fault] });
    const run = await check(idp, idp.clients[client ?? 'public'], ['--only', warned]);
    expect(run.doc.checks.map((c) => [c.id, c.status]), run.result.stderr).toEqual([[warned, 'warn']]);
    expect(run.message(warned)).toMatch(message);
    expect(run.result.code).toBe(0);
  }, E2E_TIMEOUT);

  it('the open redirect is observed at the second listener: the IdP really sent the browser there', async () => {
    await idp?.close();
    idp = await startProbeIdp({ faults: ['redirect_uri_unchecked'] });
    const run = await check(idp, idp.clients.public, ['--only', 'probe.redirect_uri_altered']);
    expect(run.doc.checks.map((c) => [c.id, c.status])).toEqual([['probe.redirect_uri_altered', 'fail']]);
    expect(idp.redirects.some((uri) => /\/oidc-cli-probe\/altered\?code=/.test(uri))).toBe(true);
  }, E2E_TIMEOUT);
});

// Another local process answers every leg first with an IdP-looking refusal (no state, a forged one):
// were it taken, each probe that expects a refusal would pass against an IdP that does not refuse.
const STRAY_FIRST = String.raw`
import { spawn } from 'node:child_process';
const url = process.argv[process.argv.length - 1];
const callback = new URL(url).searchParams.get('redirect_uri');
const join = callback.includes('?') ? '&' : '?';
for (const query of ['error=invalid_request', 'error=invalid_request&state=forged']) await fetch(callback + join + query).catch(() => undefined);
const child = spawn(process.execPath, [process.env.REAL_BROWSER, url], { stdio: 'inherit' });
child.on('exit', (code) => process.exit(code ?? 1));
`;

describe('check with stray requests at its listeners', () => {
  it('a refusal forged by a local process does not stand in for the IdP: pkce_not_enforced still fails its probes', async () => {
    const script = join(dir, 'stray-first.mjs');
    await writeFile(script, STRAY_FIRST);
    const idp = await startProbeIdp({ faults: ['pkce_not_enforced'] });
    process.env.REAL_BROWSER = BROWSER_SCRIPT;
    try {
      const run = await check(idp, idp.clients.public, ['--browser-command', `node ${script}`, '--only', 'probe.pkce_*,authorization.stray_callbacks']);
      expect(run.failing, run.result.stderr).toEqual(['probe.pkce_downgrade', 'probe.pkce_missing', 'probe.pkce_wrong']);
      expect(run.status('authorization.stray_callbacks')).toBe('warn');
    } finally {
      delete process.env.REAL_BROWSER;
      await idp.close();
    }
  }, E2E_TIMEOUT);
});

describe('check against the real oidc-provider with refresh rotation off', () => {
  it('public client: refresh.rotation fails, exit 1', async () => {
    const idp = await startIdp({ rotateRefreshTokens: false });
    try {
      const run = await check(idp, idp.clients.public, ['--skip', 'probe']);
      expect(run.failing, run.result.stderr).toEqual(['refresh.rotation']);
      expect(run.message('refresh.rotation')).toBe('expected rotation, got: the same refresh_token was returned');
      expect(run.result.code).toBe(1);
      expect(run.doc.checks.some((c) => c.id.startsWith('probe.'))).toBe(false);
    } finally {
      await idp.close();
    }
  }, E2E_TIMEOUT);
});

describe('--sarif', () => {
  it('one result per failed check, at the metadata URL, with the rule from the catalogue; the file is 0600', async () => {
    const idp = await startProbeIdp({ faults: ['code_reusable'] });
    try {
      const sarif = join(dir, 'reuse.sarif');
      const run = await check(idp, idp.clients.public, ['--sarif', sarif, '--only', 'probe.code_reuse,discovery']);
      expect(run.result.code).toBe(1);
      const log = JSON.parse(await readFile(sarif, 'utf8'));
      expect(log.version).toBe('2.1.0');
      const results = log.runs[0].results as Array<{ ruleId: string; level: string; ruleIndex: number; locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }> }>;
      expect(results.map((r) => [r.ruleId, r.level])).toEqual([['probe.code_reuse', 'error']]);
      expect(results[0]!.locations[0]!.physicalLocation.artifactLocation.uri).toBe(`${idp.issuer}/.well-known/openid-configuration`);
      expect(log.runs[0].tool.driver.rules[results[0]!.ruleIndex].helpUri).toBe('https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2');
      expect((await stat(sarif)).mode & 0o777).toBe(0o600);
    } finally {
      await idp.close();
    }
  }, E2E_TIMEOUT);
});

describe('--fail-on warn', () => {
  it('a warning alone (plain PKCE accepted) exits 0, or 1 with --fail-on warn; the JUnit file agrees with the exit code', async () => {
    const idp = await startProbeIdp({ faults: ['pkce_plain_accepted'] });
    try {
      const junit = join(dir, 'warn.xml');
      const lenient = await check(idp, idp.clients.public, ['--junit', junit, '--only', 'probe.pkce_*']);
      expect(lenient.failing).toEqual([]);
      expect(lenient.doc.checks.filter((c) => c.status === 'warn').map((c) => c.id)).toEqual(['probe.pkce_plain']);
      expect(lenient.message('probe.pkce_plain')).toBe('code_challenge_method=plain accepted: a code was issued and redeemed with code_verifier = code_challenge');
      expect(lenient.result.code).toBe(0);
      expect(await readFile(junit, 'utf8')).toMatch(/<testsuites [^>]*failures="0"/);

      const strict = await check(idp, idp.clients.public, ['--junit', junit, '--fail-on', 'warn', '--only', 'probe.pkce_plain']);
      expect(strict.result.code).toBe(1);
      expect(strict.doc.ok).toBe(false);
      const xml = await readFile(junit, 'utf8');
      expect(xml).toMatch(/<testsuites [^>]*failures="1"/);
      expect(xml).toContain('<failure message="code_challenge_method=plain accepted: a code was issued and redeemed with code_verifier = code_challenge" type="warn">');
    } finally {
      await idp.close();
    }
  }, E2E_TIMEOUT);
});

describe('check against an IdP that compares the redirect URI port too (no RFC 8252 §7.3)', () => {
  it('--json and --junit on a random port: diagnosis.redirect_uri fails and probe.loopback_any_port warns (exit 1, not 4)', async () => {
    const idp = await startProbeIdp({ faults: ['redirect_uri_port_exact'] });
    try {
      const junit = join(dir, 'exact-port.xml');
      const run = await check(idp, idp.clients.public, ['--junit', junit, '--only', 'discovery.issuer_match,authorization,diagnosis,probe.loopback_any_port']);
      expect(run.result.code, run.result.stderr).toBe(1);
      expect(run.failing).toEqual(['diagnosis.redirect_uri']);
      expect(run.status('probe.loopback_any_port')).toBe('warn');
      expect(run.status('discovery.issuer_match')).toBe('pass');
      const xml = await readFile(junit, 'utf8');
      expect(xml).toContain('diagnosis.redirect_uri');
      expect(xml).toMatch(/<failure[^>]*>/);
      // With the registered URI the login passes and the any-port finding stays a warning: in-process,
      // test/unit/flows/check-flow.test.ts.
    } finally {
      await idp.close();
    }
  }, E2E_TIMEOUT);
});

describe('--baseline and --update-baseline', () => {
  it('today\'s findings written with --update-baseline are accepted from then on (exit 0, marked in JSON, JUnit skipped, SARIF suppressed); a new one fails again', async () => {
    const idp = await startProbeIdp({ faults: ['code_reusable'] });
    const other = await startProbeIdp({ faults: ['code_reusable', 'token_ignores_redirect_uri'] });
    try {
      const baseline = join(dir, 'baseline.json');
      const first = await check(idp, idp.clients.public, ['--baseline', baseline, '--update-baseline', '--only', 'probe.code_reuse,probe.redirect_uri_token']);
      expect(first.result.code, first.result.stderr).toBe(0);
      expect((await stat(baseline)).mode & 0o777).toBe(0o600);
      const junit = join(dir, 'baseline.xml');
      const sarif = join(dir, 'baseline.sarif');
      const again = await check(idp, idp.clients.public, ['--baseline', baseline, '--only', 'probe.code_reuse,probe.redirect_uri_token', '--junit', junit, '--sarif', sarif]);
      expect(again.result.code).toBe(0);
      expect(again.doc.checks.find((c) => c.id === 'probe.code_reuse')).toMatchObject({ status: 'fail', accepted: expect.stringContaining('accepted in the baseline') });
      expect(await readFile(junit, 'utf8')).toMatch(/<testcase[^>]*name="probe\.code_reuse"[^>]*>\s*<skipped message="accepted in the baseline/);
      expect(JSON.parse(await readFile(sarif, 'utf8')).runs[0].results[0].suppressions).toEqual([{ kind: 'external', justification: expect.stringContaining('accepted in the baseline') }]);
      // A finding the baseline does not list still fails the run.
      const worse = await check(other, other.clients.public, ['--baseline', baseline, '--only', 'probe.code_reuse,probe.redirect_uri_token']);
      expect(worse.result.code).toBe(1);
      expect(worse.doc.checks.filter((c) => c.status === 'fail' && !(c as { accepted?: string }).accepted).map((c) => c.id)).toEqual(['probe.redirect_uri_token']);
    } finally {
      await idp.close();
      await other.close();
    }
  }, E2E_TIMEOUT);

  it('a baseline that cannot be used stops the run at once (exit 2), before any login', async () => {
    const broken = join(dir, 'broken-baseline.json');
    await writeFile(broken, '{"accepted": []}');
    const result = await runCli(['check', '--issuer', 'http://127.0.0.1:9', '--client-id', 'x', '--baseline', broken], { env: env() });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/not an oidc-cli baseline/);
  });
});
