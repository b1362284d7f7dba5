// Client ID Metadata Documents through the binary: `login --client-id https://…` against oidc-provider
// with the feature on, the document served over https on loopback by a test host both trust. The sound
// document signs in (oidc-provider fetched it too); a document the server would refuse stops the login
// before any browser, with the check that says why.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasStackTrace, runCli } from '../support/cli.js';
import { nativeClientDocument, startDocumentHost, type DocumentHost } from '../support/client-metadata-host.js';
import { BROWSER_SCRIPT } from '../support/idp-flow.js';
import { startIdp, type Idp } from '../support/idp.js';

type Doc = { ok: boolean; client_id: string; redirect_uri?: string; checks: Array<{ id: string; status: string; message: string }>; client_metadata_document?: { url: string; status: number } };

let host: DocumentHost;
let idp: Idp;
let plain: Idp;
let dir: string;
beforeAll(async () => {
  host = await startDocumentHost();
  [idp, plain] = await Promise.all([startIdp({ clientIdMetadataDocuments: { ca: host.ca } }), startIdp()]);
  dir = await mkdtemp(join(tmpdir(), 'oidc-cimd-'));
});
afterAll(async () => {
  await Promise.all([idp?.close(), plain?.close(), host?.close()]);
  await rm(dir, { recursive: true, force: true });
});

const env = () => ({ XDG_CACHE_HOME: join(dir, 'cache'), XDG_CONFIG_HOME: join(dir, 'config'), BROWSER: undefined, OIDC_CLIENT_SECRET: undefined, OIDC_ISSUER: undefined, OIDC_CLIENT_ID: undefined });
const login = (issuer: string, client_id: string, more: string[] = []) =>
  runCli(['login', '--issuer', issuer, '--client-id', client_id, '--ca-file', host.caFile, '--browser-command', `node ${BROWSER_SCRIPT}`, '--timeout', '30', '--json', ...more], { env: env(), timeoutMs: 60_000 });
const statuses = (doc: Doc) => Object.fromEntries(doc.checks.filter((c) => c.id.startsWith('cimd.')).map((c) => [c.id, c.status]));

