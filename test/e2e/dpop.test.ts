// RFC 9449 through the binary against oidc-provider with DPoP on (and with a server nonce required): login
// --dpop binds the tokens, the key is cached with them (0600), and call / userinfo prove it. With DPoP
// turned off, oidc-provider is the IdP that ignores the proof and issues a Bearer token: caught.
import { generateKeyPairSync } from 'node:crypto';
import { readdir, readFile, rm, stat, mkdtemp, writeFile } from 'node:fs/promises';
import { calculateJwkThumbprint } from 'jose';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { BROWSER_SCRIPT } from '../support/idp-flow.js';
import { startIdp, type Idp } from '../support/idp.js';

type Doc = { ok: boolean; checks: Array<{ id: string; status: string; message: string }> };

let dpop: Idp;
let nonce: Idp;
let off: Idp;
let dir: string;
beforeAll(async () => {
  [dpop, nonce, off] = await Promise.all([startIdp({ dpop: true }), startIdp({ dpop: 'nonce' }), startIdp({ dpop: false })]);
  dir = await mkdtemp(join(tmpdir(), 'oidc-dpop-'));
});
afterAll(async () => {
  await Promise.all([dpop?.close(), nonce?.close(), off?.close()]);
  await rm(dir, { recursive: true, force: true });
});

const env = (cache: string) => ({ XDG_CACHE_HOME: join(dir, cache), XDG_CONFIG_HOME: join(dir, 'config'), BROWSER: undefined, OIDC_CLIENT_SECRET: undefined, OIDC_ISSUER: undefined, OIDC_CLIENT_ID: undefined });
const login = (idp: Idp, cache: string, extra: string[] = []) =>
  runCli(['login', '--issuer', idp.issuer, '--client-id', idp.clients.public.client_id, '--dpop', '--browser-command', `node ${BROWSER_SCRIPT}`, '--timeout', '30', '--json', ...extra], { env: env(cache), timeoutMs: 60_000 });
const statuses = (doc: Doc, prefix: string) => Object.fromEntries(doc.checks.filter((c) => c.id.startsWith(prefix)).map((c) => [c.id, c.status]));

describe('DPoP (RFC 9449)', () => {
  it('login --dpop: token_type DPoP, userinfo answered with a proof; the key is cached with the tokens (0600); call proves it', async () => {
    const result = await login(dpop, 'a');
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout) as Doc;
    expect(statuses(doc, 'dpop.')).toEqual({ 'dpop.token_type': 'pass', 'dpop.cnf_jkt': 'skip', 'dpop.nonce': 'skip' });
    expect(statuses(doc, 'userinfo.status')).toEqual({ 'userinfo.status': 'pass' });
    const tokens = join(dir, 'a', 'oidc-cli', 'tokens');
    const [file] = await readdir(tokens);
    expect((await stat(join(tokens, file!))).mode & 0o777).toBe(0o600);
    const entry = JSON.parse(await readFile(join(tokens, file!), 'utf8')) as { token_type: string; dpop_jwk: { kty: string; d: string } };
    expect([entry.token_type, entry.dpop_jwk.kty]).toEqual(['DPoP', 'EC']);
    expect(result.stdout + result.stderr).not.toContain(entry.dpop_jwk.d);
    const call = await runCli(['call', dpop.url('/me'), '-v'], { env: env('a') });
    expect(call.code).toBe(0);
    expect(call.stderr).toContain('DPoP-bound token: sent as "Authorization: DPoP" with a proof');
  }, 90_000);

  it('--dpop-key FILE: that EC P-256 key binds the tokens (its thumbprint is dpop_jkt), is never printed, and an RSA key is a usage error (exit 2)', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = join(dir, 'dpop.pem');
    await writeFile(pem, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
    const thumbprint = await calculateJwkThumbprint(publicKey.export({ format: 'jwk' }) as never);
    const result = await runCli(['login', '--issuer', dpop.issuer, '--client-id', dpop.clients.public.client_id, '--dpop-key', pem, '--browser-command', `node ${BROWSER_SCRIPT}`, '--timeout', '30', '--json', '-v'], { env: env('k'), timeoutMs: 60_000 });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`ES256 key from --dpop-key, thumbprint ${thumbprint}`);
    expect(statuses(JSON.parse(result.stdout) as Doc, 'dpop.token_type')).toEqual({ 'dpop.token_type': 'pass' });
    const d = (privateKey.export({ format: 'jwk' }) as { d: string }).d;
    expect(result.stdout + result.stderr).not.toContain(d);
    const rsa = join(dir, 'rsa.pem');
    await writeFile(rsa, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
    const refused = await runCli(['login', '--issuer', dpop.issuer, '--client-id', dpop.clients.public.client_id, '--dpop-key', rsa], { env: env('k') });
    expect([refused.code, refused.stderr.trim()]).toEqual([2, `oidc-cli: --dpop-key ${rsa}: an EC P-256 key is needed (DPoP proofs are signed ES256)`]);
  }, 90_000);

  it('an IdP that requires a server nonce: use_dpop_nonce, then the proof with it, at the token endpoint and at userinfo', async () => {
    const result = await login(nonce, 'b');
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout) as Doc;
    expect(statuses(doc, 'dpop.')).toMatchObject({ 'dpop.token_type': 'pass', 'dpop.nonce': 'pass' });
    expect(statuses(doc, 'userinfo.status')).toEqual({ 'userinfo.status': 'pass' });
    expect((await runCli(['call', nonce.url('/me')], { env: env('b') })).code).toBe(0);
    // The bound grant is refreshed with a proof of the cached key (nonce dance again), and stays bound.
    const refreshed = await runCli(['refresh', '--json'], { env: env('b') });
    expect(refreshed.code).toBe(0);
    expect(statuses(JSON.parse(refreshed.stdout) as Doc, 'dpop.token_type')).toEqual({ 'dpop.token_type': 'pass' });
    expect((await runCli(['call', nonce.url('/me')], { env: env('b') })).code).toBe(0);
  }, 90_000);

  it('a JWT access token (RFC 8707 resource) carries cnf.jkt, the thumbprint of this run\'s key', async () => {
    const result = await login(dpop, 'c', ['--resource', dpop.resource, '--scope', `openid ${dpop.resourceScopes[0]}`]);
    expect(result.code).toBe(0);
    expect(statuses(JSON.parse(result.stdout) as Doc, 'dpop.cnf_jkt')).toEqual({ 'dpop.cnf_jkt': 'pass' });
  }, 90_000);

  it('an IdP without DPoP ignores the proof and issues a Bearer token: dpop.token_type fails (exit 1)', async () => {
    const result = await login(off, 'd');
    expect(result.code).toBe(1);
    const doc = JSON.parse(result.stdout) as Doc;
    expect(doc.checks.find((c) => c.id === 'dpop.token_type')).toMatchObject({ status: 'fail', message: 'token_type "Bearer" to a request with a DPoP proof: the access token is not bound (a Bearer token anyone holding it can use)' });
  }, 90_000);
});
