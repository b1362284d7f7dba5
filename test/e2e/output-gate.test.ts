// What leaves the process (stdout, stderr, --json, --junit, -v traces) goes through one gate: every value
// the run knows to be secret is masked there, whatever path printed it (check messages quoting an IdP that
// echoes the request, live steps, the last error line), terminal controls never reach stderr raw, JSON
// escapes C1 and U+2028/2029, and a stdout or --junit file that cannot be written never exits 0.
import { spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formUrlEncode } from '../../src/core/client-auth.js';
import { saveTokens } from '../../src/store/cache.js';
import { BIN, ROOT, hasStackTrace, runCli, type CliResult } from '../support/cli.js';
import { generateSigningKey } from '../support/keys.js';
import { CONTROL_TOKEN, ECHOED_SECRET, withScriptedIdp, type ScriptedIdp } from '../support/scripted-idp.js';
import { b64u } from '../support/tokens.js';

const BROWSER = 'node dist/test/support/scripted-idp.js browse';
// Characters that change under form encoding and in JSON, so every form of the secret is exercised.
const CLIENT_SECRET = 'Sup3r/Secret+Value=42&x~"q\\z';
let dir: string;
let env: Record<string, string | undefined>;
let pem: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oidc-cli-output-gate-'));
  env = { XDG_CACHE_HOME: join(dir, 'cache'), XDG_CONFIG_HOME: join(dir, 'config'), BROWSER: undefined, OIDC_CLIENT_SECRET: undefined, OIDC_ISSUER: undefined, OIDC_CLIENT_ID: undefined };
  await writeFile(join(dir, 'secret'), `${CLIENT_SECRET}\n`, { mode: 0o600 });
  pem = (await generateSigningKey('ES256')).privateKeyPem;
  await writeFile(join(dir, 'key.pem'), pem, { mode: 0o600 });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const withIdp = withScriptedIdp;

/** Every secret value the IdP has seen so far, in each form an echo could carry it. */
function secretsSeen(idp: ScriptedIdp): string[] {
  const values = [CLIENT_SECRET, formUrlEncode(CLIENT_SECRET), encodeURIComponent(CLIENT_SECRET), JSON.stringify(CLIENT_SECRET).slice(1, -1)];
  for (const line of pem.split('\n')) if (line.length > 20 && !line.startsWith('-----')) values.push(line);
  for (const { form, authorization } of idp.tokenRequests) {
    for (const name of ['code', 'code_verifier', 'client_assertion', 'refresh_token', 'client_secret', 'token']) {
      const value = form.get(name);
      if (value) values.push(value, formUrlEncode(value));
    }
    if (authorization) values.push(authorization.replace(/^Basic /, ''));
  }
  return values;
}

function leaksIn(texts: string[], secrets: string[]): string[] {
  const all = texts.join('\n');
  return secrets.filter((secret) => all.includes(secret)).map((secret) => `${secret.slice(0, 4)}… (${secret.length} chars)`);
}

const MODES: string[][] = [[], ['--json'], ['-v'], ['-vv', '--json']];
const loginArgs = (idp: ScriptedIdp) => ['login', '--issuer', idp.issuer, '--client-id', idp.client_id, '--browser-command', BROWSER, '--timeout', '20'];
const run = (args: string[], timeoutMs = 30_000) => runCli(args, { env, timeoutMs });

function noStackTrace(result: CliResult) {
  expect(hasStackTrace(result.stderr), result.stderr).toBe(false);
  expect(result.stderr).not.toContain('internal error');
}