describe('login with a Client ID Metadata Document', () => {
  it('the sound document: judged, its loopback redirect URI used on a free port, and the server signs the client in', async () => {
    // A path of its own: the listener's default (/callback) would be refused, so this proves it was read.
    const client_id = host.serve('/apps/cli.json', nativeClientDocument(host.url('/apps/cli.json'), { redirect_uris: ['http://127.0.0.1/oidc-cli/cb'] }));
    const result = await login(idp.issuer, client_id);
    expect(result.stderr).not.toMatch(/^warning/m);
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout) as Doc;
    expect(statuses(doc)).toEqual({ 'cimd.client_id_url': 'pass', 'cimd.supported': 'pass', 'cimd.document': 'pass', 'cimd.client_id': 'pass', 'cimd.auth_method': 'pass', 'cimd.redirect_uri': 'pass' });
    expect(doc.client_id).toBe(client_id);
    expect(doc.redirect_uri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/oidc-cli\/cb$/);
    expect(doc.client_metadata_document).toMatchObject({ url: client_id, status: 200 });
    // oidc-cli fetched it once, and so did the authorization server (it caches the document).
    expect(host.fetches('/apps/cli.json')).toBe(2);
    expect(doc.checks.filter((c) => c.status === 'fail')).toEqual([]);
  }, 90_000);

  it('a document the server would refuse stops before the browser (exit 1), each with its own check', async () => {
    const cases: Array<[string, (url: string) => Record<string, unknown>, string, RegExp]> = [
      ['/wrong-id.json', (url) => nativeClientDocument(`${url}/`), 'cimd.client_id', /the document says client_id ".*wrong-id\.json\/", not /],
      ['/secret.json', (url) => nativeClientDocument(url, { token_endpoint_auth_method: 'client_secret_basic' }), 'cimd.auth_method', /client_secret_basic": a shared secret/],
      ['/web.json', (url) => nativeClientDocument(url, { redirect_uris: ['https://app.example.com/cb'] }), 'cimd.redirect_uri', /no loopback http redirect URI among https:\/\/app\.example\.com\/cb/],
    ];
    for (const [path, document, id, message] of cases) {
      const client_id = host.serve(path, document(host.url(path)));
      const result = await login(idp.issuer, client_id);
      expect(result.code, path).toBe(1);
      expect(hasStackTrace(result.stderr)).toBe(false);
      const doc = JSON.parse(result.stdout) as Doc;
      const check = doc.checks.find((c) => c.id === id);
      expect(check?.status, path).toBe('fail');
      expect(check?.message).toMatch(message);
      // Stopped before the browser: the authorization server never asked for the document.
      expect(host.fetches(path), path).toBe(1);
      expect(result.stderr).not.toContain('Browser');
    }
    const missing = await login(idp.issuer, host.url('/nothing-here.json'));
    expect(missing.code).toBe(1);
    expect(statuses(JSON.parse(missing.stdout) as Doc)).toMatchObject({ 'cimd.document': 'fail', 'cimd.client_id': 'skip' });
  }, 90_000);

  it('a server that does not announce metadata documents: a warning, then its refusal is reported, not an error page', async () => {
    const client_id = host.serve('/elsewhere.json', nativeClientDocument(host.url('/elsewhere.json')));
    const result = await login(plain.issuer, client_id, ['--timeout', '20']);
    expect(result.code).toBe(1);
    const doc = JSON.parse(result.stdout) as Doc;
    expect(statuses(doc)['cimd.supported']).toBe('warn');
    expect(doc.checks.find((c) => c.id === 'cimd.supported')?.message).toMatch(/no client_id_metadata_document_supported/);
    expect(doc.checks.find((c) => c.id === 'diagnosis.redirect_uri')?.message).toMatch(/the IdP most likely does not know the client https:\/\/127\.0\.0\.1:\d+\/elsewhere\.json \(it does not announce client_id_metadata_document_supported/);
    // oidc-cli read it; the server never did.
    expect(host.fetches('/elsewhere.json')).toBe(1);
  }, 90_000);

  it('check with a URL client_id: the document is judged first and the sign-in uses its redirect URI; a refused document means no user flow, said once', async () => {
    const client_id = host.serve('/apps/check.json', nativeClientDocument(host.url('/apps/check.json'), { redirect_uris: ['http://127.0.0.1/check/cb'] }));
    const check = (id: string) => runCli(['check', '--issuer', idp.issuer, '--client-id', id, '--ca-file', host.caFile, '--browser-command', `node ${BROWSER_SCRIPT}`, '--only', 'cimd,authorization,id_token', '--json'], { env: env(), timeoutMs: 90_000 });
    const sound = await check(client_id);
    expect(sound.code).toBe(0);
    const doc = JSON.parse(sound.stdout) as Doc;
    expect(Object.values(statuses(doc))).toEqual(['pass', 'pass', 'pass', 'pass', 'pass', 'pass']);
    expect(doc.checks.find((c) => c.id === 'authorization.redirect_uri')?.message).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/check\/cb /);
    expect(doc.checks.find((c) => c.id === 'id_token.aud')?.status).toBe('pass');

    const refused = await check(host.url('/wrong-id.json'));
    expect(refused.code).toBe(1);
    const judged = JSON.parse(refused.stdout) as Doc & { no_user_flow?: string };
    expect(statuses(judged)['cimd.client_id']).toBe('fail');
    expect(refused.stderr).toMatch(/no user flow: the client metadata document at https:\/\/127\.0\.0\.1:\d+\/wrong-id\.json cannot be used \(cimd\.client_id\)/);
  }, 120_000);
});
