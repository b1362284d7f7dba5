// Issue 8: every command, in human mode, --json and -vv, with known secrets in play (client secrets from
// the environment and a file, a private key for private_key_jwt, and every code, code_verifier, client
// assertion and token the real IdP hands out). None may appear in stdout, stderr or any file except the
// token cache, unless --show-tokens; `token` printing the access token alone on stdout is its contract.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, hasStackTrace, runCli, type CliResult } from '../support/cli.js';
import { BROWSER_SCRIPT, runBrowser } from '../support/idp-flow.js';
import { startIdp, type Idp } from '../support/idp.js';

let idp: Idp;
let dir: string;
let inputs: string;
let env: Record<string, string | undefined>;
/** name → value of every secret seen so far (values shorter than 8 characters are not tracked). */
const secrets = new Map<string, string>();
const leaks: string[] = [];

function remember(name: string, value: unknown) {
  if (typeof value === 'string' && value.length >= 8) secrets.set(`${name}#${secrets.size}`, value);
}

beforeAll(async () => {
  idp = await startIdp();
  // Whatever the IdP receives or issues at its token endpoint is a secret of this test.
  idp.provider.on('grant.success', (ctx: { oidc: { params: Record<string, unknown> }; body: Record<string, unknown> }) => {
    for (const name of ['code', 'code_verifier', 'client_assertion', 'refresh_token', 'client_secret', 'device_code']) remember(name, ctx.oidc.params[name]);
    for (const name of ['access_token', 'refresh_token', 'id_token']) remember(name, ctx.body?.[name]);
  });
  dir = await mkdtemp(join(tmpdir(), 'oidc-cli-secrets-'));
  inputs = await mkdtemp(join(tmpdir(), 'oidc-cli-secret-inputs-'));
  for (const sub of ['home', 'tmp', 'cwd']) await mkdir(join(dir, sub));
  env = {
    HOME: join(dir, 'home'),
    TMPDIR: join(dir, 'tmp'),
    XDG_CACHE_HOME: join(dir, 'cache'),
    XDG_CONFIG_HOME: join(dir, 'config'),
    OIDC_ISSUER: idp.issuer,
    OIDC_CLIENT_ID: undefined,
    OIDC_CLIENT_SECRET: undefined,
    BROWSER: undefined,
  };
  const { basic, post, machine, privateKeyJwt } = idp.clients;
  remember('basic client_secret', basic.client_secret);
  remember('post client_secret', post.client_secret);
  remember('machine client_secret', machine.client_secret);
  remember('private key d', privateKeyJwt.privateJwk.d);
  for (const line of privateKeyJwt.privateKeyPem.split('\n')) if (!line.startsWith('-----')) remember('private key PEM line', line);
  await writeFile(join(inputs, 'post-secret'), `${post.client_secret}\n`, { mode: 0o600 });
  await writeFile(join(inputs, 'client-key.pem'), privateKeyJwt.privateKeyPem, { mode: 0o600 });
});
afterAll(async () => {
  await idp?.close();
  await rm(dir, { recursive: true, force: true });
  await rm(inputs, { recursive: true, force: true });
});

const MODES: Array<[string, string[]]> = [
  ['human', []],
  ['json', ['--json']],
  ['-vv', ['-vv']],
];

function scan(label: string, text: string) {
  for (const [name, value] of secrets) if (text.includes(value)) leaks.push(`${label}: ${name.replace(/#\d+$/, '')}`);
}

async function run(label: string, args: string[], extraEnv: Record<string, string | undefined> = {}, stdin = ''): Promise<CliResult> {
  const result = await runCli(args, { env: { ...env, ...extraEnv }, cwd: join(dir, 'cwd'), stdin, timeoutMs: 60_000 });
  expect(hasStackTrace(result.stderr), `${label}\n${result.stderr}`).toBe(false);
  expect(result.stderr, label).not.toContain('internal error');
  scan(`${label} stderr`, result.stderr);
  // `token` in human mode exists to print the access token alone on stdout ($(oidc-cli token)).
  if (args[0] === 'token' && !args.includes('--json')) scan(`${label} stdout`, result.stdout.replace(result.stdout.trim(), ''));
  else scan(`${label} stdout`, result.stdout);
  return result;
}

async function filesOutsideTheCache(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(root, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    if (/^cache\/oidc-cli\/tokens\/[0-9a-f]{32}\.json$/.test(relative(dir, path))) continue;
    out.push(path);
  }
  return out;
}

/** `login --device`: approves the verification URI shown on stderr with browser.mjs, like a person would. */
function deviceLogin(label: string, args: string[], extraEnv: Record<string, string | undefined>): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const childEnv: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', ...env, ...extraEnv };
    for (const key of Object.keys(childEnv)) if (childEnv[key] === undefined) delete childEnv[key];
    const child = spawn(process.execPath, [BIN, 'login', '--device', ...args], { cwd: join(dir, 'cwd'), env: childEnv as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let approving = false;
    const timer = setTimeout(() => child.kill('SIGKILL'), 50_000);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      const complete = /or open: (\S+)/.exec(stderr)?.[1];
      if (complete && !approving) {
        approving = true;
        void runBrowser(complete);
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      expect(hasStackTrace(stderr), `${label}\n${stderr}`).toBe(false);
      scan(`${label} stderr`, stderr);
      scan(`${label} stdout`, stdout);
      resolve({ code, stdout, stderr, json: () => JSON.parse(stdout) });
    });
  });
}

