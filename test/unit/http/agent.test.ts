import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

  it('keeps Node\'s defaults when there is no --ca-file', async () => {
    expect(await caBundle(undefined, { NODE_EXTRA_CA_CERTS: a.caFile })).toBeUndefined();
  });

  it('with --ca-file: bundled roots, then NODE_EXTRA_CA_CERTS, then the file', async () => {
    const bundle = (await caBundle(b.caFile, { NODE_EXTRA_CA_CERTS: a.caFile }))!;
    expect(bundle.length).toBe(rootCertificates.length + 2);
    expect(bundle.at(-2)!.trim()).toBe(a.cert.trim());
    expect(bundle.at(-1)!.trim()).toBe(b.cert.trim());
  });

  it('a file without a PEM certificate is an INPUT error', async () => {
    const file = join(tmpdir(), `oidc-cli-not-pem-${process.pid}.txt`);
    writeFileSync(file, 'not a certificate\n');
    await expect(caBundle(file, {})).rejects.toMatchObject({ code: 'INPUT', message: expect.stringContaining('holds no PEM certificate') });
  });

  // Break 6: readFileSync of a FIFO blocked the process beyond every timeout. Both files go through the
  // one bounded reader (src/util/local-file.ts): a regular file of at most 1 MiB, refused at once otherwise.
  it.skipIf(process.platform === 'win32')('a --ca-file that is a FIFO, a device or a directory is an INPUT error at once, never waited on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oidc-cli-ca-'));
    try {
      const fifo = join(dir, 'fifo');
      execFileSync('mkfifo', [fifo]);
      await expect(caBundle(fifo, {})).rejects.toMatchObject({ code: 'INPUT', message: `--ca-file ${fifo} is not a regular file (a FIFO)` });
      await expect(caBundle('/dev/zero', {})).rejects.toMatchObject({ code: 'INPUT', message: '--ca-file /dev/zero is not a regular file (a character device)' });
      await expect(caBundle(dir, {})).rejects.toMatchObject({ code: 'INPUT', message: `--ca-file ${dir} is not a regular file (a directory)` });
      // NODE_EXTRA_CA_CERTS is skipped, as Node itself skips an unreadable one: the --ca-file still counts.
      const bundle = (await caBundle(b.caFile, { NODE_EXTRA_CA_CERTS: fifo }))!;
      expect(bundle.length).toBe(rootCertificates.length + 1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
