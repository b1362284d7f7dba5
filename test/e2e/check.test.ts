import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasStackTrace, runCli } from '../support/cli.js';
import { BROWSER_SCRIPT } from '../support/idp-flow.js';
import { startIdp, type Idp } from '../support/idp.js';

type Check = { id: string; status: string; message: string; spec: string; hint?: string };

const browser = `node ${BROWSER_SCRIPT}`;
let idp: Idp;
let dir: string;

beforeAll(async () => {
  idp = await startIdp();
  dir = await mkdtemp(join(tmpdir(), 'oidc-check-'));
});
afterAll(async () => {
  await idp?.close();
  await rm(dir, { recursive: true, force: true });
});

const env = () => ({ XDG_CACHE_HOME: join(dir, 'cache'), XDG_CONFIG_HOME: join(dir, 'config'), BROWSER: undefined, OIDC_CLIENT_SECRET: undefined });
const byId = (checks: Check[]) => Object.fromEntries(checks.map((c) => [c.id, c]));

describe('check against the sound oidc-provider harness', () => {
  it('confidential client with a headless sign-in: every probe runs, no failure, the JUnit file matches the JSON', async () => {
    const secretFile = join(dir, 'secret');
    await writeFile(secretFile, idp.clients.basic.client_secret, { mode: 0o600 });
    const junit = join(dir, 'report.xml');
    const result = await runCli(['check', '--issuer', idp.issuer, '--client-id', idp.clients.basic.client_id, '--client-secret-file', secretFile, '--browser-command', browser, '--destructive', '--junit', junit, '--json'], { env: env(), timeoutMs: 60_000 });
    const doc = result.json<{ ok: boolean; checks: Check[]; grant: string; steps: Array<{ name: string; ms: number }> }>();
    const failing = doc.checks.filter((c) => c.status === 'fail');
    expect(failing, result.stderr).toEqual([]);
    expect(result.code).toBe(0);
    expect(doc.ok).toBe(true);
    expect(doc.grant).toBe('authorization_code');
    const checks = byId(doc.checks);
    for (const id of ['probe.code_reuse', 'probe.pkce_missing', 'probe.pkce_wrong', 'probe.pkce_downgrade', 'probe.pkce_required', 'probe.pkce_plain', 'probe.redirect_uri_altered', 'probe.redirect_uri_token', 'probe.client_secret_wrong', 'probe.unknown_parameter', 'probe.response_type_missing', 'probe.prompt_none', 'probe.token_get']) {
      expect(checks[id]?.status, `${id}: ${checks[id]?.message}`).toBe('pass');
    }
    console.log(doc.checks.filter((c) => c.status !== 'pass').map((c) => `${c.status} ${c.id} ${c.message}`).join('\n'));
    console.log(doc.steps);
    expect(hasStackTrace(result.stderr)).toBe(false);
    expect((await stat(junit)).mode & 0o777).toBe(0o600);
    const xml = await readFile(junit, 'utf8');
    expect(xml.length).toBeGreaterThan(100);
  });
});
