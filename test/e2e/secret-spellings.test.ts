// A secret is hidden in whatever spelling it comes back in (docs/security.md "Secrets stay redacted"):
// an IdP quoting the request in an error body uses its framework's encoding — percent-encoding in lower
// case, HTML character references, JSON's \/ and \u escapes, base64 of the secret or of the Basic
// credential, padded or not, in either alphabet, or base64 of a longer blob around it. Secrets show no
// character even when an IdP hands one back as a token, and a JWT in the front channel is a token
// whatever its parameter is called. Every output is scanned: stdout, stderr, --json, -vv, JUnit, SARIF.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasStackTrace, runCli, type CliResult } from '../support/cli.js';
import { generateSigningKey } from '../support/keys.js';
import { ECHOED_SECRET, withScriptedIdp, type ScriptedIdp } from '../support/scripted-idp.js';

const BROWSER = 'node dist/test/support/scripted-idp.js browse';
/** The security tester's secret: "/", "+" and "=" change under every encoding. */
const SECRET = 'Xy7/AbC+dEf9=gHiJkLmNoPq';
/** A window this long of a spelling may not survive anywhere (a redacted token keeps 6 characters). */
const WINDOW = 12;
let dir: string;
let env: Record<string, string | undefined>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oidc-cli-spellings-'));
  env = { XDG_CACHE_HOME: join(dir, 'cache'), XDG_CONFIG_HOME: join(dir, 'config'), BROWSER: undefined, OIDC_CLIENT_SECRET: undefined, OIDC_ISSUER: undefined, OIDC_CLIENT_ID: undefined };
  await writeFile(join(dir, 'secret'), SECRET, { mode: 0o600 });
  await writeFile(join(dir, 'echoed-secret'), ECHOED_SECRET, { mode: 0o600 });
  await writeFile(join(dir, 'key.pem'), (await generateSigningKey('ES256')).privateKeyPem, { mode: 0o600 });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const withIdp = withScriptedIdp;

const run = (args: string[], timeoutMs = 30_000) => runCli(args, { env, timeoutMs });
const loginArgs = (idp: ScriptedIdp) => ['login', '--issuer', idp.issuer, '--client-id', idp.client_id, '--browser-command', BROWSER, '--timeout', '20'];
const MODES: string[][] = [[], ['--json'], ['-vv'], ['-vv', '--json']];

function noStackTrace(result: CliResult) {
  expect(hasStackTrace(result.stderr), result.stderr).toBe(false);
  expect(result.stderr).not.toContain('internal error');
}

