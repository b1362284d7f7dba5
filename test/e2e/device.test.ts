// `login --device` (RFC 8628) against the real IdP: the test reads the user code from stderr, as a
// person would, and approves it over plain HTTP on the verification URI (browser.mjs).
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTokens } from '../../src/store/cache.js';
import { BIN, ROOT, runCli } from '../support/cli.js';
import { runBrowser } from '../support/idp-flow.js';
import { startIdp, type Idp } from '../support/idp.js';

let idp: Idp;
let home: string;
let env: Record<string, string>;

beforeAll(async () => {
  idp = await startIdp();
  home = await mkdtemp(join(tmpdir(), 'oidc-cli-device-'));
  env = { XDG_CACHE_HOME: join(home, 'cache'), XDG_CONFIG_HOME: join(home, 'config'), OIDC_ISSUER: idp.issuer, NO_COLOR: '1' };
});
afterAll(async () => {
  await idp?.close();
  await rm(home, { recursive: true, force: true });
});

interface DeviceRun {
  code: number | null;
  stdout: string;
  stderr: string;
  approval: { code: number | null; stderr: string } | undefined;
}

/** Runs `login --device`, waits for the verification URI on stderr, then approves (or denies) it. */
function deviceLogin(args: string[], browserEnv: Record<string, string> = {}): Promise<DeviceRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'login', '--device', ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let approval: Promise<DeviceRun['approval']> | undefined;
    const timer = setTimeout(() => child.kill('SIGKILL'), 25_000);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      const complete = /or open: (\S+)/.exec(stderr)?.[1];
      if (complete && !approval) approval = runBrowser(complete, browserEnv);
    });
    child.on('error', reject);
    child.on('close', async (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, approval: await approval });
    });
  });
}

describe('login --device', () => {
  it('shows the code, polls until approved, validates and caches the tokens', async () => {
    const run = await deviceLogin(['--client-id', idp.clients.public.client_id, '--json', '-v']);
    expect(run.approval?.code, run.approval?.stderr).toBe(0);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/To sign in, open http:\/\/127\.0\.0\.1:\d+\/device and enter the code [A-Z]{4}-[A-Z]{4}/);
    const report = JSON.parse(run.stdout);
    expect(report.mode).toBe('device');
    const status = (id: string) => report.checks.find((c: { id: string }) => c.id === id)?.status;
    expect(status('device.authorization_response')).toBe('pass');
    expect(status('device.poll_errors')).toBe('pass');
    expect(status('token_response.status')).toBe('pass');
    expect(status('id_token.signature')).toBe('pass');
    expect(report.id_token_claims.sub).toBe(idp.users.demo.sub);
    expect(report.cache).toMatchObject({ saved: true, flagged: false, failed_checks: [] });
    const entry = await loadTokens({ issuer: idp.issuer, client_id: idp.clients.public.client_id }, { env });
    expect(entry?.refresh_token).toBeTruthy();
    // The device code is a credential: never shown.
    expect(run.stderr).toMatch(/device_code=\S{6}…\[redacted/);
    expect(run.stdout + run.stderr).not.toMatch(/device_code=[A-Za-z0-9_-]{20,}/);
  });

  it('a sign-in refused on the other device ends with exit 4 and says access_denied', async () => {
    const run = await deviceLogin(['--client-id', idp.clients.public.client_id], { OIDC_TEST_BROWSER_MODE: 'deny' });
    expect(run.code, run.stderr).toBe(4);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/refused on the other device \(access_denied\)/);
  });

  it('Ctrl-C while polling ends at once with exit 4', async () => {
    const child = spawn(process.execPath, [BIN, 'login', '--device', '--client-id', idp.clients.public.client_id], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    await new Promise<void>((resolve) => {
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
        if (stderr.includes('or open: ')) resolve();
      });
    });
    child.kill('SIGINT');
    expect(await exited).toBe(4);
    expect(stderr).toMatch(/cancelled/i);
  });

  it('an IdP without device authorization is a usage error naming the missing endpoint', async () => {
    const { startBadLifecycleIdp } = await import('../support/lifecycle-bad-idp.js');
    const bad = await startBadLifecycleIdp({});
    try {
      const result = await runCli(['login', '--device', '--issuer', bad.issuer, '--client-id', 'app'], { env });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/advertises no device_authorization_endpoint/);
    } finally {
      await bad.close();
    }
  });
});
