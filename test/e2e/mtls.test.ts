// RFC 8705 through the binary, where the binary is the point: --cert/--key as flags, and the private key
// never printed — not with -vv, not in --json, not when it is the wrong key. The flows themselves are
// judged in-process (test/unit/flows/mtls-flow.test.ts).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { BROWSER_SCRIPT } from '../support/idp-flow.js';
import { startIdp, type Idp } from '../support/idp.js';

type Doc = { ok: boolean; client_auth?: string; checks: Array<{ id: string; status: string; message: string }> };

let idp: Idp;
let dir: string;
beforeAll(async () => {
  idp = await startIdp({ mtls: true });
  dir = await mkdtemp(join(tmpdir(), 'oidc-mtls-'));
});
afterAll(async () => {
  await idp?.close();
  await rm(dir, { recursive: true, force: true });
});

const env = { XDG_CACHE_HOME: join(tmpdir(), 'unused'), XDG_CONFIG_HOME: join(tmpdir(), 'unused'), BROWSER: undefined, OIDC_CLIENT_SECRET: undefined, OIDC_ISSUER: undefined, OIDC_CLIENT_ID: undefined };
/** Every 16-character run of the key's base64 body: none may appear in any output. */
const keyPieces = (pem: string) => {
  const body = pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  return Array.from({ length: Math.floor(body.length / 16) }, (_, i) => body.slice(i * 16, i * 16 + 16));
};

describe('mTLS (RFC 8705) through the binary', () => {
  it('login --cert --key -vv --json: tls_client_auth at the mTLS alias, the token bound, the key in no output', async () => {
    const { tlsClient } = idp.mtls!;
    const result = await runCli(['login', '--issuer', idp.issuer, '--client-id', tlsClient.client_id, '--cert', tlsClient.files.certFile, '--key', tlsClient.files.keyFile, '--ca-file', idp.mtls!.caFile, '--browser-command', `node ${BROWSER_SCRIPT}`, '--timeout', '30', '--json', '-vv'], { env: { ...env, XDG_CACHE_HOME: join(dir, 'a') }, timeoutMs: 60_000 });
    expect(result.code).toBe(0);
    const doc = result.json<Doc & { client_auth: string }>();
    expect(doc.client_auth).toBe('tls_client_auth');
    expect(Object.fromEntries(doc.checks.filter((c) => c.id.startsWith('mtls.')).map((c) => [c.id, c.status]))).toEqual({ 'mtls.aliases': 'pass', 'mtls.bound_tokens_advertised': 'pass', 'mtls.cnf_x5t': 'pass' });
    expect(result.stderr).toContain(`> POST ${idp.mtls!.origin}/token`);
    expect(result.stderr).toContain('* TLS client certificate presented (RFC 8705)');
    const output = result.stdout + result.stderr;
    for (const piece of keyPieces(tlsClient.files.key)) expect(output).not.toContain(piece);
    // The cached login remembers the binding (the thumbprint, not the certificate): without --cert, userinfo says why it is refused.
    const cacheEnv = { ...env, XDG_CACHE_HOME: join(dir, 'a') };
    const bare = await runCli(['userinfo'], { env: cacheEnv });
    expect(bare.code).toBe(1);
    expect(bare.stderr).toContain(`warning: the cached login's tokens are bound to a client certificate (x5t#S256 ${tlsClient.files.thumbprint}): pass --cert FILE --key FILE, or expect them to be refused`);
    const withCert = await runCli(['userinfo', '--cert', tlsClient.files.certFile, '--key', tlsClient.files.keyFile, '--ca-file', idp.mtls!.caFile], { env: cacheEnv });
    expect([withCert.code, withCert.stderr]).toEqual([0, expect.not.stringContaining('warning')]);
  }, 90_000);

  it('--cert without --key, and a --key that is not the certificate\'s: exit 2, one line, the key never quoted', async () => {
    const { tlsClient, selfSignedClient } = idp.mtls!;
    const half = await runCli(['token', '--grant', 'client_credentials', '--issuer', idp.issuer, '--client-id', tlsClient.client_id, '--cert', tlsClient.files.certFile], { env });
    expect([half.code, half.stderr.trim().split('\n')[0]]).toEqual([2, 'oidc-cli: --cert needs --key FILE, the certificate\'s private key']);
    const wrong = await runCli(['token', '--grant', 'client_credentials', '--issuer', idp.issuer, '--client-id', tlsClient.client_id, '--cert', tlsClient.files.certFile, '--key', selfSignedClient.files.keyFile], { env });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain(`--key ${selfSignedClient.files.keyFile} is not the private key of the certificate in --cert ${tlsClient.files.certFile} (CN=oidc-cli-mtls-client)`);
    for (const piece of keyPieces(selfSignedClient.files.key)) expect(wrong.stdout + wrong.stderr).not.toContain(piece);
  }, 30_000);
});
