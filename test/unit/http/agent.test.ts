import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caBundle, withLoopback } from '../../../src/http/agent.js';
import { makeCertificate, type TestCertificate } from '../../support/tls.js';

describe('withLoopback', () => {
  it('adds the loopback names to NO_PROXY and keeps "*" as it is', () => {
    expect(withLoopback('')).toBe('localhost,127.0.0.1,[::1]');
    expect(withLoopback('.corp.example')).toBe('.corp.example,localhost,127.0.0.1,[::1]');
    expect(withLoopback('*')).toBe('*');
  });
});

describe('caBundle', () => {
  let a: TestCertificate;
  let b: TestCertificate;
  beforeAll(async () => {
    [a, b] = await Promise.all([makeCertificate(), makeCertificate()]);
  });
  afterAll(() => {
    a.cleanup();
    b.cleanup();
  });

  it('keeps Node\'s defaults when there is no --ca-file', () => {
    expect(caBundle(undefined, { NODE_EXTRA_CA_CERTS: a.caFile })).toBeUndefined();
  });

  it('with --ca-file: bundled roots, then NODE_EXTRA_CA_CERTS, then the file', () => {
    const bundle = caBundle(b.caFile, { NODE_EXTRA_CA_CERTS: a.caFile })!;
    expect(bundle.length).toBe(rootCertificates.length + 2);
    expect(bundle.at(-2)!.trim()).toBe(a.cert.trim());
    expect(bundle.at(-1)!.trim()).toBe(b.cert.trim());
  });

  it('a file without a PEM certificate is an INPUT error', () => {
    const file = join(tmpdir(), `oidc-cli-not-pem-${process.pid}.txt`);
    writeFileSync(file, 'not a certificate\n');
    expect(() => caBundle(file, {})).toThrow(expect.objectContaining({ code: 'INPUT', message: expect.stringContaining('holds no PEM certificate') }));
  });
});
