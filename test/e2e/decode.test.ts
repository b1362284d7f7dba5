import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { hasStackTrace, runCli } from '../support/cli.js';
import { b64u, goodClaims, mint, nowSeconds, rsaKey } from '../support/tokens.js';

const key = rsaKey('k1');
let dir: string;
let jwksFile: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'oidc-cli-decode-'));
  jwksFile = join(dir, 'keys.json');
  writeFileSync(jwksFile, JSON.stringify({ keys: [key.jwk] }));
});

describe('oidc-cli decode', () => {
  it('verifies a good token: exit 0, signature.verified, every check passes or is skipped', async () => {
    const token = mint(goodClaims(), key);
    const result = await runCli(['decode', '--json', '--jwks', jwksFile, '--iss', 'https://idp.test', '--aud', 'client-1', token]);
    expect(result.code).toBe(0);
    const doc = result.json();
    expect(doc).toMatchObject({ schema_version: 1, command: 'decode', ok: true, kind: 'JWS', header: { alg: 'RS256', kid: 'k1' }, signature: { verified: true, alg: 'RS256', kid: 'k1' } });
    expect(doc.payload.sub).toBe('user-1');
    expect(doc.times.exp.relative).toMatch(/^expires in (4m|5m)/); // exp is now+300 in whole seconds: 299.6 s rounds to 5m
    expect(doc.checks.filter((c: { status: string }) => c.status === 'fail' || c.status === 'warn')).toEqual([]);
  });

  it('without keys says the signature was NOT verified, and still exits 0', async () => {
    const result = await runCli(['decode', mint(goodClaims(), key)]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/signature\s+NOT verified/);
    expect(result.stdout).toMatch(/- jwt\.signature\s+signature NOT verified/);
    expect(result.stdout).toMatch(/"exp": \d+,?\s+\/\/ .*expires in/);
  });

  it('an expired token exits 1 with jwt.exp failing', async () => {
    const result = await runCli(['decode', '--json', '--jwks', jwksFile, mint(goodClaims({ exp: nowSeconds() - 7200 }), key)]);
    expect(result.code).toBe(1);
    const doc = result.json();
    expect(doc.ok).toBe(false);
    expect(doc.checks.filter((c: { status: string }) => c.status === 'fail').map((c: { id: string }) => c.id)).toEqual(['jwt.exp']);
  });

  it('a tampered token exits 1 with jwt.signature failing, human output names it', async () => {
    const [h, , s] = mint(goodClaims(), key).split('.');
    const tampered = `${h}.${b64u(JSON.stringify(goodClaims({ sub: 'admin' })))}.${s}`;
    const result = await runCli(['decode', '--jwks', jwksFile, tampered]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/✖ jwt\.signature\s+RS256 signature does not verify/);
    expect(result.stdout).toMatch(/FAILED/);
  });

  it('--strict turns warnings into exit 1', async () => {
    const token = mint(goodClaims(), key, { jku: 'https://evil.example/keys' });
    expect((await runCli(['decode', '--jwks', jwksFile, token])).code).toBe(0);
    expect((await runCli(['decode', '--strict', '--jwks', jwksFile, token])).code).toBe(1);
  });

  it('reads a Bearer-prefixed token from stdin with -', async () => {
    const result = await runCli(['decode', '--json', '--jwks', jwksFile, '-'], { stdin: `Bearer ${mint(goodClaims(), key)}\n` });
    expect(result.code).toBe(0);
    expect(result.json().signature.verified).toBe(true);
  });

  it('many tokens on stdin give one NDJSON line each; a bad line does not stop the rest', async () => {
    const good = mint(goodClaims(), key);
    const expired = mint(goodClaims({ exp: nowSeconds() - 7200 }), key);
    const stdin = [good, '', 'not-a-token', expired, good].join('\n') + '\n';
    const result = await runCli(['decode', '--json', '--jwks', jwksFile], { stdin });
    expect(result.code).toBe(1);
    const lines = result.stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(lines.map((l) => [l.line, l.ok])).toEqual([[1, true], [3, false], [4, false], [5, true]]);
    expect(lines[1].checks[0].id).toBe('jwt.format');
    expect(lines[2].checks.find((c: { status: string }) => c.status === 'fail').id).toBe('jwt.exp');
  });

  it('batch human mode prints a line per token and a summary', async () => {
    const good = mint(goodClaims(), key);
    const result = await runCli(['decode', '--jwks', jwksFile, '-'], { stdin: `${good}\n${good}\n` });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('✔ ok    line 1\n✔ ok    line 2\nOK  2 tokens, 2 ok, 0 failed\n');
  });
});

describe('bad input: one line, exit 2, no stack trace', () => {
  const token = mint(goodClaims(), key);
  const cases: Array<[string, string[], string | Buffer | undefined, RegExp]> = [
    ['truncated', ['decode', token.slice(0, token.indexOf('.') + 5)], undefined, /expected 3 dot-separated parts/],
    ['bad base64', ['decode', `${token.split('.')[0]}.!!!!.abc`], undefined, /payload is not base64url/],
    ['binary', ['decode', '-'], Buffer.from([0xff, 0x00, 0xfe, 0x2e, 0x80, 0x2e, 0x01]), /not a JWT|not base64url/],
    ['huge', ['decode', '-'], `${'a'.repeat(2 * 1024 * 1024)}.b.c`, /refusing more than/],
    ['empty stdin', ['decode'], '', /no token on stdin/],
    ['missing jwks file', ['decode', '--jwks', '/nonexistent/keys.json', token], undefined, /cannot read --jwks file/],
    ['unknown flag', ['decode', '--frobnicate', token], undefined, /unknown option/],
    ['bad duration', ['decode', '--clock-skew', 'soon', token], undefined, /not a duration/],
  ];
  for (const [name, args, stdin, message] of cases) {
    it(name, async () => {
      const result = await runCli(args, stdin === undefined ? {} : { stdin });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(hasStackTrace(result.stderr)).toBe(false);
      expect(result.stdout).toBe('');
    });
  }
});

describe('the program', () => {
  it('--version prints the package version', async () => {
    const result = await runCli(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('decode --help shows examples', async () => {
    const result = await runCli(['decode', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Examples:\n\s+\$ oidc-cli decode/);
  });
});