describe('secrets echoed back by the IdP stay hidden', () => {
  // How the live steps show the client's credential: no character of a secret, not even a prefix.
  const AUTH: Array<[string, string[], RegExp]> = [
    ['client_secret_post', ['--client-auth', 'client_secret_post', '--client-secret-file', join('DIR', 'secret')], /^ {2}client_secret=\[redacted\]$/m],
    ['client_secret_basic', ['--client-auth', 'client_secret_basic', '--client-secret-file', join('DIR', 'secret')], /^ {2}Authorization: Basic \[redacted\]$/m],
    ['private_key_jwt', ['--client-auth', 'private_key_jwt', '--private-key', join('DIR', 'key.pem')], /^ {2}client_assertion=\[redacted\]$/m],
  ];
  for (const [method, auth, shown] of AUTH) {
    it(`login with ${method}: the token endpoint quoting the request (secret, code, code_verifier, assertion) shows none of them`, { timeout: 120_000 }, async () => {
      await withIdp('echo_request', async (idp) => {
        const outputs: string[] = [];
        for (const mode of MODES) {
          const result = await run([...loginArgs(idp), ...auth.map((a) => a.replace('DIR', dir)), ...mode]);
          noStackTrace(result);
          expect(result.code, result.stderr).toBe(1);
          if (mode.length === 0) {
            expect(result.stderr).toMatch(shown);
            expect(result.stderr).toMatch(/^ {2}code_verifier=\[redacted\]$/m);
          }
          outputs.push(result.stdout, result.stderr);
        }
        // The echo is shown (so the scan can fail), with the secrets in it masked.
        expect(outputs.join('\n')).toContain('rejected: ');
        // One code redemption per run; the invalid_client diagnosis adds refresh_token requests that
        // carry the secret in more forms (raw Basic among them), and the scan covers those too.
        expect(idp.tokenRequests.filter(({ form }) => form.get('grant_type') === 'authorization_code').length).toBe(MODES.length);
        expect(leaksIn(outputs, secretsSeen(idp))).toEqual([]);
      });
    });
  }

  it('refresh, introspect, revoke: an IdP quoting the refresh or access token and the Basic credential shows none', { timeout: 180_000 }, async () => {
    await withIdp('echo_refresh', async (idp) => {
      const auth = ['--client-auth', 'client_secret_basic', '--client-secret-file', join(dir, 'secret')];
      const login = await run([...loginArgs(idp), ...auth]);
      expect(login.code, login.stderr).toBe(0);
      const outputs = [login.stdout, login.stderr];
      for (const command of ['refresh', 'introspect', 'revoke']) {
        for (const mode of MODES) {
          const result = await run([command, '--issuer', idp.issuer, '--client-id', idp.client_id, ...auth, ...mode]);
          noStackTrace(result);
          expect(result.code, `${command}: ${result.stderr}`).not.toBe(0);
          outputs.push(result.stdout, result.stderr);
        }
      }
      expect(idp.tokenRequests.filter(({ form }) => form.has('token')).length).toBeGreaterThanOrEqual(2 * MODES.length);
      expect(outputs.join('\n')).toContain('rejected: ');
      expect(idp.tokenRequests.some(({ form }) => form.get('grant_type') === 'refresh_token')).toBe(true);
      expect(leaksIn(outputs, secretsSeen(idp))).toEqual([]);
    });
  });

  it('check --junit: the JUnit file, the report and the live steps hold no echoed secret', { timeout: 120_000 }, async () => {
    await withIdp('echo_request', async (idp) => {
      const outputs: string[] = [];
      for (const mode of [[], ['--json']]) {
        const junit = join(dir, `report-${mode.length}.xml`);
        const result = await run(['check', '--issuer', idp.issuer, '--client-id', idp.client_id, '--client-secret-file', join(dir, 'secret'), '--junit', junit, ...mode], 60_000);
        noStackTrace(result);
        expect(result.code, result.stderr).toBe(1);
        const xml = await readFile(junit, 'utf8');
        expect(xml).toContain('rejected: ');
        outputs.push(result.stdout, result.stderr, xml);
      }
      expect(leaksIn(outputs, secretsSeen(idp))).toEqual([]);
    });
  });

  it('the last error line (a text answer quoting the secret, C1 controls in its type and body) shows neither', { timeout: 60_000 }, async () => {
    await withIdp('echo_text', async (idp) => {
      await writeFile(join(dir, 'echoed-secret'), ECHOED_SECRET, { mode: 0o600 });
      for (const mode of [[], ['-v']]) {
        const result = await run([...loginArgs(idp), '--client-auth', 'client_secret_post', '--client-secret-file', join(dir, 'echoed-secret'), ...mode]);
        noStackTrace(result);
        expect(result.code, result.stderr).toBe(3);
        expect(result.stderr).toMatch(/oidc-cli: .*not JSON/);
        expect(result.stderr).toContain('rejected: ');
        expect(result.stderr).not.toMatch(/[\u0080-\u009f\u001b]/);
        expect(result.stderr).toContain('\\x9b');
        expect(leaksIn([result.stdout, result.stderr], [ECHOED_SECRET, formUrlEncode(ECHOED_SECRET)])).toEqual([]);
      }
    });
  });
});

describe('a private key file that does not parse', () => {
  it('is reported without quoting any of its content (JSON.parse quotes the text near the error)', async () => {
    const keyMaterial = 'q7LmSECRETkeyMATERIALnotToBeShown0123456789';
    for (const [name, text] of [['bad-key.json', `{"kty": "EC", "d": ${keyMaterial}}`], ['bad-key2.json', `{${keyMaterial}`]]) {
      await writeFile(join(dir, name!), text!, { mode: 0o600 });
      const result = await run(['login', '--issuer', 'http://127.0.0.1:9', '--client-id', 'c', '--client-auth', 'private_key_jwt', '--private-key', join(dir, name!), '--browser-command', 'true']);
      noStackTrace(result);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toMatch(/--private-key: .* is not a private key/);
      expect(result.stderr).not.toContain(keyMaterial.slice(0, 8));
    }
  });
});

