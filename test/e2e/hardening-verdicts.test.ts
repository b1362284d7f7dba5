// Verdicts that must not pass: a token nobody here can decrypt (a 5-part JWE) never satisfies a
// signature or claim expectation, in decode, login, check and the lifecycle commands.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveTokens } from '../../src/store/cache.js';
import { soundJwks, startBadIdp, type BadIdp } from '../support/bad-idp.js';
import { hasStackTrace, runCli } from '../support/cli.js';
import { startBadLifecycleIdp } from '../support/lifecycle-bad-idp.js';
import { startScriptedIdp, type Fault } from '../support/scripted-idp.js';
import { b64u, ecKey, edKey, fakeJwe, forgeForExponentOne, goodClaims, mint, rsaKey, signText, type TestKey } from '../support/tokens.js';

type Check = { id: string; status: string; message: string };
const status = (checks: Check[], id: string) => checks.find((c) => c.id === id)?.status;
const failed = (checks: Check[]) => checks.filter((c) => c.status === 'fail').map((c) => c.id);

let dir: string;
let jwksFile: string;
let idp: BadIdp;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oidc-cli-verdicts-'));
  jwksFile = join(dir, 'keys.json');
  await writeFile(jwksFile, JSON.stringify(soundJwks()));
  idp = await startBadIdp();
});
afterAll(async () => {
  await idp?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('decode: a 5-part JWE is never a pass', () => {
  const jwe = fakeJwe({ alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: 'rsa-1', cty: 'JWT' });

  it('with --jwks FILE and claim expectations: exit 1, jwt.jwe and every requested check fail', async () => {
    const result = await runCli(['decode', '--json', '--jwks', jwksFile, '--iss', 'https://idp.test', '--aud', 'client-1', jwe]);
    expect(result.code, result.stdout).toBe(1);
    const doc = result.json<{ ok: boolean; kind: string; checks: Check[]; signature: { verified: boolean } }>();
    expect(doc.ok).toBe(false);
    expect(doc.kind).toBe('JWE');
    expect(doc.signature.verified).toBe(false);
    // Each expectation the user asked for is reported, and none of them can hold.
    expect(failed(doc.checks)).toEqual(expect.arrayContaining(['jwt.jwe', 'jwt.signature', 'jwt.iss', 'jwt.aud']));
    expect(doc.checks.find((c) => c.id === 'jwt.iss')?.message).toMatch(/encrypted/);
    expect(doc.checks.some((c) => c.status === 'pass' && /^jwt\.(signature|iss|aud|exp|key)$/.test(c.id))).toBe(false);
  });

  it('with --jwks URL (a JWKS served on 127.0.0.1): exit 1, jwt.signature fails', async () => {
    const result = await runCli(['decode', '--json', '--jwks', `${idp.issuer}/jwks`, jwe]);
    expect(result.code, result.stdout).toBe(1);
    const doc = result.json<{ checks: Check[] }>();
    expect(status(doc.checks, 'jwt.jwe')).toBe('fail');
    expect(status(doc.checks, 'jwt.signature')).toBe('fail');
  });

  it('with --issuer (discovery, then jwks_uri): exit 1', async () => {
    const result = await runCli(['decode', '--json', '--issuer', idp.issuer, jwe]);
    expect(result.code, result.stdout).toBe(1);
    expect(failed(result.json<{ checks: Check[] }>().checks)).toEqual(expect.arrayContaining(['jwt.jwe', 'jwt.signature', 'jwt.iss']));
  });

  it('with --secret only: exit 1', async () => {
    const result = await runCli(['decode', '--json', '--secret', 'a-shared-secret-of-32-bytes-or-more!!', fakeJwe({ alg: 'dir', enc: 'A256GCM' })]);
    expect(result.code, result.stdout).toBe(1);
    expect(status(result.json<{ checks: Check[] }>().checks, 'jwt.signature')).toBe('fail');
  });

  it('with only --alg: exit 1, jwt.alg fails (the header alg of a JWE is a key management alg)', async () => {
    const result = await runCli(['decode', '--json', '--alg', 'RS256', jwe]);
    expect(result.code, result.stdout).toBe(1);
    expect(failed(result.json<{ checks: Check[] }>().checks)).toEqual(['jwt.jwe', 'jwt.alg']);
  });

  it('with nothing asked of it: exit 0, only the header is shown, every check skipped with the reason', async () => {
    const result = await runCli(['decode', '--json', jwe]);
    expect(result.code, result.stdout).toBe(0);
    const doc = result.json<{ checks: Check[]; header: Record<string, unknown> }>();
    expect(doc.header.enc).toBe('A256GCM');
    expect(status(doc.checks, 'jwt.jwe')).toBe('skip');
    expect(status(doc.checks, 'jwt.signature')).toBe('skip');
    expect(doc.checks.find((c) => c.id === 'jwt.jwe')?.message).toMatch(/only the header can be read/);
  });

  it('human output names the failure; no stack trace', async () => {
    const result = await runCli(['decode', '--jwks', jwksFile, '--aud', 'client-1', jwe]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/✖ jwt\.jwe\s+.*encrypted/);
    expect(result.stdout).toMatch(/FAILED/);
    expect(hasStackTrace(result.stdout + result.stderr)).toBe(false);
  });

  it('batch input: the JWE line is not ok, the exit code is 1', async () => {
    const result = await runCli(['decode', '--json', '--jwks', jwksFile, '-'], { stdin: `${jwe}\n${fakeJwe()}\n` });
    expect(result.code).toBe(1);
    const lines = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { ok: boolean });
    expect(lines.map((line) => line.ok)).toEqual([false, false]);
  });
});

const BROWSER = 'node dist/test/support/scripted-idp.js browse';

async function loginAgainst(fault: Fault, command: 'login' | 'check' = 'login', extra: string[] = []) {
  const scripted = await startScriptedIdp(fault);
  try {
    const args = [command, '--issuer', scripted.issuer, '--client-id', scripted.client_id, '--browser-command', BROWSER, '--timeout', '20', '--json', ...extra];
    return await runCli(args, { env: { XDG_CACHE_HOME: join(dir, 'cache'), XDG_CONFIG_HOME: join(dir, 'config'), BROWSER: undefined }, timeoutMs: 40_000 });
  } finally {
    await scripted.close();
  }
}

describe('decode: a JWS whose payload is not a claims set never satisfies a claim expectation', () => {
  // HS256 over a nested JWT (cty JWT, the payload a 5-part JWE string) and over plain text: the signature
  // verifies, but there is no iss, aud or nonce in it to check.
  const secret = 'a-shared-secret-of-32-bytes-or-more!!';
  const nested = signText(JSON.stringify({ alg: 'HS256', cty: 'JWT' }), fakeJwe(), { secret, alg: 'HS256' });
  const text = signText(JSON.stringify({ alg: 'HS256' }), 'hello, not claims', { secret, alg: 'HS256' });

  for (const [name, token] of [['a nested JWT', nested], ['a text payload', text]] as const) {
    it(`${name} with --iss, --aud and --nonce: exit 1, each expectation fails with the reason`, async () => {
      const result = await runCli(['decode', '--json', '--secret', secret, '--iss', 'https://idp.test', '--aud', 'client-1', '--nonce', 'n-1', token]);
      expect(result.code, result.stdout).toBe(1);
      const doc = result.json<{ ok: boolean; checks: Check[] }>();
      expect(status(doc.checks, 'jwt.signature')).toBe('pass');
      expect(failed(doc.checks)).toEqual(['jwt.iss', 'jwt.aud', 'jwt.nonce']);
      expect(doc.checks.find((c) => c.id === 'jwt.iss')?.message).toMatch(name === 'a nested JWT' ? /nested JWT \(cty "JWT"\)/ : /not a JSON claims set/);
    });
  }

  it('with nothing asked of its claims: exit 0, each claim skipped with the reason', async () => {
    const result = await runCli(['decode', '--json', '--secret', secret, nested]);
    expect(result.code, result.stdout).toBe(0);
    const doc = result.json<{ checks: Check[] }>();
    expect(status(doc.checks, 'jwt.iss')).toBe('skip');
    expect(status(doc.checks, 'jwt.exp')).toBe('skip');
  });
});

describe('decode --secret on a token whose alg takes a public key: a signature was asked for and cannot be had', () => {
  it('RS256, ES256 and EdDSA tokens with only --secret: exit 1, jwt.key and jwt.signature fail (an alg swap must not skip to exit 0)', async () => {
    for (const key of [rsaKey('rsa-swap'), ecKey('ec-swap'), edKey('ed-swap')]) {
      const result = await runCli(['decode', '--json', '--secret', 'a-shared-secret-of-32-bytes-or-more!!', '--iss', 'https://idp.test', mint(goodClaims(), key)]);
      expect(result.code, result.stdout).toBe(1);
      const doc = result.json<{ checks: Check[] }>();
      expect(status(doc.checks, 'jwt.signature')).toBe('fail');
      expect(doc.checks.find((c) => c.id === 'jwt.key')?.message).toMatch(/only a shared secret was given/);
      // The hint names the right kind of key, not a rotation or a tampered token.
      expect(doc.checks.find((c) => c.id === 'jwt.key')?.hint).toMatch(/verify it with the public key \(--jwks FILE\|URL, or --issuer URL\)\. A shared secret \(--secret, --secret-file\) verifies HS256\/HS384\/HS512 tokens only\.$/);
      expect(doc.checks.find((c) => c.id === 'jwt.signature')?.message).toMatch(/\(--secret or --secret-file\)/);
    }
  });
});

describe('decode --issuer: keys named by a document of another issuer are never used (OIDC Discovery §4.3)', () => {
  it('jwks --issuer does not list them either: exit 1, discovery.issuer_match failed', async () => {
    const mismatched = await startScriptedIdp('none', { metadata: { issuer: 'https://someone-else.example' } });
    try {
      const result = await runCli(['jwks', '--json', '--issuer', mismatched.issuer]);
      expect(result.code, result.stderr).toBe(1);
      const doc = result.json<{ checks: Check[]; keys?: unknown }>();
      expect(failed(doc.checks)).toContain('discovery.issuer_match');
      expect(doc.keys).toBeUndefined();
    } finally {
      await mismatched.close();
    }
  });

  it('exit 1 with discovery.issuer_match failed, no token judged', async () => {
    const mismatched = await startScriptedIdp('none', { metadata: { issuer: 'https://someone-else.example' } });
    try {
      const result = await runCli(['decode', '--json', '--issuer', mismatched.issuer, mint(goodClaims({ iss: mismatched.issuer }), rsaKey('scripted-1'))]);
      expect(result.code, result.stderr).toBe(1);
      const doc = result.json<{ checks: Check[]; stopped_at: string }>();
      expect(failed(doc.checks)).toContain('discovery.issuer_match');
      expect(doc.checks.some((c) => c.id.startsWith('jwt.'))).toBe(false);
      expect(doc.stopped_at).toMatch(/not used \(OIDC Discovery §4\.3\)/);
    } finally {
      await mismatched.close();
    }
  });
});

describe('login and check: an ID token or access token that is a JWE fails its *.jwe check', { timeout: 60_000 }, () => {
  it('login with a 5-part id_token: exit 1, id_token.jwe and id_token.signature fail, cached flagged (not as good)', async () => {
    const result = await loginAgainst('jwe_id_token');
    expect(result.code, result.stderr).toBe(1);
    const doc = result.json<{ ok: boolean; checks: Check[]; cache: { saved: boolean; flagged: boolean; failed_checks: string[] } }>();
    expect(doc.ok).toBe(false);
    expect(failed(doc.checks)).toEqual(expect.arrayContaining(['id_token.jwe', 'id_token.signature', 'id_token.iss', 'id_token.aud', 'id_token.nonce']));
    expect(doc.checks.some((c) => c.id.startsWith('id_token.') && c.status === 'pass' && !['id_token.format', 'id_token.duplicate_members'].includes(c.id))).toBe(false);
    // Kept to investigate, flagged: `token` refuses it.
    expect(doc.cache).toMatchObject({ saved: true, flagged: true, failed_checks: expect.arrayContaining(['id_token.jwe', 'id_token.signature']) });
  });

  it('login with a 5-part access_token: exit 1, access_token.jwe fails', async () => {
    const result = await loginAgainst('jwe_access_token');
    expect(result.code, result.stderr).toBe(1);
    const doc = result.json<{ checks: Check[] }>();
    expect(status(doc.checks, 'access_token.jwe')).toBe('fail');
  });

  it('login and check with an id_token whose signed payload is a nested JWT: exit 1, iss, aud, sub, exp and nonce fail', async () => {
    const login = await loginAgainst('nested_id_token');
    expect(login.code, login.stderr).toBe(1);
    const doc = login.json<{ checks: Check[] }>();
    expect(status(doc.checks, 'id_token.signature')).toBe('pass');
    expect(failed(doc.checks)).toEqual(expect.arrayContaining(['id_token.iss', 'id_token.aud', 'id_token.sub', 'id_token.exp', 'id_token.nonce']));
    const check = await loginAgainst('nested_id_token', 'check', ['--only', 'id_token']);
    expect(check.code, check.stderr).toBe(1);
    expect(failed(check.json<{ checks: Check[] }>().checks)).toEqual(expect.arrayContaining(['id_token.iss', 'id_token.aud']));
  });

  it('login with an access token that is a malformed JOSE object (6 parts, an object alg) is judged, never "opaque"', async () => {
    const header = (h: Record<string, unknown>) => Buffer.from(JSON.stringify(h)).toString('base64url');
    for (const access_token of [`${header({ alg: 'RSA-OAEP', enc: 'A256GCM' })}.YQ.YQ.YQ.YQ.YQ`, `${header({ alg: { x: 1 }, enc: 'A256GCM' })}.YQ.YQ.YQ.YQ`]) {
      const scripted = await startScriptedIdp('none', { tokenResponse: { access_token } });
      try {
        const result = await runCli(['login', '--issuer', scripted.issuer, '--client-id', scripted.client_id, '--browser-command', BROWSER, '--timeout', '20', '--json'], { env: { XDG_CACHE_HOME: join(dir, 'cache'), XDG_CONFIG_HOME: join(dir, 'config') }, timeoutMs: 40_000 });
        expect(result.code, result.stderr).toBe(1);
        const checks = result.json<{ checks: Check[] }>().checks;
        expect(checks.find((c) => c.id === 'token_response.access_token_kind')?.message).not.toMatch(/opaque/);
        expect(failed(checks).some((id) => id.startsWith('access_token.'))).toBe(true);
      } finally {
        await scripted.close();
      }
    }
  });

  it('check with a 5-part id_token: exit 1, id_token.jwe fails', async () => {
    const result = await loginAgainst('jwe_id_token', 'check', ['--only', 'id_token']);
    expect(result.code, result.stderr).toBe(1);
    expect(status(result.json<{ checks: Check[] }>().checks, 'id_token.jwe')).toBe('fail');
  });
});

describe('the lifecycle: a JWE is judged wherever a token is', () => {
  it('refresh whose new id_token is a JWE: id_token.jwe fails, exit 1', async () => {
    const lifecycle = await startBadLifecycleIdp({ jweIdToken: true });
    try {
      const xdg = await mkdtemp(join(dir, 'xdg-'));
      const env = { XDG_CACHE_HOME: xdg, XDG_CONFIG_HOME: xdg, OIDC_ISSUER: lifecycle.issuer, OIDC_CLIENT_ID: 'cli-public' };
      const tokens = lifecycle.issue('cli-public');
      const now = Math.floor(Date.now() / 1000);
      await saveTokens({ issuer: lifecycle.issuer, client_id: 'cli-public', ...tokens, token_type: 'Bearer', expires_at: now + 300, scope: 'openid profile', obtained_at: now }, { env });
      const refresh = await runCli(['refresh', '--json'], { env });
      expect(refresh.code, refresh.stderr).toBe(1);
      const doc = refresh.json<{ checks: Check[] }>();
      expect(status(doc.checks, 'id_token.jwe')).toBe('fail');
      expect(status(doc.checks, 'id_token.signature')).toBe('fail');

      const introspect = await runCli(['introspect', '--json', '--no-probes', fakeJwe({ alg: 'RSA-OAEP-256', enc: 'A256GCM', typ: 'at+jwt' })], { env });
      expect(status(introspect.json<{ checks: Check[] }>().checks, 'access_token.jwe')).toBe('fail');
      expect(introspect.code).toBe(1);
    } finally {
      await lifecycle.close();
    }
  });
});

describe('keys anyone can forge with never verify', () => {
  const rsa = rsaKey('rsa-1');
  const claims = () => goodClaims();
  const expectations = ['--iss', 'https://idp.test', '--aud', 'client-1'];
  const served = (...keys: Array<Record<string, unknown>>) => idp.patchJwks(() => ({ keys }));
  const decodeWith = async (source: string, token: string) => {
    const result = await runCli(['decode', '--json', '--jwks', source, ...expectations, token]);
    return { result, doc: result.json<{ ok: boolean; checks: Check[]; signature: { verified: boolean } }>() };
  };
  const keyMessage = (checks: Check[]) => checks.find((c) => c.id === 'jwt.key')?.message ?? '';
  afterAll(() => idp.patchJwks(undefined));

  it('an oct key from --jwks URL is refused, and says why; the same key in a local --jwks FILE verifies', async () => {
    const secret = 'a-shared-hmac-key-of-at-least-32-bytes!!';
    const oct = { kty: 'oct', kid: 'hmac-1', alg: 'HS256', k: b64u(secret) };
    const token = mint(claims(), { secret, alg: 'HS256' }, { kid: 'hmac-1' });
    served(oct);
    const remote = await decodeWith(`${idp.issuer}/jwks`, token);
    expect(remote.result.code).toBe(1);
    expect(remote.doc.signature.verified).toBe(false);
    expect(status(remote.doc.checks, 'jwt.key')).toBe('fail');
    expect(keyMessage(remote.doc.checks)).toMatch(/symmetric \(oct\) key published at a URL is public knowledge/);
    const viaIssuer = await runCli(['decode', '--json', '--issuer', idp.issuer, '--aud', 'client-1', token]);
    expect(viaIssuer.json<{ signature: { verified: boolean } }>().signature.verified).toBe(false);
    expect(viaIssuer.code).toBe(1);

    const file = join(dir, 'oct.json');
    await writeFile(file, JSON.stringify({ keys: [oct] }));
    const local = await decodeWith(file, token);
    expect(local.result.code, JSON.stringify(failed(local.doc.checks))).toBe(0);
    expect(local.doc.signature.verified).toBe(true);
  });

  it('a published private key (d, p, q...) is refused: anyone who fetched the set can sign with it', async () => {
    served({ ...(rsa.privateKey.export({ format: 'jwk' }) as Record<string, unknown>), kid: 'rsa-1', alg: 'RS256', use: 'sig' });
    const { result, doc } = await decodeWith(`${idp.issuer}/jwks`, mint(claims(), rsa));
    expect(result.code).toBe(1);
    expect(doc.signature.verified).toBe(false);
    expect(keyMessage(doc.checks)).toMatch(/its private part \(d, p, q, dp, dq, qi\) is published at a URL/);
  });

  it('an RSA key with e = 1 is refused: a token forged without any private key does not verify', async () => {
    const forgeable = { ...rsa.jwk, e: 'AQ' };
    served(forgeable);
    const { result, doc } = await decodeWith(`${idp.issuer}/jwks`, forgeForExponentOne({ kid: 'rsa-1' }, claims(), forgeable.n!));
    expect(result.code).toBe(1);
    expect(doc.signature.verified).toBe(false);
    expect(keyMessage(doc.checks)).toMatch(/key "rsa-1" refused: e = 1/);
  });

  const unsafe: Array<[string, (jwk: Record<string, unknown>) => Record<string, unknown>, RegExp]> = [
    ['an even e', (jwk) => ({ ...jwk, e: b64u(Buffer.from([0x01, 0x00, 0x00])) }), /e = 65536 is even/],
    ['a huge e', (jwk) => ({ ...jwk, e: b64u(Buffer.concat([Buffer.from([1]), Buffer.alloc(8), Buffer.from([1])])) }), /e has 73 bits/],
    ['e = 0', (jwk) => ({ ...jwk, e: 'AA' }), /e = 0/],
  ];
  for (const [name, change, reason] of unsafe) {
    it(`an RSA key with ${name} is refused for verification (--jwks URL and FILE)`, async () => {
      const jwk = change(rsa.jwk as Record<string, unknown>);
      served(jwk);
      const token = mint(claims(), rsa);
      const remote = await decodeWith(`${idp.issuer}/jwks`, token);
      expect(remote.result.code).toBe(1);
      expect(keyMessage(remote.doc.checks)).toMatch(reason);
      const file = join(dir, 'unsafe.json');
      await writeFile(file, JSON.stringify({ keys: [jwk] }));
      expect((await decodeWith(file, token)).doc.signature.verified).toBe(false);
    });
  }

  it('an RSA modulus under 2048 bits is refused with the reason, not "does not verify"', async () => {
    const weak = rsaKey('rsa-1', 'RS256', 1024);
    served(weak.jwk as Record<string, unknown>);
    const { result, doc } = await decodeWith(`${idp.issuer}/jwks`, mint(claims(), weak));
    expect(result.code).toBe(1);
    expect(keyMessage(doc.checks)).toMatch(/n has 1024 bits \(minimum 2048\)/);
  });

  it('EC and OKP keys that are not points of their curve, or of the wrong length, never verify', async () => {
    const ec = ecKey('ec-1');
    const ed = edKey('ed-1');
    const flip = (value: string) => {
      const bytes = Buffer.from(value, 'base64url');
      bytes[bytes.length - 1] ^= 1;
      return b64u(bytes);
    };
    const cases: Array<[TestKey, Record<string, unknown>, RegExp]> = [
      [ec, { ...ec.jwk, y: flip(ec.jwk.y!) }, /not on P-256/],
      [ec, { ...ec.jwk, x: b64u(Buffer.from(ec.jwk.x!, 'base64url').subarray(1)) }, /x is 31 bytes, expected 32/],
      [ed, { ...ed.jwk, x: b64u(Buffer.concat([Buffer.from(ed.jwk.x!, 'base64url'), Buffer.from([0])])) }, /x is 33 bytes, expected 32/],
    ];
    for (const [key, jwk, reason] of cases) {
      served(jwk);
      const { result, doc } = await decodeWith(`${idp.issuer}/jwks`, mint(claims(), key));
      expect(result.code).toBe(1);
      expect(doc.signature.verified).toBe(false);
      expect(keyMessage(doc.checks)).toMatch(reason);
    }
  });

  it('an Ed25519 key of small order (the identity point) is refused: R = identity, S = 0 "verifies" any message', async () => {
    const identity = Buffer.alloc(32);
    identity[0] = 1;
    served({ kty: 'OKP', crv: 'Ed25519', kid: 'ed-1', x: b64u(identity) });
    const input = `${b64u(JSON.stringify({ alg: 'EdDSA', kid: 'ed-1' }))}.${b64u(JSON.stringify(claims()))}`;
    const { result, doc } = await decodeWith(`${idp.issuer}/jwks`, `${input}.${b64u(Buffer.concat([identity, Buffer.alloc(32)]))}`);
    expect(result.code).toBe(1);
    expect(doc.signature.verified).toBe(false);
    expect(keyMessage(doc.checks)).toMatch(/small order/);
    const audit = await runCli(['jwks', '--json', '--jwks-uri', `${idp.issuer}/jwks`]);
    expect(status(audit.json<{ checks: Check[] }>().checks, 'jwks.ec_point')).toBe('fail');
  });

  it('a key whose kty or crv disagrees with its alg, or an X25519 key for EdDSA, never verifies', async () => {
    const ec = ecKey('ec-1');
    const x25519 = { kty: 'OKP', crv: 'X25519', kid: 'ed-1', x: b64u(Buffer.alloc(32, 9)) };
    const cases: Array<[string, Record<string, unknown>]> = [
      [mint(claims(), ec), { ...ec.jwk, alg: 'ES384' }],
      [mint(claims(), rsa), { ...rsa.jwk, alg: 'ES256' }],
      [mint(claims(), edKey('ed-1')), x25519],
    ];
    for (const [token, jwk] of cases) {
      served(jwk);
      const { result, doc } = await decodeWith(`${idp.issuer}/jwks`, token);
      expect(result.code).toBe(1);
      expect(doc.signature.verified).toBe(false);
      expect(status(doc.checks, 'jwt.key')).toBe('fail');
    }
  });

  it('the jwks and discover audits fail the same keys: jwks.rsa_exponent, jwks.rsa_size, jwks.ec_point', async () => {
    const ec = ecKey('ec-1');
    const y = Buffer.from(ec.jwk.y!, 'base64url');
    y[0] ^= 0x40;
    served({ ...rsa.jwk, e: 'AQ' }, { ...rsaKey('rsa-weak', 'RS256', 1024).jwk }, { ...ec.jwk, y: b64u(y) });
    for (const args of [['jwks', '--jwks-uri', `${idp.issuer}/jwks`], ['discover', '--issuer', idp.issuer]]) {
      const result = await runCli([...args, '--json']);
      expect(result.code, args[0]).toBe(1);
      const checks = result.json<{ checks: Check[] }>().checks;
      expect(failed(checks), args[0]).toEqual(expect.arrayContaining(['jwks.rsa_exponent', 'jwks.rsa_size', 'jwks.ec_point']));
      expect(checks.find((c) => c.id === 'jwks.rsa_exponent')?.message).toMatch(/kid "rsa-1": e = 1/);
      expect(checks.find((c) => c.id === 'jwks.ec_point')?.message).toMatch(/kid "ec-1": the point \(x, y\) is not on P-256/);
    }
  });
});

describe('login: an id_token signed with a key anyone can forge with fails id_token.key', { timeout: 60_000 }, () => {
  it.each<[Fault, RegExp]>([
    ['forgeable_key', /e = 1/],
    ['published_hmac', /public knowledge/],
  ])('%s: exit 1, id_token.key and id_token.signature fail, cached flagged', async (fault, reason) => {
    const result = await loginAgainst(fault);
    expect(result.code, result.stderr).toBe(1);
    const doc = result.json<{ checks: Check[]; cache: { saved: boolean; flagged: boolean; failed_checks: string[] } }>();
    expect(failed(doc.checks)).toEqual(expect.arrayContaining(['id_token.key', 'id_token.signature']));
    expect(doc.checks.find((c) => c.id === 'id_token.key')?.message).toMatch(reason);
    expect(doc.cache).toMatchObject({ saved: true, flagged: true, failed_checks: expect.arrayContaining(['id_token.key', 'id_token.signature']) });
  });
});
