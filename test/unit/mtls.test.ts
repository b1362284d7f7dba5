// RFC 8705 without an IdP: loading --cert/--key, the aliases, the metadata judge, the method choice, and the
// HTTP client presenting the certificate to the mTLS endpoints alone (an https server that records it).
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckRecorder } from '../../src/checks/recorder.js';
import { chooseClientAuth } from '../../src/core/client-auth.js';
import { judgeMtlsMetadata, loadClientCertificate, mtlsFor, withMtlsAliases } from '../../src/core/mtls.js';
import { createHttpClient } from '../../src/http/client.js';
import { makeMtlsCertificates, type MtlsCertificates } from '../support/mtls-certs.js';
import { makeCertificate, type TestCertificate } from '../support/tls.js';
import { recordingUi } from './flows/flow-deps.js';

let certs: MtlsCertificates;
let serverCert: TestCertificate;
let server: Server;
let origin: string;
/** The subject CN of the client certificate each request presented (or "-"), in order. */
const seen: string[] = [];

beforeAll(async () => {
  [certs, serverCert] = await Promise.all([makeMtlsCertificates(), makeCertificate()]);
  server = createServer({ key: serverCert.key, cert: serverCert.cert, requestCert: true, rejectUnauthorized: false }, (req, res) => {
    const peer = (req.socket as TLSSocket).getPeerCertificate();
    seen.push(`${req.url} ${peer?.subject?.CN ?? '-'}`);
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  certs?.cleanup();
  serverCert?.cleanup();
});

const judged = (metadata: Record<string, unknown>) => {
  const c = new CheckRecorder();
  judgeMtlsMetadata(metadata, c);
  return Object.fromEntries(c.results.map((r) => [r.id, [r.status, r.message]]));
};

describe('--cert / --key', () => {
  it('reads the pair: thumbprint (base64url SHA-256 of the DER), subject, self-signed or not', async () => {
    const tls = await loadClientCertificate(certs.tlsClient.certFile, certs.tlsClient.keyFile);
    expect(tls).toMatchObject({ thumbprint: certs.tlsClient.thumbprint, subject: 'CN=oidc-cli-mtls-client', selfSigned: false });
    expect((await loadClientCertificate(certs.selfSigned.certFile, certs.selfSigned.keyFile)).selfSigned).toBe(true);
  });

  it('a key that is not the certificate\'s, or not a key: exit 2, and the key file\'s text is never quoted', async () => {
    await expect(loadClientCertificate(certs.tlsClient.certFile, certs.selfSigned.keyFile)).rejects.toMatchObject({ code: 'INPUT', message: expect.stringContaining('is not the private key of the certificate') });
    const garbled = join(certs.tlsClient.keyFile, '..', 'garbled.key');
    const secretText = certs.tlsClient.key.replace(/[A-Za-z]{8}/, 'XXXXXXXX');
    writeFileSync(garbled, secretText, { mode: 0o600 });
    const error = await loadClientCertificate(certs.tlsClient.certFile, garbled).catch((e: Error) => e);
    expect(error).toMatchObject({ code: 'INPUT', message: `--key ${garbled} is not a PEM private key (PKCS#8, PKCS#1 or SEC1)` });
    await expect(loadClientCertificate(certs.tlsClient.keyFile, certs.tlsClient.keyFile)).rejects.toMatchObject({ message: expect.stringContaining('holds no PEM certificate') });
  });
});

describe('the metadata (RFC 8705 §5, §3.3)', () => {
  it('aliases replace the mTLS endpoints they name; non-https or non-string aliases are judged and not used', () => {
    const metadata = { token_endpoint: 'https://idp/token', userinfo_endpoint: 'https://idp/me', authorization_endpoint: 'https://idp/auth', mtls_endpoint_aliases: { token_endpoint: 'https://mtls.idp/token', userinfo_endpoint: 'http://mtls.idp/me', authorization_endpoint: 'https://mtls.idp/auth' } };
    expect(withMtlsAliases(metadata)).toMatchObject({ metadata: { token_endpoint: 'https://mtls.idp/token', userinfo_endpoint: 'https://idp/me', authorization_endpoint: 'https://idp/auth' }, aliased: ['token_endpoint'] });
    expect(judged(metadata)['mtls.aliases']).toEqual(['fail', 'mtls_endpoint_aliases: userinfo_endpoint "http://mtls.idp/me" is not an https URL: not used']);
    expect(judged({ mtls_endpoint_aliases: ['https://x'] })['mtls.aliases']).toEqual(['fail', 'mtls_endpoint_aliases is an array, not a JSON object: no alias is used']);
    expect(judged({ mtls_endpoint_aliases: { token_endpoint: 'https://x/t' }, tls_client_certificate_bound_access_tokens: true })).toEqual({ 'mtls.aliases': ['pass', 'mtls_endpoint_aliases names 1 endpoint(s), all https: token_endpoint'], 'mtls.bound_tokens_advertised': ['pass', 'tls_client_certificate_bound_access_tokens: true'] });
    expect(judged({ tls_client_certificate_bound_access_tokens: 'yes' })['mtls.bound_tokens_advertised']![0]).toBe('warn');
  });

  it('a certificate alone picks the RFC 8705 method the IdP lists (self-signed first for a self-signed one); a secret or key keeps its method', () => {
    const both = ['client_secret_basic', 'tls_client_auth', 'self_signed_tls_client_auth'];
    expect(chooseClientAuth(undefined, { secret: false, key: false, certificate: { selfSigned: false } }, both)).toBe('tls_client_auth');
    expect(chooseClientAuth(undefined, { secret: false, key: false, certificate: { selfSigned: true } }, both)).toBe('self_signed_tls_client_auth');
    expect(chooseClientAuth(undefined, { secret: false, key: false, certificate: { selfSigned: true } }, ['tls_client_auth'])).toBe('tls_client_auth');
    expect(chooseClientAuth(undefined, { secret: false, key: false, certificate: { selfSigned: false } }, ['none'])).toBe('none');
    expect(chooseClientAuth(undefined, { secret: true, key: false, certificate: { selfSigned: false } }, both)).toBe('client_secret_basic');
  });
});

describe('the HTTP client presents the certificate to the mTLS endpoints alone', () => {
  it('the alias gets it, another path of the same server and the same path without it do not', async () => {
    const ui = recordingUi();
    const http = createHttpClient({ timeoutMs: 5_000, caFile: serverCert.caFile, insecure: false, verbose: 0, showTokens: false, trace: ui.trace, warn: ui.warn, env: {} });
    try {
      const certificate = await loadClientCertificate(certs.tlsClient.certFile, certs.tlsClient.keyFile);
      const metadata = { token_endpoint: `${origin}/token`, jwks_uri: `${origin}/jwks`, mtls_endpoint_aliases: { token_endpoint: `${origin}/mtls/token` } };
      const mtls = mtlsFor(certificate, metadata, http, ui);
      seen.length = 0;
      await mtls.http.request({ url: `${origin}/jwks` });
      await mtls.http.request({ url: `${String(mtls.metadata.token_endpoint)}?x=1`, method: 'POST', body: 'a=b' });
      await mtls.http.request({ url: `${origin}/jwks` });
      await mtls.http.request({ url: `${origin}/mtls/token`, withoutClientCertificate: true });
      await http.request({ url: `${origin}/mtls/token` });
      expect(seen).toEqual(['/jwks -', '/mtls/token?x=1 oidc-cli-mtls-client', '/jwks -', '/mtls/token -', '/mtls/token -']);
    } finally {
      await http.close();
    }
  });

  it('never over plain http: such an mTLS endpoint is warned about and gets no certificate', async () => {
    const ui = recordingUi();
    const http = createHttpClient({ timeoutMs: 5_000, caFile: undefined, insecure: false, verbose: 0, showTokens: false, trace: ui.trace, warn: ui.warn, env: {} });
    const certificate = await loadClientCertificate(certs.tlsClient.certFile, certs.tlsClient.keyFile);
    mtlsFor(certificate, { token_endpoint: 'http://127.0.0.1:9/token' }, http, ui);
    expect(ui.lines.warn).toEqual(['the client certificate cannot be presented over plain http: http://127.0.0.1:9/token gets requests without it']);
    await expect(http.request({ url: 'http://127.0.0.1:9/token', clientCertificate: { cert: certificate.cert, key: certificate.key } })).rejects.toMatchObject({ code: 'USAGE', message: 'http://127.0.0.1:9/token: a client certificate can only be presented over https' });
    await http.close();
  });
});