describe('front-channel tokens are redacted and fail a check', () => {
  it('id_token and access_token in the callback of a code-only request: authorization.front_channel_tokens fails, no token printed', { timeout: 60_000 }, async () => {
    await withIdp('front_channel_tokens', async (idp) => {
      const outputs: string[] = [];
      for (const mode of [[], ['--json'], ['-v']]) {
        const result = await run([...loginArgs(idp), ...mode]);
        noStackTrace(result);
        expect(result.code, result.stderr).toBe(1);
        if (mode[0] === '--json') {
          const failed = result.json<{ checks: Array<{ id: string; status: string }> }>().checks.filter((c) => c.status === 'fail').map((c) => c.id);
          expect(failed).toContain('authorization.front_channel_tokens');
        }
        outputs.push(result.stdout, result.stderr);
      }
      expect(idp.frontChannelTokens.length).toBeGreaterThan(0);
      expect(leaksIn(outputs, idp.frontChannelTokens)).toEqual([]);
      expect(outputs.join('\n')).toContain('access_token');
    });
  });
});

describe('terminal-safe everywhere', () => {
  it('a token with controls outside VSCHAR fails token_response.token_syntax at login and `token` refuses to print it', { timeout: 60_000 }, async () => {
    await withIdp('token_controls', async (idp) => {
      const login = await run([...loginArgs(idp), '--json']);
      noStackTrace(login);
      expect(login.code, login.stderr).toBe(1);
      const failed = login.json<{ checks: Array<{ id: string; status: string }> }>().checks.filter((c) => c.status === 'fail').map((c) => c.id);
      expect(failed).toContain('token_response.token_syntax');
      expect(login.stderr).not.toMatch(/[\u0080-\u009f\u001b\u0007]/);
      // From the cache (a token cached before this check existed) and straight from a client_credentials grant.
      await saveTokens({ issuer: idp.issuer, client_id: idp.client_id, access_token: CONTROL_TOKEN, obtained_at: Math.floor(Date.now() / 1000), expires_at: Math.floor(Date.now() / 1000) + 600 }, { env: env as NodeJS.ProcessEnv });
      const client = ['--issuer', idp.issuer, '--client-id', idp.client_id];
      const runs: Array<[string, string[]]> = [
        ['cache', ['token', ...client]],
        ['cache --json --show-tokens', ['token', ...client, '--json', '--show-tokens']],
        ['client_credentials', ['token', '--grant', 'client_credentials', '--issuer', idp.issuer, '--client-id', 'machine', '--client-secret-file', join(dir, 'secret')]],
      ];
      for (const [label, args] of runs) {
        const token = await run(args);
        noStackTrace(token);
        expect(token.code, `${label}: ${token.stderr}`).toBe(2);
        // Never the token; with --json, the one document that says why (no token in it).
        expect(token.stdout, label).not.toContain('abcdefgh');
        if (label.includes('--json')) expect(token.json()).toMatchObject({ ok: false, error: { code: 'INPUT', exit_code: 2 } });
        else expect(token.stdout, label).toBe('');
        expect(token.stderr, label).toMatch(/^oidc-cli: .*outside RFC 6749's VSCHAR/m);
        expect(token.stderr, label).not.toMatch(/[\u0080-\u009f\u001b\u0007]/);
      }
    });
  });

  it('--json escapes C1 controls and U+2028/U+2029, and the value still parses back exactly', async () => {
    const sub = 'a\u009b2Jb\u2028c\u2029d\u0085e';
    const token = `${b64u('{"alg":"none","typ":"JWT"}')}.${b64u(JSON.stringify({ sub, iss: 'https://x.example' }))}.`;
    const result = await run(['decode', '--json', token]);
    expect(result.stdout).not.toMatch(/[\u0080-\u009f\u2028\u2029]/);
    expect(result.stdout).toContain('\\u009b');
    expect(result.json<{ payload: { sub: string } }>().payload.sub).toBe(sub);
    const human = await run(['decode', token]);
    expect(human.stdout + human.stderr).not.toMatch(/[\u0080-\u009f]/);
  });

  it('a newline, a right-to-left override or a line separator inside a server value cannot forge a report line (human, stdout and stderr)', { timeout: 60_000 }, async () => {
    const forged = '\n  ✔ id_token.signature  SPOOFED verified';
    await withScriptedIdp(
      'none',
      async (idp) => {
        const result = await run(['login', '--issuer', idp.issuer, '--client-id', idp.client_id, '--browser-command', BROWSER, '--timeout', '20']);
        for (const [stream, text] of [['stdout', result.stdout], ['stderr', result.stderr]] as const) {
          expect(text, stream).not.toMatch(/^\s*✔ id_token\.signature +SPOOFED/m);
          expect(text, stream).not.toMatch(/[\u202e\u2028\u2029]/);
        }
        expect(result.stdout).toContain('\\n  ✔ id_token.signature  SPOOFED');
      },
      { tokenResponse: { token_type: `Bearer${forged}`, scope: `openid\u202e evil\u2028line` } },
    );
  });
});

/** Spawns the binary with stdout on /dev/full, or on a pipe whose reading end is closed at once. */
function runBroken(args: string[], stdout: 'full' | 'closed', stdin = ''): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const childEnv: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', ...env };
    for (const key of Object.keys(childEnv)) if (childEnv[key] === undefined) delete childEnv[key];
    const full = stdout === 'full' ? openSync('/dev/full', 'w') : undefined;
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: childEnv as NodeJS.ProcessEnv, stdio: ['pipe', full ?? 'pipe', 'pipe'] });
    if (full !== undefined) closeSync(full);
    child.stdout?.destroy();
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
    child.stdin!.on('error', () => undefined);
    child.stdin!.end(stdin);
  });
}

