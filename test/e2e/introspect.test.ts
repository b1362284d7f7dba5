// introspect / refresh / revoke with each client authentication method of the harness IdP:
// private_key_jwt (a client assertion per request) and client_secret_post.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { BROWSER_SCRIPT } from '../support/idp-flow.js';
import { startIdp, type Idp } from '../support/idp.js';

let idp: Idp;
let home: string;

beforeAll(async () => {
  idp = await startIdp();
  home = await mkdtemp(join(tmpdir(), 'oidc-cli-introspect-'));
});
afterAll(async () => {
  await idp?.close();
  await rm(home, { recursive: true, force: true });
});

const failing = (stdout: string) => {
  try {
    return JSON.stringify(JSON.parse(stdout).checks.filter((c: { status: string }) => c.status !== 'pass' && c.status !== 'skip'));
  } catch {
    return stdout;
  }
};

async function lifecycle(env: Record<string, string>, auth: string[], method: string) {
  const login = await runCli(['login', ...auth, '--browser-command', `node ${BROWSER_SCRIPT}`], { env, timeoutMs: 30_000 });
  expect(login.code, login.stderr).toBe(0);
  for (const command of ['introspect', 'refresh', 'userinfo', 'revoke']) {
    const result = await runCli([command, ...auth, '--json', '-v'], { env });
    expect(result.code, `${command}: ${failing(result.stdout)} ${result.stderr}`).toBe(0);
    expect(result.stderr, command).toContain(`authentication ${method}`);
  }
}

describe('client authentication at introspection, refresh and revocation', () => {
  it('private_key_jwt', async () => {
    const key = join(home, 'client.pem');
    await writeFile(key, idp.clients.privateKeyJwt.privateKeyPem, { mode: 0o600 });
    const env = { XDG_CACHE_HOME: join(home, 'jwt'), XDG_CONFIG_HOME: join(home, 'jwt'), OIDC_ISSUER: idp.issuer, OIDC_CLIENT_ID: idp.clients.privateKeyJwt.client_id };
    await lifecycle(env, ['--private-key', key], 'private_key_jwt');
  });

  it('client_secret_post (secret from a file)', async () => {
    const secret = join(home, 'post.secret');
    await writeFile(secret, `${idp.clients.post.client_secret}\n`, { mode: 0o600 });
    const env = { XDG_CACHE_HOME: join(home, 'post'), XDG_CONFIG_HOME: join(home, 'post'), OIDC_ISSUER: idp.issuer, OIDC_CLIENT_ID: idp.clients.post.client_id };
    await lifecycle(env, ['--client-secret-file', secret, '--client-auth', 'client_secret_post'], 'client_secret_post');
  });

  it('a confidential client is not held to rotation unless asked (--expect-rotation)', async () => {
    const env = { XDG_CACHE_HOME: join(home, 'basic'), XDG_CONFIG_HOME: join(home, 'basic'), OIDC_ISSUER: idp.issuer, OIDC_CLIENT_ID: idp.clients.basic.client_id, OIDC_CLIENT_SECRET: idp.clients.basic.client_secret };
    const login = await runCli(['login', '--browser-command', `node ${BROWSER_SCRIPT}`], { env, timeoutMs: 30_000 });
    expect(login.code, login.stderr).toBe(0);
    const result = await runCli(['refresh', '--expect-rotation', '--json'], { env });
    expect(result.code).toBe(0);
    expect(result.json().rotation).toEqual({ rotated: true, expected: true });
  });
});
