import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caBundle, localhostLookup } from '../../../src/http/agent.js';
import { isLoopback, isLoopbackLiteral } from '../../../src/http/loopback.js';
import { makeCertificate, type TestCertificate } from '../../support/tls.js';

describe('isLoopback: the one rule for http, proxy bypass, listener and lookup', () => {
  it.each(['127.0.0.1', '127.0.0.2', '127.255.255.254', '[::1]', '::1', '[0:0:0:0:0:0:0:1]', '::0001', '[::ffff:7f00:1]', '::ffff:127.0.0.9', 'localhost', 'LOCALHOST', 'localhost.', 'foo.localhost', 'a.b.Localhost.'])('%s is loopback', (host) => {
    expect(isLoopback(host)).toBe(true);
  });
  it.each(['128.0.0.1', '126.255.255.255', '10.0.0.1', '[::2]', '::', '[::ffff:8.8.8.8]', 'localhost.example', 'notlocalhost', 'localhost-x', 'example.com', ''])('%s is not loopback', (host) => {
    expect(isLoopback(host)).toBe(false);
  });
  it('tells IP literals from names', () => {
    expect(isLoopbackLiteral('127.0.0.3')).toBe(true);
    expect(isLoopbackLiteral('[::1]')).toBe(true);
    expect(isLoopbackLiteral('localhost')).toBe(false);
    expect(isLoopbackLiteral('10.0.0.1')).toBe(false);
  });
});

describe('localhostLookup (RFC 6761 §6.3)', () => {
  const resolve = (host: string, options: { all?: boolean; family?: number }) =>
    new Promise<unknown>((done, fail) => localhostLookup(host, options as never, (error: unknown, address: unknown, family?: unknown) => (error ? fail(error) : done(options.all ? address : [address, family]))));
  it('answers localhost names with loopback addresses without DNS', async () => {
    expect(await resolve('foo.localhost', { all: true })).toEqual([{ address: '127.0.0.1', family: 4 }, { address: '::1', family: 6 }]);
    expect(await resolve('x.y.LOCALHOST.', {})).toEqual(['127.0.0.1', 4]);
    expect(await resolve('foo.localhost', { family: 6 })).toEqual(['::1', 6]);
  });
  it('leaves other names to the system resolver', async () => {
    await expect(resolve('no-such-host.invalid', {})).rejects.toMatchObject({ code: 'ENOTFOUND' });
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