describe('one document per run', () => {
  it('--json on a run that cannot complete still prints one JSON document with the error, masked, and the exit code', async () => {
    const result = await run(['discover', '--issuer', 'http://127.0.0.1:9', '--json']);
    expect(result.code).toBe(3);
    expect(result.json()).toMatchObject({ command: 'discover', ok: false, error: { code: 'NETWORK', exit_code: 3 }, checks: [] });
    expect(result.stderr).toMatch(/^oidc-cli: connection refused/m);
  });
});

describe('exit codes survive a broken stdout', () => {
  const expired = `${b64u('{"alg":"none"}')}.${b64u(JSON.stringify({ sub: 'x', exp: 1000, iss: 'https://x.example' }))}.`;
  const fine = `${b64u('{"alg":"none"}')}.${b64u(JSON.stringify({ sub: 'x', iss: 'https://x.example' }))}.`;

  it('stdout on a full disk (/dev/full): exit 3 with one line on stderr, --json or not', async () => {
    for (const mode of [['--json'], []]) {
      const result = await runBroken(['decode', ...mode, fine], 'full');
      expect(result.code, result.stderr).toBe(3);
      expect(result.stderr.trim().split('\n').filter((line) => line.startsWith('oidc-cli:'))).toHaveLength(1);
      expect(result.stderr).toMatch(/oidc-cli: cannot write .*stdout.*ENOSPC/);
      expect(hasStackTrace(result.stderr)).toBe(false);
    }
  });

  it('decode into a closed pipe: a failed check is never exit 0, and lost output is not a success', async () => {
    const failing = await runBroken(['decode', expired], 'closed');
    expect(failing.code, failing.stderr).toBe(1);
    const lost = await runBroken(['decode', '--json', fine], 'closed');
    expect(lost.code, lost.stderr).toBe(1);
    const batch = await runBroken(['decode', '-'], 'closed', `${fine}\n`.repeat(2000));
    expect(batch.code, batch.stderr).toBe(1);
    expect(hasStackTrace(failing.stderr + lost.stderr + batch.stderr)).toBe(false);
  });

  it('check > /dev/full exits 3, and a --junit file on a full disk exits 3 with one line', { timeout: 60_000 }, async () => {
    await withIdp('echo_request', async (idp) => {
      const args = ['check', '--issuer', idp.issuer, '--client-id', idp.client_id, '--client-secret-file', join(dir, 'secret')];
      const toFull = await runBroken([...args, '--json'], 'full');
      expect(toFull.code, toFull.stderr).toBe(3);
      // A symlink to /dev/full: the JUnit file is written through to the device, never renamed over it.
      const link = join(dir, 'full.xml');
      await symlink('/dev/full', link).catch(() => undefined);
      const junit = await run([...args, '--junit', link]);
      expect(junit.code, junit.stderr).toBe(3);
      expect(junit.stderr).toMatch(/oidc-cli: --junit: cannot write .*ENOSPC/);
      expect(hasStackTrace(junit.stderr)).toBe(false);
    });
  });
});