const loginArgs = ['login', '--browser-command', `node ${BROWSER_SCRIPT}`, '--timeout', '30'];

describe('no secret leaks, in any mode, from any command', () => {
  it('login (browser and --device), token, refresh, userinfo, introspect, decode, revoke, discover, jwks, client credentials, check', { timeout: 600_000 }, async () => {
    const { basic, post, machine, privateKeyJwt } = idp.clients;
    const basicEnv = { OIDC_CLIENT_ID: basic.client_id, OIDC_CLIENT_SECRET: basic.client_secret };
    for (const [mode, flags] of MODES) {
      const ok = (label: string, result: CliResult, codes = [0]) => expect(codes, `${label} ${mode}\n${result.stderr}\n${result.stdout.slice(0, 2000)}`).toContain(result.code);
      const login = await run(`login basic ${mode}`, [...loginArgs, ...flags], basicEnv);
      ok('login basic', login);
      ok('login post', await run(`login post ${mode}`, [...loginArgs, '--client-id', post.client_id, '--client-auth', 'client_secret_post', '--client-secret-file', join(inputs, 'post-secret'), ...flags]));
      ok('login --device', await deviceLogin(`login --device ${mode}`, [...flags], basicEnv));
      ok('login private_key_jwt', await run(`login private_key_jwt ${mode}`, [...loginArgs, '--client-id', privateKeyJwt.client_id, '--client-auth', 'private_key_jwt', '--private-key', join(inputs, 'client-key.pem'), ...flags]));

      const token = await run(`token ${mode}`, ['token', ...flags], basicEnv);
      ok('token', token);
      if (mode !== 'json') expect([...secrets.values()]).toContain(token.stdout.trim());
      ok('refresh', await run(`refresh ${mode}`, ['refresh', ...flags], basicEnv), [0, 1]);
      ok('userinfo', await run(`userinfo ${mode}`, ['userinfo', ...flags], basicEnv), [0, 1]);
      ok('introspect', await run(`introspect ${mode}`, ['introspect', ...flags], basicEnv), [0, 1]);
      const cache = JSON.parse(await readFile(await cacheFile(), 'utf8')) as { id_token: string };
      ok('decode', await run(`decode ${mode}`, ['decode', '--issuer', idp.issuer, '--aud', basic.client_id, ...flags, '-'], {}, cache.id_token), [0, 1]);
      ok('revoke', await run(`revoke ${mode}`, ['revoke', ...flags], basicEnv), [0, 1]);

      ok('discover', await run(`discover ${mode}`, ['discover', ...flags], basicEnv));
      ok('jwks', await run(`jwks ${mode}`, ['jwks', ...flags], basicEnv));
      const machineEnv = { OIDC_CLIENT_ID: machine.client_id, OIDC_CLIENT_SECRET: machine.client_secret };
      ok('token client_credentials', await run(`token client_credentials ${mode}`, ['token', '--grant', 'client_credentials', ...flags], machineEnv), [0, 1]);
      ok('check', await run(`check client_credentials ${mode}`, ['check', ...flags], machineEnv), [0, 1]);
    }
    expect(secrets.size).toBeGreaterThan(40);
    expect(leaks).toEqual([]);

    // Files: config, cache, HOME, TMPDIR and the working directory hold no secret outside the token cache.
    for (const path of await filesOutsideTheCache(dir)) scan(`file ${relative(dir, path)}`, await readFile(path, 'utf8'));
    expect(leaks).toEqual([]);
  });

  it('--show-tokens is the one way to see them (so the scan above can fail)', { timeout: 120_000 }, async () => {
    const basicEnv = { OIDC_CLIENT_ID: idp.clients.basic.client_id, OIDC_CLIENT_SECRET: idp.clients.basic.client_secret };
    const login = await run('login --show-tokens', [...loginArgs, '--json', '-vv', '--show-tokens'], basicEnv);
    expect(login.code, login.stderr).toBe(0);
    const cache = JSON.parse(await readFile(await cacheFile(), 'utf8')) as { access_token: string; id_token: string };
    expect(login.stdout).toContain(cache.access_token);
    expect(login.stdout).toContain(cache.id_token);
    expect(leaks.length).toBeGreaterThan(0);
    leaks.length = 0;
  });
});

async function cacheFile(): Promise<string> {
  const tokens = join(dir, 'cache', 'oidc-cli', 'tokens');
  const { cacheFileName } = await import('../../src/store/cache.js');
  return join(tokens, cacheFileName({ issuer: idp.issuer, client_id: idp.clients.basic.client_id }));
}