/** Every string of a JSON document, and the text of an XML one, unescaped: a leak may hide behind \" or &amp;. */
function readable(text: string): string {
  const out = [text];
  try {
    const strings: string[] = [];
    JSON.parse(text, (_key, value: unknown) => (typeof value === 'string' && strings.push(value), value));
    out.push(...strings);
  } catch {
    // not one JSON document
  }
  if (text.startsWith('<?xml')) out.push(text.replace(/&(lt|gt|quot|apos|amp);/g, (_m, name: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[name]!));
  return out.join('\n');
}

/** Each labelled spelling of which some WINDOW-character stretch survives in the outputs. */
function leaksIn(outputs: string[], spellings: Array<[string, string]>): string[] {
  const all = outputs.map(readable).join('\n');
  const found = new Set<string>();
  for (const [label, value] of spellings) {
    for (let i = 0; i + WINDOW <= value.length; i += 1) if (all.includes(value.slice(i, i + WINDOW))) found.add(`${label} (at ${i}: ${value.slice(i, i + WINDOW)})`);
  }
  return [...found];
}

describe('an IdP quoting the credentials back in other spellings', () => {
  const AUTH: Array<[string, string[]]> = [
    ['client_secret_basic', ['--client-auth', 'client_secret_basic', '--client-secret-file', 'DIR/secret']],
    ['client_secret_post', ['--client-auth', 'client_secret_post', '--client-secret-file', 'DIR/secret']],
    ['private_key_jwt', ['--client-auth', 'private_key_jwt', '--private-key', 'DIR/key.pem']],
  ];
  for (const [method, auth] of AUTH) {
    it(`login with ${method}: secret, Basic credential, code, code_verifier and assertion in every spelling are masked in every mode`, { timeout: 120_000 }, async () => {
      await withIdp('echo_encoded', async (idp) => {
        const outputs: string[] = [];
        for (const mode of MODES) {
          const result = await run([...loginArgs(idp), ...auth.map((a) => a.replace('DIR', dir)), '--no-diagnose', ...mode]);
          noStackTrace(result);
          expect(result.code, result.stderr).toBe(1);
          // The echo is shown (so the scan can fail), its spellings masked.
          expect(result.stdout + result.stderr).toContain('code_verifier base64=');
          outputs.push(result.stdout, result.stderr);
        }
        const labels = new Set(idp.echoed.map(([label]) => label));
        if (method !== 'private_key_jwt') expect(labels).toContain('client_secret html-hex-upper');
        if (method === 'client_secret_basic') expect(labels).toContain('basic-raw-id-secret');
        if (method === 'private_key_jwt') expect(labels).toContain('client_assertion base64-offset-2');
        expect(leaksIn(outputs, idp.echoed)).toEqual([]);
      });
    });
  }

  it('check --junit --sarif: the report files, the report and the live steps hold no spelling of a secret', { timeout: 120_000 }, async () => {
    await withIdp('echo_encoded', async (idp) => {
      const outputs: string[] = [];
      for (const mode of [[], ['--json'], ['-vv']]) {
        const files = { junit: join(dir, `echo-${mode.length}.xml`), sarif: join(dir, `echo-${mode.length}.sarif`) };
        const result = await run(['check', '--issuer', idp.issuer, '--client-id', idp.client_id, '--client-secret-file', join(dir, 'secret'), '--junit', files.junit, '--sarif', files.sarif, ...mode], 60_000);
        noStackTrace(result);
        expect(result.code, result.stderr).toBe(1);
        const junit = await readFile(files.junit, 'utf8');
        const sarif = await readFile(files.sarif, 'utf8');
        expect(junit).toContain('client_secret base64=');
        expect(sarif).toContain('client_secret base64=');
        outputs.push(result.stdout, result.stderr, junit, sarif);
      }
      expect(idp.echoed.length).toBeGreaterThan(0);
      expect(leaksIn(outputs, idp.echoed)).toEqual([]);
    });
  });

  it('the front channel: an error_description quoting the client secret in every spelling', { timeout: 60_000 }, async () => {
    await withIdp('front_channel_error_echo', async (idp) => {
      const outputs: string[] = [];
      for (const mode of MODES) {
        const result = await run([...loginArgs(idp), '--client-secret-file', join(dir, 'echoed-secret'), ...mode]);
        noStackTrace(result);
        expect(result.code, result.stderr).toBe(1);
        if (mode.includes('--json')) {
          const failed = result.json<{ checks: Array<{ id: string; status: string; message: string }> }>().checks.find((c) => c.id === 'authorization.error');
          expect(failed?.status).toBe('fail');
          expect(failed?.message).toContain('base64=');
        }
        outputs.push(result.stdout, result.stderr);
      }
      expect(leaksIn(outputs, idp.echoed)).toEqual([]);
    });
  });
});

describe('a secret handed back as a token shows no character', () => {
  it('access_token = the client secret, refresh_token = the code_verifier and more: [redacted], no prefix; the ID token keeps its prefix', { timeout: 60_000 }, async () => {
    await withIdp('echo_as_token', async (idp) => {
      const outputs: string[] = [];
      for (const mode of MODES) {
        const result = await run([...loginArgs(idp), '--client-auth', 'client_secret_post', '--client-secret-file', join(dir, 'secret'), ...mode]);
        noStackTrace(result);
        expect([0, 1], result.stderr).toContain(result.code);
        if (mode.length === 0) {
          expect(result.stdout).toMatch(/^ {2}access_token\s+\[redacted\]$/m);
          expect(result.stdout).toMatch(/^ {2}refresh_token\s+\[redacted\]$/m);
          // Tokens that are not secrets still keep their prefix, so two can be told apart.
          expect(result.stdout).toMatch(/^ {2}id_token\s+eyJhbG…\[redacted \d+ chars\]$/m);
        }
        if (mode[0] === '--json') expect(result.json<{ tokens: Record<string, string> }>().tokens).toMatchObject({ access_token: '[redacted]', refresh_token: '[redacted]' });
        outputs.push(result.stdout, result.stderr);
      }
      const verifier = idp.tokenRequests[0]!.form.get('code_verifier')!;
      const all = outputs.map(readable).join('\n');
      expect(all).not.toContain(SECRET.slice(0, 4));
      expect(all).not.toContain(verifier.slice(0, 6));
    });
  });
});

describe('a JWT in the front channel is a credential, whatever its name', () => {
  it('response= (JARM), jwt=, assertion= and a JWE under another name: masked everywhere, and authorization.front_channel_tokens fails', { timeout: 60_000 }, async () => {
    await withIdp('front_channel_jwts', async (idp) => {
      const outputs: string[] = [];
      for (const mode of [...MODES, ['-v']]) {
        const result = await run([...loginArgs(idp), ...mode]);
        noStackTrace(result);
        expect(result.code, result.stderr).toBe(1);
        if (mode[0] === '--json') {
          const check = result.json<{ checks: Array<{ id: string; status: string; message: string }> }>().checks.find((c) => c.id === 'authorization.front_channel_tokens');
          expect(check?.status).toBe('fail');
          for (const name of ['response', 'jwt', 'assertion', 'vendor_result']) expect(check?.message).toContain(name);
        }
        outputs.push(result.stdout, result.stderr);
      }
      expect(idp.frontChannelTokens).toHaveLength(4 * (MODES.length + 1));
      expect(leaksIn(outputs, idp.frontChannelTokens.map((token, i) => [`front-channel token ${i}`, token]))).toEqual([]);
    });
  });
});
