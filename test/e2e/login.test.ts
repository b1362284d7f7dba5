// `oidc-cli login` end to end against the real in-process oidc-provider, signed in by browser.mjs.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, runCli } from '../support/cli.js';
import { startIdp, type Idp } from '../support/idp.js';

const BROWSER = 'node test/support/browser.mjs';
type Check = { id: string; status: string; message: string };
type LoginDoc = { ok: boolean; command: string; client_auth: string; checks: Check[]; steps: Array<{ name: string; ms: number }>; tokens: Record<string, unknown>; access_token: { kind: string; payload?: Record<string, unknown> }; id_token: { payload: Record<string, unknown> }; userinfo: Record<string, unknown>; cache: { saved: boolean; path: string } };

let idp: Idp;
let dir: string;
let env: Record<string, string | undefined>;

beforeAll(async () => {
  idp = await startIdp();
  dir = await mkdtemp(join(tmpdir(), 'oidc-cli-login-'));
  env = { XDG_CACHE_HOME: join(dir, 'cache'), XDG_CONFIG_HOME: join(dir, 'config'), BROWSER: undefined, OIDC_CLIENT_SECRET: undefined, OIDC_ISSUER: undefined, OIDC_CLIENT_ID: undefined };
});
afterAll(async () => {
  await idp?.close();
  await rm(dir, { recursive: true, force: true });
});

const login = (args: string[], extraEnv: Record<string, string | undefined> = {}) =>
  runCli(['login', '--issuer', idp.issuer, '--timeout', '20', ...args], { env: { ...env, ...extraEnv }, timeoutMs: 30_000 });

function expectFullPass(doc: LoginDoc) {
  expect(doc.ok).toBe(true);
  expect(doc.checks.filter((c) => c.status === 'fail')).toEqual([]);
  const ids = doc.checks.map((c) => c.id);
  for (const id of ['authorization.state', 'authorization.iss', 'token_response.no_store', 'id_token.signature', 'id_token.nonce', 'id_token.aud', 'userinfo.sub']) {
    expect(doc.checks.find((c) => c.id === id)?.status, id).toBe('pass');
  }
  expect(ids).toContain('token_response.access_token_kind');
  expect(doc.id_token.payload.sub).toBe(idp.users.demo.sub);
  expect(doc.userinfo.sub).toBe(idp.users.demo.sub);
  expect(doc.steps.map((s) => s.name)).toEqual(expect.arrayContaining(['discovery', 'authorization (browser)', 'token request']));
}

describe('login with each client authentication', () => {
  it('public client with PKCE (none): exit 0, ok, tokens redacted and cached 0600', async () => {
    const result = await login(['--client-id', idp.clients.public.client_id, '--browser-command', BROWSER, '--json']);
    expect(result.code, result.stderr).toBe(0);
    const doc = result.json<LoginDoc>();
    expectFullPass(doc);
    expect(doc.client_auth).toBe('none');
    expect(String(doc.tokens.access_token)).toMatch(/…\[redacted \d+ chars\]$/);
    expect(String(doc.tokens.id_token)).toMatch(/…\[redacted \d+ chars\]$/);
    expect(doc.cache.saved).toBe(true);
    expect((await stat(doc.cache.path)).mode & 0o777).toBe(0o600);
    const cached = JSON.parse(await readFile(doc.cache.path, 'utf8')) as Record<string, unknown>;
    expect(cached.issuer).toBe(idp.issuer);
    expect(typeof cached.access_token).toBe('string');
    // stdout is the report only; no full token anywhere in it.
    expect(result.stdout).not.toContain(cached.access_token as string);
    expect(result.stdout).not.toContain(cached.id_token as string);
  });

  it('client_secret_post, secret from OIDC_CLIENT_SECRET; -vv traces every request with secret and tokens masked', async () => {
    const result = await login(['--client-id', idp.clients.post.client_id, '--client-auth', 'client_secret_post', '--browser-command', BROWSER, '--json', '-vv'], { OIDC_CLIENT_SECRET: idp.clients.post.client_secret });
    expect(result.code, result.stderr).toBe(0);
    const doc = result.json<LoginDoc>();
    expectFullPass(doc);
    expect(doc.client_auth).toBe('client_secret_post');
    const cached = JSON.parse(await readFile(doc.cache.path, 'utf8')) as Record<string, string>;
    expect(result.stderr).toContain('client_secret=[redacted]');
    for (const secret of [idp.clients.post.client_secret, cached.access_token!, cached.refresh_token!, cached.id_token!]) {
      expect(result.stderr).not.toContain(secret);
      expect(result.stdout).not.toContain(secret);
    }
  });

});

