// Issue 8: TLS through the real binary, with certificates made at test time. test/e2e/discover.test.ts
// covers an unknown CA on discover, --ca-file, NODE_EXTRA_CA_CERTS and the --insecure warning; this adds
// every network command on an unknown CA, an expired and a wrong-host certificate (trusted CA, still
// refused), and what --insecure does and says with each.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBadIdp, type BadIdp } from '../support/bad-idp.js';
import { hasStackTrace, runCli, type CliResult } from '../support/cli.js';
import { makeCertificate, type TestCertificate } from '../support/tls.js';
import { b64u } from '../support/tokens.js';

let sound: { cert: TestCertificate; idp: BadIdp };
let expired: { cert: TestCertificate; idp: BadIdp };
let wrongHost: { cert: TestCertificate; idp: BadIdp };

async function serve(cert: Promise<TestCertificate>) {
  const made = await cert;
  return { cert: made, idp: await startBadIdp({ tls: made }) };
}

beforeAll(async () => {
  const day = 24 * 3600_000;
  sound = await serve(makeCertificate());
  expired = await serve(makeCertificate({ notBefore: new Date(Date.now() - 30 * day), notAfter: new Date(Date.now() - day) }));
  wrongHost = await serve(makeCertificate({ hosts: ['idp.example.com'] }));
});
afterAll(async () => {
  for (const server of [sound, expired, wrongHost]) {
    await server?.idp.close();
    server?.cert.cleanup();
  }
});

const run = (args: string[]) => runCli(args, { env: { NODE_EXTRA_CA_CERTS: undefined, OIDC_ISSUER: undefined, XDG_CACHE_HOME: '/nonexistent/cache', XDG_CONFIG_HOME: '/nonexistent/config' }, timeoutMs: 30_000 });

/** Exit 3, one `oidc-cli: TLS…` line with its hint, nothing on stdout, no stack trace. */
function expectTlsFailure(result: CliResult, message: RegExp, hint: RegExp) {
  expect(result.code, result.stderr).toBe(3);
  // Nothing on stdout, or with --json the run's one document saying why (PRODUCT.md "One document per run").
  if (result.stdout !== '') expect(result.json()).toMatchObject({ ok: false, error: { code: 'TLS', exit_code: 3 } });
  expect(hasStackTrace(result.stderr)).toBe(false);
  const lines = result.stderr.trimEnd().split('\n');
  const errors = lines.filter((line) => line.startsWith('oidc-cli: '));
  expect(errors, result.stderr).toHaveLength(1);
  expect(errors[0]).toMatch(message);
  expect(lines[lines.indexOf(errors[0]!) + 1]).toMatch(hint);
}

const token = `${b64u('{"alg":"RS256","kid":"rsa-1"}')}.${b64u('{"sub":"x"}')}.c2ln`;
const commands = (issuer: string): Array<[string, string[]]> => [
  ['discover', ['discover', '--issuer', issuer]],
  ['jwks --issuer', ['jwks', '--issuer', issuer, '--json']],
  ['jwks --jwks-uri', ['jwks', '--jwks-uri', `${issuer}/jwks`]],
  ['decode --issuer', ['decode', '--issuer', issuer, token]],
  ['login', ['login', '--issuer', issuer, '--client-id', 'x', '--no-browser', '--timeout', '20']],
];

describe('TLS through the real binary', () => {
  it('an unknown CA fails every network command with exit 3 and the --ca-file hint', { timeout: 120_000 }, async () => {
    for (const [, args] of commands(sound.idp.issuer)) {
      expectTlsFailure(await run(args), /TLS: the certificate of 127\.0\.0\.1:\d+ is not trusted \(DEPTH_ZERO_SELF_SIGNED_CERT/, /hint: trust the CA that issued it with --ca-file/);
    }
  });

  it('--ca-file makes the same certificate pass, for jwks and decode too', { timeout: 60_000 }, async () => {
    expect((await run(['--ca-file', sound.cert.caFile, 'jwks', '--issuer', sound.idp.issuer])).code).toBe(0);
    const decode = await run(['--ca-file', sound.cert.caFile, 'decode', '--issuer', sound.idp.issuer, '--json', token]);
    // The forged token gets judged (exit 1), which means the keys were fetched over verified TLS.
    expect(decode.code, decode.stderr).toBe(1);
    expect(decode.json().command).toBe('decode');
  });

  it('an expired certificate fails clearly, even from a trusted CA', { timeout: 120_000 }, async () => {
    for (const [, args] of commands(expired.idp.issuer)) {
      expectTlsFailure(await run(['--ca-file', expired.cert.caFile, ...args]), /TLS: the certificate of 127\.0\.0\.1:\d+ has expired/, /hint: the IdP must renew its certificate/);
    }
  });

  it('a certificate for another host fails clearly, even from a trusted CA', { timeout: 120_000 }, async () => {
    for (const [, args] of commands(wrongHost.idp.issuer)) {
      expectTlsFailure(await run(['--ca-file', wrongHost.cert.caFile, ...args]), /TLS: the certificate presented by 127\.0\.0\.1:\d+ is for another host name/, /hint: use the host name the certificate was issued for/);
    }
  });

  it('--insecure accepts each of them, and says so on stderr (never on stdout), in human and --json mode', { timeout: 60_000 }, async () => {
    for (const server of [sound, expired, wrongHost]) {
      for (const json of [false, true]) {
        const result = await run(['--insecure', 'discover', '--issuer', server.idp.issuer, ...(json ? ['--json'] : [])]);
        expect(result.code, result.stderr).toBe(0);
        expect(result.stderr).toContain('warning: --insecure: TLS certificates are NOT verified');
        expect(result.stdout).not.toContain('--insecure');
        if (json) expect(result.json().ok).toBe(true);
      }
    }
  });
});
