// One real browser: headless Chromium (Debian's, via playwright-core) opens the authorization URL the
// CLI printed, signs in on the IdP's page, and the CLI's report comes back ok. Skipped, with the reason,
// when Chromium is not installed (.ci/run installs it).
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_PATH, chromiumUnavailable, signInWithChromium } from '../support/chromium.js';
import { BIN, ROOT } from '../support/cli.js';
import { startIdp, type Idp } from '../support/idp.js';
import { startScriptedIdp } from '../support/scripted-idp.js';

const unavailable = await chromiumUnavailable();
let idp: Idp;
let dir: string;

beforeAll(async () => {
  if (unavailable) return;
  idp = await startIdp();
  dir = await mkdtemp(join(tmpdir(), 'oidc-cli-chromium-login-'));
});
afterAll(async () => {
  await idp?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Starts `oidc-cli login --no-browser ...`, resolves the authorization URL it prints, then its outcome. */
function startLogin(args: string[]) {
  const child = spawn(process.execPath, [BIN, 'login', '--no-browser', '--timeout', '40', '--json', ...args], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1', XDG_CACHE_HOME: join(dir, 'cache'), BROWSER: '' } as NodeJS.ProcessEnv,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const url = new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /Open this URL in a browser to sign in:\n {2}(\S+)/.exec(stderr);
      if (match) resolve(match[1]!);
    });
    child.on('close', () => reject(new Error(`login exited before printing the URL:\n${stderr}`)));
  });
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return { url, done };
}

describe('login in a real browser (headless Chromium)', () => {
  it.skipIf(unavailable !== undefined)(`signs in on the IdP's page and the report comes back ok${unavailable ? ` — skipped: ${unavailable}` : ''}`, async () => {
    const login = startLogin(['--issuer', idp.issuer, '--client-id', idp.clients.public.client_id]);
    const signIn = await signInWithChromium(await login.url, { timeoutMs: 30_000 });
    expect(signIn.landedOn.pathname).toBe('/callback');
    const result = await login.done;
    expect(result.code, result.stderr).toBe(0);
    const doc = JSON.parse(result.stdout) as { ok: boolean; id_token: { payload: { sub: string } } };
    expect(doc.ok).toBe(true);
    expect(doc.id_token.payload.sub).toBe(idp.users.demo.sub);
  }, 60_000);

  it.skipIf(unavailable !== undefined)(`the listener's page relays a code sent in the fragment, which is then refused${unavailable ? ` — skipped: ${unavailable}` : ''}`, async () => {
    const scripted = await startScriptedIdp('code_in_fragment');
    const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
    try {
      const login = startLogin(['--issuer', scripted.issuer, '--client-id', scripted.client_id]);
      const page = await browser.newPage();
      await page.goto(await login.url);
      // The relay script posts the fragment back; the listener answers with its verdict page.
      await page.waitForFunction(() => document.title.includes('Authorization response rejected'), undefined, { timeout: 20_000 });
      expect(await page.textContent('body')).not.toMatch(/code=/);
      const result = await login.done;
      expect(result.code).toBe(1);
      const doc = JSON.parse(result.stdout) as { checks: Array<{ id: string; status: string }> };
      expect(doc.checks.filter((c) => c.status === 'fail').map((c) => c.id)).toEqual(['authorization.code_in_query']);
    } finally {
      await browser.close();
      await scripted.close();
    }
  }, 60_000);
});
