/**
 * Client certificates for the RFC 8705 tests, made at test time in Node (selfsigned; no openssl CLI): a
 * small CA and a client certificate it signs (tls_client_auth), and a self-signed client certificate
 * (self_signed_tls_client_auth), each with PEM files to pass as --cert and --key.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';

export interface ClientCertificateFiles {
  cert: string;
  key: string;
  certFile: string;
  keyFile: string;
  /** base64url(SHA-256(DER)): the cnf.x5t#S256 of a token bound to it. */
  thumbprint: string;
  /** The subject DN as RFC 4514 text, e.g. "CN=oidc-cli-mtls-client". */
  subjectDn: string;
  /** The public JWK with x5c, for a self_signed_tls_client_auth client's jwks. */
  jwk: Record<string, unknown>;
}

export interface MtlsCertificates {
  /** The CA that signs tls_client_auth certificates (the server trusts it for client certificates). */
  clientCa: { cert: string };
  tlsClient: ClientCertificateFiles;
  selfSigned: ClientCertificateFiles;
  /** Another certificate with the tlsClient's subject, signed by the same CA: a different thumbprint. */
  other: ClientCertificateFiles;
  cleanup(): void;
}

const window = () => ({ notBeforeDate: new Date(Date.now() - 60_000), notAfterDate: new Date(Date.now() + 24 * 3600_000) });

function files(dir: string, name: string, cert: string, key: string): ClientCertificateFiles {
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  writeFileSync(certFile, cert, { mode: 0o600 });
  writeFileSync(keyFile, key, { mode: 0o600 });
  const x509 = new X509Certificate(cert);
  const jwk = { ...x509.publicKey.export({ format: 'jwk' }), x5c: [x509.raw.toString('base64')] };
  return { cert, key, certFile, keyFile, thumbprint: createHash('sha256').update(x509.raw).digest('base64url'), subjectDn: x509.subject.split('\n').join(','), jwk };
}

export async function makeMtlsCertificates(): Promise<MtlsCertificates> {
  const ec = { keyType: 'ec' as const, curve: 'P-256' as const, algorithm: 'sha256' };
  const ca = await generate([{ name: 'commonName', value: 'oidc-cli test client CA' }], {
    ...ec,
    ...window(),
    extensions: [{ name: 'basicConstraints', cA: true }, { name: 'keyUsage', keyCertSign: true, digitalSignature: true }],
  });
  const clientExtensions = [{ name: 'basicConstraints' as const, cA: false }, { name: 'keyUsage' as const, digitalSignature: true }, { name: 'extKeyUsage' as const, clientAuth: true }];
  const signed = (cn: string) => generate([{ name: 'commonName', value: cn }], { ...ec, ...window(), extensions: clientExtensions, ca: { key: ca.private, cert: ca.cert } } as Parameters<typeof generate>[1]);
  const [tls, other, self] = await Promise.all([
    signed('oidc-cli-mtls-client'),
    signed('oidc-cli-mtls-client'),
    generate([{ name: 'commonName', value: 'oidc-cli-self-signed' }], { ...ec, ...window(), extensions: clientExtensions }),
  ]);
  const dir = mkdtempSync(join(tmpdir(), 'oidc-cli-mtls-'));
  return {
    clientCa: { cert: ca.cert },
    tlsClient: files(dir, 'tls-client', tls.cert, tls.private),
    other: files(dir, 'other-client', other.cert, other.private),
    selfSigned: files(dir, 'self-signed', self.cert, self.private),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
