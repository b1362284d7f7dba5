// Login, check and the lifecycle commands act only on discovery metadata they trust (issue: "Login acts
// only on metadata it trusts"). A document naming another issuer is not used at all (OIDC Discovery
// §4.3), and an authorization, token or device endpoint on plain http to a host that is not loopback
// is never handed to a browser or sent a secret (unless --insecure). The run stops at discovery with
// the failed check in the report and exit 1: the --browser-command below records any call (there must
// be none) and the IdP records every request (no /jwks, no /token).
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hasStackTrace, runCli } from '../support/cli.js';
import { startBadIdp, type BadIdp, type Fault } from '../support/bad-idp.js';
import { startScriptedIdp, type ScriptedValues } from '../support/scripted-idp.js';

let dir: string;
let marker: string;
let browser: string;
let idp: BadIdp;
let env: Record<string, string | undefined>;
const SECRET = 'client-secret-that-must-stay-home-0123';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oidc-cli-untrusted-'));
  const script = join(dir, 'record-browser.mjs');
  await writeFile(script, "import { appendFileSync } from 'node:fs';\nappendFileSync(process.argv[2], process.argv.at(-1) + '\\n');\n");
  browser = `node ${script} ${join(dir, 'browser-called')}`;
  marker = join(dir, 'browser-called');
  idp = await startBadIdp();
});
afterAll(async () => {
  await idp.close();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  await rm(marker, { force: true });
  idp.requests.length = 0;
  idp.patchMetadata(undefined);
  const xdg = await mkdtemp(join(dir, 'xdg-'));
  env = { XDG_CACHE_HOME: xdg, XDG_CONFIG_HOME: xdg, OIDC_CLIENT_SECRET: SECRET, BROWSER: undefined };
});
afterEach(() => idp.setFaults());

type Check = { id: string; status: string };
async function run(args: string[]) {
  const result = await runCli([...args, '--json'], { env, timeoutMs: 25_000 });
  expect(result.stderr).not.toMatch(/internal error/);
  expect(hasStackTrace(result.stderr)).toBe(false);
  expect(result.stdout).not.toContain(SECRET);
  const doc = result.json<{ ok: boolean; checks: Check[]; stopped_at?: string }>();
  return { code: result.code, doc, failed: doc.checks.filter((c) => c.status === 'fail').map((c) => c.id), stderr: result.stderr };
}

/** Nothing was acted on: no browser, no keys fetched from the document, no request that carries a secret. */
function expectNothingActedOn() {
  expect(existsSync(marker)).toBe(false);
  expect(idp.requests.filter((path) => !path.startsWith('/.well-known/'))).toEqual([]);
}

const login = (extra: string[] = []) => ['login', '--issuer', idp.issuer, '--client-id', 'app', '--client-auth', 'client_secret_basic', '--browser-command', browser, '--timeout', '10', ...extra];

describe('login', () => {
  const CASES: Array<[string, Fault[], ((m: Record<string, unknown>) => Record<string, unknown>) | undefined, string]> = [
    ['a document naming another issuer (trailing slash)', ['issuer_mismatch'], undefined, 'discovery.issuer_match'],
    ['a document naming an attacker as issuer', [], (m) => ({ ...m, issuer: 'https://attacker.example' }), 'discovery.issuer_match'],
    ['a document whose issuer is an object', [], (m) => ({ ...m, issuer: { toString: null } }), 'discovery.issuer_match'],
    ['an authorization_endpoint on plain http elsewhere', ['plain_http_authorize'], undefined, 'discovery.https'],
    ['an authorization_endpoint with a javascript: URL', [], (m) => ({ ...m, authorization_endpoint: 'javascript:alert(1)' }), 'discovery.https'],
    ['a token_endpoint on plain http elsewhere', ['plain_http_token'], undefined, 'discovery.https'],
  ];
  it.each(CASES)('%s: stops before the browser with the failed check, exit 1', async (_name, faults, patch, id) => {
    idp.setFaults(...faults);
    idp.patchMetadata(patch);
    const result = await run(login());
    expect(result.code, result.stderr).toBe(1);
    expect(result.failed).toContain(id);
    expect(result.doc.stopped_at).toMatch(/not used/);
    expect(result.stderr).toMatch(/login stopped: .*not used/);
    expectNothingActedOn();
  });

  it('with --insecure, a plain-http authorization_endpoint is the user\'s call: the browser is handed the URL', async () => {
    idp.setFaults('plain_http_authorize');
    const result = await runCli([...login(['--timeout', '3']), '--insecure'], { env });
    expect(result.code, result.stderr).toBe(4); // nobody signs in: the login times out
    expect(existsSync(marker)).toBe(true);
  });
});