describe('what the login shows and asks for', () => {
  // The verdicts themselves are judged in-process (test/unit/flows/login-flow.test.ts); this one is
  // the binary's mapping of a failed check to exit 1.
  it('a failed check exits 1: error=access_denied from the IdP (the user pressed deny) is authorization.error', async () => {
    const result = await login(['--client-id', idp.clients.public.client_id, '--browser-command', BROWSER, '--json'], { OIDC_TEST_BROWSER_MODE: 'deny' });
    expect(result.code, result.stderr).toBe(1);
    const doc = result.json<LoginDoc>();
    expect(doc.ok).toBe(false);
    const check = doc.checks.find((c) => c.id === 'authorization.error');
    expect(check?.status).toBe('fail');
    expect(check?.message).toMatch(/^the IdP answered error=access_denied/);
  });

  it('shows each step on stderr in the protocol\'s words, with --explain lines, and the human report on stdout', async () => {
    const result = await login(['--client-id', idp.clients.public.client_id, '--browser-command', BROWSER, '--explain', '--max-age', '10m']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/code_verifier\s+\[redacted\] \(43 characters/);
    expect(result.stderr).toMatch(/code_challenge\s+[A-Za-z0-9_-]{43} = BASE64URL\(SHA-256\(code_verifier\)\), method S256/);
    expect(result.stderr).toMatch(/^\s+max_age\s+600$/m);
    expect(result.stderr).toMatch(/^\s+code=\S+…\[redacted \d+ chars\]$/m);
    expect(result.stderr).toContain('ⓘ PKCE binds the code to this client');
    expect(result.stderr).toContain('ⓘ The ID token is for the client');
    expect(result.stdout).toMatch(/^OK {2}\d+ passed, 0 failed/m);
    expect(result.stdout).toMatch(/✔ id_token.auth_time\s+authenticated \d+s ago, within max_age 600s/);
  });

});

describe('when the login cannot complete', () => {
  let busy: Server;
  let busyPort: number;
  beforeAll(async () => {
    busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    busyPort = (busy.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => busy.close(() => resolve())));

  it('--port already in use: one clear line, exit 2', async () => {
    const result = await login(['--client-id', idp.clients.public.client_id, '--port', String(busyPort), '--no-browser']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`oidc-cli: cannot listen on 127.0.0.1:${busyPort}: the port is already in use`);
  });

  it('--timeout reached while waiting for the browser: exit 4, and the URL was printed with --no-browser', async () => {
    const result = await runCli(['login', '--issuer', idp.issuer, '--client-id', idp.clients.public.client_id, '--no-browser', '--timeout', '2'], { env });
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/Open this URL in a browser to sign in:\n {2}http:\/\/127\.0\.0\.1:\d+\/auth\?response_type=code&/);
    expect(result.stderr).toContain('oidc-cli: timed out after 2s waiting for the authorization response');
    expect(result.stdout).toBe('');
  });

  it('Ctrl-C while waiting: exit 4 with a clear line', async () => {
    const child = spawn(process.execPath, [BIN, 'login', '--issuer', idp.issuer, '--client-id', idp.clients.public.client_id, '--no-browser'], { cwd: ROOT, env: { ...process.env, ...env, NO_COLOR: '1' } as NodeJS.ProcessEnv });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes('Waiting for the authorization response')) child.kill('SIGINT');
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(4);
    expect(stderr).toContain('oidc-cli: login cancelled (Ctrl-C) while waiting for the authorization response');
  });

  it('a browser command that fails ends the wait at once (diagnosis.redirect_uri, exit 1, the report printed), and one that cannot start is a usage error (exit 2)', async () => {
    const failing = await login(['--client-id', idp.clients.public.client_id, '--browser-command', `node -e "process.exit(3)"`]);
    expect(failing.code).toBe(1);
    expect(failing.stdout).toMatch(/✖ diagnosis\.redirect_uri +the browser command "node" exited with code 3 before the authorization response arrived/);
    const missing = await login(['--client-id', idp.clients.public.client_id, '--browser-command', 'no-such-browser-oidc-cli --flag']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--browser-command: cannot run "no-such-browser-oidc-cli": not found');
  });

  it('--param cannot override the flow\'s own parameters (exit 2), and bad --redirect-uri is refused (exit 2)', async () => {
    const param = await login(['--client-id', idp.clients.public.client_id, '--param', 'state=mine', '--no-browser']);
    expect(param.code).toBe(2);
    expect(param.stderr).toContain('oidc-cli: --param cannot set state');
    const redirect = await login(['--client-id', idp.clients.public.client_id, '--redirect-uri', 'https://app.example.com/cb', '--no-browser']);
    expect(redirect.code).toBe(2);
    expect(redirect.stderr).toMatch(/^oidc-cli: --redirect-uri must be http:\/\/127\.0\.0\.1/m);
  });

  // The browser comes from BROWSER here, so this run also shows BROWSER works like --browser-command.
  it('--show-tokens prints the tokens in full, in the report and the live steps (browser from BROWSER)', async () => {
    const result = await login(['--client-id', idp.clients.public.client_id, '--json', '--show-tokens', '-v'], { BROWSER });
    expect(result.code, result.stderr).toBe(0);
    const doc = result.json<LoginDoc>();
    const cached = JSON.parse(await readFile(doc.cache.path, 'utf8')) as Record<string, string>;
    expect(doc.tokens.access_token).toBe(cached.access_token);
    expect(doc.tokens.id_token).toBe(cached.id_token);
    expect(result.stderr).toContain(`access_token      ${cached.access_token}`);
  });

});
