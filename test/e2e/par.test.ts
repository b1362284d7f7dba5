// RFC 9126 through the binary against oidc-provider: login --par, and the push done unasked when the IdP
// requires it. The browser carries client_id and request_uri only; the parameters went by the back channel.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { BROWSER_SCRIPT } from '../support/idp-flow.js';
import { startIdp, type Idp } from '../support/idp.js';

type Doc = { ok: boolean; checks: Array<{ id: string; status: string; message: string }>; authorization_url: string };

let idp: Idp;
let requiring: Idp;
let dir: string;
beforeAll(async () => {
  idp = await startIdp();
  requiring = await startIdp({ configure: (configuration) => void (configuration.features.pushedAuthorizationRequests = { enabled: true, requirePushedAuthorizationRequests: true }) });
  dir = await mkdtemp(join(tmpdir(), 'oidc-par-'));
  await writeFile(join(dir, 'basic.secret'), idp.clients.basic.client_secret, { mode: 0o600 });
});
afterAll(async () => {
  await idp?.close();
  await requiring?.close();
  await rm(dir, { recursive: true, force: true });
});

const env = () => ({ XDG_CACHE_HOME: join(dir, 'cache'), XDG_CONFIG_HOME: join(dir, 'config'), BROWSER: undefined, OIDC_CLIENT_SECRET: undefined, OIDC_ISSUER: undefined, OIDC_CLIENT_ID: undefined });
const login = (issuer: string, client: string[], extra: string[] = []) =>
  runCli(['login', '--issuer', issuer, ...client, '--browser-command', `node ${BROWSER_SCRIPT}`, '--timeout', '30', '--json', ...extra], { env: env(), timeoutMs: 60_000 });
const parChecks = (doc: Doc) => doc.checks.filter((c) => c.id.startsWith('par.')).map((c) => [c.id, c.status]);

describe('pushed authorization requests', () => {
  it('login --par with a confidential client: pushed (201, request_uri, expires_in), the browser sent by reference, the login completes', async () => {
    const result = await login(idp.issuer, ['--client-id', idp.clients.basic.client_id, '--client-secret-file', join(dir, 'basic.secret')], ['--par']);
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout) as Doc;
    expect(parChecks(doc)).toEqual([['par.required', 'pass'], ['par.status', 'pass'], ['par.request_uri', 'pass'], ['par.expires_in', 'pass']]);
    const url = new URL(doc.authorization_url);
    expect([...url.searchParams.keys()].sort()).toEqual(['client_id', 'request_uri']);
    expect(url.searchParams.get('request_uri')).toMatch(/^urn:ietf:params:oauth:request_uri:/);
    expect(doc.checks.filter((c) => c.status === 'fail')).toEqual([]);
  }, 90_000);

  it('an IdP that requires PAR: a public client pushes without being asked; par.required says so', async () => {
    const result = await login(requiring.issuer, ['--client-id', requiring.clients.public.client_id]);
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout) as Doc;
    expect(doc.checks.find((c) => c.id === 'par.required')).toMatchObject({ status: 'pass', message: 'required by the IdP (require_pushed_authorization_requests), and used' });
    expect(new URL(doc.authorization_url).searchParams.has('code_challenge')).toBe(false);
  }, 90_000);

  it('without --par at an IdP that does not require it: no push, no par.* check', async () => {
    const result = await login(idp.issuer, ['--client-id', idp.clients.public.client_id]);
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout) as Doc;
    expect(parChecks(doc)).toEqual([]);
    expect(new URL(doc.authorization_url).searchParams.has('code_challenge')).toBe(true);
  }, 90_000);
});