describe('check', () => {
  it('a document naming another issuer: audited, then nothing else (no keys, no browser, no grant, no probes), exit 1', async () => {
    idp.setFaults('issuer_mismatch');
    const result = await run(['check', '--issuer', idp.issuer, '--client-id', 'app', '--browser-command', browser, '--timeout', '20']);
    expect(result.code, result.stderr).toBe(1);
    expect(result.failed).toEqual(['discovery.issuer_match']);
    expect(result.stderr).toMatch(/stopped at discovery: .*not used/);
    expectNothingActedOn();
  });

  it('a plain-http token_endpoint elsewhere: no probe or grant sends the secret, exit 1', async () => {
    idp.setFaults('plain_http_token');
    const result = await run(['check', '--issuer', idp.issuer, '--client-id', 'app', '--timeout', '20']);
    expect(result.code, result.stderr).toBe(1);
    expect(result.failed).toContain('discovery.https');
    expect(result.doc.checks.filter((c) => c.id.startsWith('probe.')).every((c) => c.status === 'skip')).toBe(true);
    expectNothingActedOn();
  });
});

describe('lifecycle commands that discover', () => {
  const common = () => ['--issuer', idp.issuer, '--client-id', 'app'];
  const COMMANDS: Array<[string, () => string[]]> = [
    ['token --grant client_credentials', () => ['token', '--grant', 'client_credentials', ...common()]],
    ['refresh', () => ['refresh', ...common(), '--refresh-token', 'a-refresh-token-0123456789']],
    ['introspect', () => ['introspect', ...common(), 'an-access-token-0123456789']],
    ['revoke', () => ['revoke', ...common(), 'a-refresh-token-0123456789']],
    ['userinfo', () => ['userinfo', ...common(), '--access-token', 'an-access-token-0123456789']],
    ['login --device', () => ['login', '--device', ...common(), '--browser-command', browser]],
  ];
  it.each(COMMANDS)('%s against a document naming another issuer: discovery.issuer_match fails, exit 1, nothing sent', async (_name, args) => {
    idp.setFaults('issuer_mismatch');
    const result = await run(args());
    expect(result.code, result.stderr).toBe(1);
    expect(result.failed).toContain('discovery.issuer_match');
    expect(result.doc.stopped_at).toMatch(/names the issuer .* not used \(OIDC Discovery §4\.3\)/);
    expectNothingActedOn();
  });

  it('token --grant client_credentials with a plain-http token_endpoint elsewhere: discovery.https fails, exit 1', async () => {
    idp.setFaults('plain_http_token');
    const result = await run(['token', '--grant', 'client_credentials', ...common()]);
    expect(result.code, result.stderr).toBe(1);
    expect(result.failed).toContain('discovery.https');
    expect(result.doc.stopped_at).toMatch(/^token_endpoint "?http:\/\/tokens\.elsewhere\.example\/token"? is plain http/);
  });

  it('login --device with a plain-http device_authorization_endpoint elsewhere: discovery.https fails, exit 1', async () => {
    idp.setFaults('plain_http_device');
    const result = await run(['login', '--device', ...common(), '--browser-command', browser]);
    expect(result.code, result.stderr).toBe(1);
    expect(result.failed).toContain('discovery.https');
    expectNothingActedOn();
  });
});

describe('login against a working IdP whose document names another issuer', () => {
  const SCRIPTED_BROWSER = 'node dist/test/support/scripted-idp.js browse';
  const loginTo = async (values: ScriptedValues) => {
    const scripted = await startScriptedIdp('none', values);
    try {
      const result = await runCli(['login', '--issuer', scripted.issuer, '--client-id', scripted.client_id, '--client-auth', 'client_secret_basic', '--browser-command', SCRIPTED_BROWSER, '--timeout', '20', '--json'], { env, timeoutMs: 25_000 });
      return { result, scripted };
    } finally {
      await scripted.close();
    }
  };

  it('the control: a sound document, the secret reaches the token endpoint (so the test below can fail)', async () => {
    const { result, scripted } = await loginTo({});
    expect(result.code, result.stderr).toBe(0);
    expect(scripted.tokenRequests).toHaveLength(1);
    expect(scripted.tokenRequests[0]!.authorization).toMatch(/^Basic /);
  });

  it('the same IdP naming another issuer: no authorization request, no token request, exit 1', async () => {
    const { result, scripted } = await loginTo({ metadata: { issuer: 'https://attacker.example' } });
    expect(result.code, result.stderr).toBe(1);
    expect(result.json<{ checks: Check[] }>().checks.filter((c) => c.status === 'fail').map((c) => c.id)).toContain('discovery.issuer_match');
    expect(scripted.lastAuthorizationRequest).toBeUndefined();
    expect(scripted.tokenRequests).toEqual([]);
  });
});
