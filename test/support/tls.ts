import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';

/** A self-signed certificate made at test time, and a PEM file to pass as --ca-file. */
export interface TestCertificate {
  key: string;
  cert: string;
  /** Path of a PEM file holding `cert` (its own CA, as it is self-signed). */
  caFile: string;
  cleanup(): void;
}

export interface CertificateOptions {
  /** Names the certificate is valid for (default: 127.0.0.1, ::1 and localhost). */
  hosts?: string[];
  /** Validity window; pass dates in the past for an expired certificate. */
  notBefore?: Date;
  notAfter?: Date;
}

const isIp = (host: string) => /^[\d.]+$/.test(host) || host.includes(':');

export async function makeCertificate(options: CertificateOptions = {}): Promise<TestCertificate> {
  const hosts = options.hosts ?? ['127.0.0.1', '::1', 'localhost'];
  const notBeforeDate = options.notBefore ?? new Date(Date.now() - 60_000);
  const notAfterDate = options.notAfter ?? new Date(Date.now() + 24 * 3600_000);
  const pems = await generate([{ name: 'commonName', value: hosts[0] ?? 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: hosts.map((host) => (isIp(host) ? { type: 7 as const, ip: host } : { type: 2 as const, value: host })) },
    ],
  });
  const dir = mkdtempSync(join(tmpdir(), 'oidc-cli-tls-'));
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, pems.cert, { mode: 0o600 });
  return { key: pems.private, cert: pems.cert, caFile, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
