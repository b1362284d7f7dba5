// RFC 7591 through the binary against oidc-provider with registration on: `register` (credentials masked,
// --out 0600), `login --register` (register, then sign in with the new client), and the mistakes.
import { mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasStackTrace, runCli } from '../support/cli.js';
import { BROWSER_SCRIPT } from '../support/idp-flow.js';
import { startIdp, type Idp } from '../support/idp.js';

type Doc = { ok: boolean; checks: Array<{ id: string; status: string; message: string }>; client_id?: string; client?: Record<string, unknown> };

let idp: Idp;
let closed: Idp;
let dir: string;
beforeAll(async () => {
  idp = await startIdp({ registration: true });
  closed = await startIdp();
  dir = await mkdtemp(join(tmpdir(), 'oidc-register-'));
});
afterAll(async () => {
  await idp?.close();
  await closed?.close();
  await rm(dir, { recursive: true, force: true });
});

const env = () => ({ XDG_CACHE_HOME: join(dir, 'cache'), XDG_CONFIG_HOME: join(dir, 'config'), BROWSER: undefined, OIDC_CLIENT_SECRET: undefined, OIDC_ISSUER: undefined, OIDC_CLIENT_ID: undefined });
const cli = (args: string[]) => runCli(args, { env: env(), timeoutMs: 60_000 });

describe('register and login --register', () => {
  it('a confidential client: 201, every value echoed, the secret and registration_access_token masked everywhere, --out keeps them 0600', async () => {
    const out = join(dir, 'client.json');
    const result = await cli(['register', '--issuer', idp.issuer, '--client-auth', 'client_secret_basic', '--out', out, '--json', '-vv']);
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout) as Doc;
    expect(doc.checks.map((c) => [c.id, c.status])).toEqual([
      ['registration.status', 'pass'],
      ['registration.client_id', 'pass'],
      ['registration.echo', 'pass'],
      ['registration.secret_expiry', 'pass'],
      ['registration.management', 'pass'],
    ]);
    const saved = JSON.parse(await readFile(out, 'utf8')) as { client_id: string; client_secret: string; registration_access_token: string; issuer: string };
    expect((await stat(out)).mode & 0o777).toBe(0o600);
    expect([saved.issuer, saved.client_id]).toEqual([idp.issuer, doc.client_id]);
    for (const secret of [saved.client_secret, saved.registration_access_token]) {
      expect(secret.length).toBeGreaterThan(10);
      expect(result.stdout + result.stderr).not.toContain(secret);
    }
    expect(doc.client?.client_secret).toBe('[redacted]');
    // The registered client signs in, authenticating with the secret it was given.
    await writeFile(join(dir, 'client.secret'), saved.client_secret, { mode: 0o600 });
    const login = await cli(['login', '--issuer', idp.issuer, '--client-id', saved.client_id, '--client-secret-file', join(dir, 'client.secret'), '--browser-command', `node ${BROWSER_SCRIPT}`, '--timeout', '30']);
    expect(login.code).toBe(0);
  }, 90_000);

  it('login --register: a native public client registered for the loopback listener, then the login with it; the registration checks lead the report', async () => {
    const result = await cli(['login', '--issuer', idp.issuer, '--register', '--browser-command', `node ${BROWSER_SCRIPT}`, '--timeout', '30', '--json']);
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout) as Doc & { registration: { status: number; client: { client_id: string; redirect_uris: string[]; token_endpoint_auth_method: string } } };
    expect(doc.checks.slice(0, 3).map((c) => c.id)).toEqual(['registration.status', 'registration.client_id', 'registration.echo']);
    expect(doc.registration.client).toMatchObject({ redirect_uris: ['http://127.0.0.1/callback'], token_endpoint_auth_method: 'none' });
    expect(doc.client_id).toBe(doc.registration.client.client_id);
    expect(doc.checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect(result.stderr).toContain(`warning: registered client ${doc.client_id} at ${idp.issuer}: pass --client-id ${doc.client_id} next time`);
  }, 90_000);

  it('mistakes: an IdP without registration (exit 3), --out into a missing directory or through a symlink (exit 2, nothing registered), --register with --client-id (exit 2)', async () => {
    const none = await cli(['register', '--issuer', closed.issuer]);
    expect(none.code).toBe(3);
    expect(none.stderr).toMatch(new RegExp(`^oidc-cli: ${closed.issuer.replace(/[.]/g, '\\.')} lists no registration_endpoint: it does not offer dynamic registration \\(RFC 7591\\)\\n {2}hint: register the client`, 'm'));
    const missing = await cli(['register', '--issuer', idp.issuer, '--out', join(dir, 'no', 'such', 'client.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^oidc-cli: --out .*client\.json: the directory .* does not exist$/m);
    expect(missing.stderr).not.toContain('Dynamic client registration');
    const link = join(dir, 'link.json');
    await symlink(join(dir, 'elsewhere.json'), link);
    const through = await cli(['register', '--issuer', idp.issuer, '--out', link]);
    expect(through.code).toBe(2);
    expect(through.stderr).toMatch(/is a symbolic link: not written through/);
    const both = await cli(['login', '--issuer', idp.issuer, '--register', '--client-id', 'mine']);
    expect(both.code).toBe(2);
    expect(both.stderr).toBe('oidc-cli: --register registers a new client: leave out --client-id\n');
    for (const result of [none, missing, through, both]) expect(hasStackTrace(result.stderr)).toBe(false);
  }, 60_000);
});
