import { describe, expect, it } from 'vitest';
import type { ValidateOptions } from '../../../src/core/jwt/types.js';
import { validateJwt } from '../../../src/core/jwt/validate.js';
import { REFETCH_COOLDOWN_MS, RemoteKeySet } from '../../../src/core/remote-keys.js';
import type { JWK } from 'jose';
import { CliError } from '../../../src/errors.js';
import { b64u, ecKey, edKey, goodClaims, mint, nowSeconds, rsaKey, signText } from '../../support/tokens.js';

const rsa = rsaKey('rsa-1');
const ec = ecKey('ec-1');
const other = rsaKey('rsa-other');

function options(overrides: Partial<ValidateOptions> = {}): ValidateOptions {
  return {
    prefix: 'jwt',
    keys: { keys: [rsa.jwk, ec.jwk], label: 'test keys', published: true },
    expect: { issuer: 'https://idp.test', audience: 'client-1' },
    clockSkew: 60,
    now: nowSeconds(),
    ...overrides,
  };
}

async function statusOf(token: string, id: string, opts: ValidateOptions = options()) {
  const result = await validateJwt(token, opts);
  const check = result.checks.find((c) => c.id === id);
  if (!check) throw new Error(`no check ${id} in ${result.checks.map((c) => c.id).join(', ')}`);
  return check;
}

describe('a sound token', () => {
  it('passes every check with keys and expectations, signature verified', async () => {
    for (const key of [rsa, ec]) {
      const result = await validateJwt(mint(goodClaims(), key), options());
      expect(result.checks.filter((c) => c.status !== 'pass' && c.status !== 'skip')).toEqual([]);
      expect(result.signature.verified).toBe(true);
      expect(result.signature.keyThumbprint).toMatch(/^[\w-]{43}$/);
    }
  });

  it('verifies EdDSA (Ed25519) tokens', async () => {
    const ed = edKey();
    const result = await validateJwt(mint(goodClaims(), ed), options({ keys: { keys: [ed.jwk], label: 'ed' } }));
    expect(result.signature.verified).toBe(true);
  });

  it('without keys the signature is a skip that says NOT verified, never a pass', async () => {
    const result = await validateJwt(mint(goodClaims(), rsa), options({ keys: undefined }));
    const signature = result.checks.find((c) => c.id === 'jwt.signature')!;
    expect(signature.status).toBe('skip');
    expect(signature.message).toMatch(/NOT verified/);
    expect(result.signature.verified).toBe(false);
  });
});

describe('signature and alg attacks', () => {
  it('refuses alg none in any spelling', async () => {
    for (const alg of ['none', 'None', 'NONE', 'nOnE', ' none']) {
      const token = `${b64u(JSON.stringify({ alg }))}.${b64u(JSON.stringify(goodClaims()))}.`;
      expect((await statusOf(token, 'jwt.alg')).status).toBe('fail');
      expect((await statusOf(token, 'jwt.signature')).status).toBe('fail');
    }
  });

  it('fails a stripped signature', async () => {
    const [h, p] = mint(goodClaims(), rsa).split('.');
    expect((await statusOf(`${h}.${p}.`, 'jwt.signature')).message).toMatch(/empty/);
  });

  it('fails a tampered payload', async () => {
    const [h, , s] = mint(goodClaims(), rsa).split('.');
    const token = `${h}.${b64u(JSON.stringify(goodClaims({ sub: 'admin' })))}.${s}`;
    expect((await statusOf(token, 'jwt.signature')).status).toBe('fail');
  });

  it('refuses RS256→HS256 key confusion (HMAC keyed with the public key)', async () => {
    const publicPem = rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    const token = mint(goodClaims(), { secret: publicPem, alg: 'HS256' }, { kid: 'rsa-1' });
    const alg = await statusOf(token, 'jwt.alg');
    expect(alg.status).toBe('fail');
    expect(alg.message).toMatch(/confusion/);
  });

  it('verifies HS256 with a long enough secret and refuses a short one', async () => {
    const secret = 'x'.repeat(32);
    const token = mint(goodClaims(), { secret, alg: 'HS256' });
    const ok = await validateJwt(token, options({ keys: undefined, secret: Buffer.from(secret) }));
    expect(ok.signature.verified).toBe(true);
    const weak = mint(goodClaims(), { secret: 'short', alg: 'HS256' });
    expect((await statusOf(weak, 'jwt.alg', options({ keys: undefined, secret: Buffer.from('short') }))).message).toMatch(/at least 32 bytes/);
  });

  it('ignores a key embedded in the header (jwk) and flags it', async () => {
    const token = mint(goodClaims(), other, { jwk: other.jwk, kid: undefined });
    expect((await statusOf(token, 'jwt.header_keys')).status).toBe('warn');
    // Signed by a key the verifier does not trust: the embedded key must not make it pass.
    expect((await statusOf(token, 'jwt.signature')).status).toBe('fail');
  });

  it('flags jku and x5u and never fetches them', async () => {
    const token = mint(goodClaims(), rsa, { jku: 'http://127.0.0.1:1/keys', x5u: 'http://127.0.0.1:1/cert' });
    const check = await statusOf(token, 'jwt.header_keys');
    expect(check.status).toBe('warn');
    expect(check.message).toContain('jku=http://127.0.0.1:1/keys');
    expect((await statusOf(token, 'jwt.signature')).status).toBe('pass');
  });

  it('enforces an --alg allow-list', async () => {
    const token = mint(goodClaims(), ec);
    expect((await statusOf(token, 'jwt.alg', options({ algorithms: ['RS256'] }))).status).toBe('fail');
    expect((await statusOf(token, 'jwt.alg', options({ algorithms: ['ES256'] }))).status).toBe('pass');
  });

  it('fails an out-of-range ECDSA signature (r = s = 0)', async () => {
    const [h, p] = mint(goodClaims(), ec).split('.');
    expect((await statusOf(`${h}.${p}.${b64u(Buffer.alloc(64))}`, 'jwt.signature')).status).toBe('fail');
  });

  it('fails unknown crit', async () => {
    const token = mint(goodClaims(), rsa, { crit: ['exp-ext'], 'exp-ext': true });
    expect((await statusOf(token, 'jwt.crit')).status).toBe('fail');
    expect((await statusOf(mint(goodClaims(), rsa), 'jwt.crit')).status).toBe('pass');
  });
});

describe('key selection', () => {
  // A remote key set as core/remote-keys.ts builds it, with a counting loader; by default it was fetched
  // a cooldown ago, so the first unknown kid may refetch.
  const remote = (loaded: JWK[][], clock?: () => number) => {
    let calls = 0;
    let now = 0;
    const set = new RemoteKeySet([rsa.jwk], 'test keys', async () => loaded[Math.min(calls++, loaded.length - 1)]!, clock ?? (() => now));
    now = REFETCH_COOLDOWN_MS;
    return { set, calls: () => calls };
  };

  it('a kid that names an encryption key says so (its alg or use), and fetches nothing again', async () => {
    const { alg: _alg, use: _use, ...material } = rsaKey('enc1').jwk;
    const token = mint(goodClaims(), rsaKey('enc1'));
    for (const [key, named] of [[{ ...material, alg: 'RSA-OAEP-256' }, 'alg RSA-OAEP-256, a JWE key-management algorithm'], [{ ...material, use: 'enc' }, 'use "enc"']] as const) {
      let fetches = 0;
      const keys = { keys: [key as JWK], label: 'test keys', published: true, refetch: async () => (fetches++, true) };
      const check = await statusOf(token, 'jwt.key', options({ keys }));
      expect(check.status).toBe('fail');
      expect(check.message).toBe(`kid "enc1" in test keys names an encryption key (${named}): it cannot verify a signature`);
      expect(fetches).toBe(0);
    }
    // the other way: the same kid on a signing key is no such case
    expect((await statusOf(token, 'jwt.key', options({ keys: { keys: [{ ...material, alg: 'RS256' } as JWK], label: 'test keys', published: true } }))).message).not.toContain('encryption');
  });

  it('fails an unknown kid, after one refetch', async () => {
    const { set, calls } = remote([[rsa.jwk]]);
    const check = await statusOf(mint(goodClaims(), other), 'jwt.key', options({ keys: set }));
    expect(check.status).toBe('fail');
    expect(check.message).toContain('rsa-other');
    expect(check.message).toContain('after fetching the keys again');
    expect(calls()).toBe(1);
  });

  it('refetches a key set once per 30 s, not once per token naming an unknown kid (batch input)', async () => {
    let now = 0;
    const { set, calls } = remote([[rsa.jwk]], () => now);
    now = REFETCH_COOLDOWN_MS; // the set was fetched at 0: one refetch allowed now
    for (let i = 0; i < 5; i++) expect((await statusOf(mint(goodClaims(), rsaKey(`unknown-${i}`)), 'jwt.key', options({ keys: set }))).status).toBe('fail');
    expect(calls()).toBe(1);
    now += REFETCH_COOLDOWN_MS; // and one more after the cooldown
    await statusOf(mint(goodClaims(), rsaKey('unknown-later')), 'jwt.key', options({ keys: set }));
    expect(calls()).toBe(2);
  });

  it('shares one refetch among tokens judged at once (200 unknown kids in a batch: one fetch)', async () => {
    const { set, calls } = remote([[rsa.jwk]]);
    const unknown = [0, 1, 2, 3].map((i) => rsaKey(`unknown-${i}`));
    const tokens = Array.from({ length: 200 }, (_, i) => mint(goodClaims(), unknown[i % 4]!));
    const results = await Promise.all(tokens.map((token) => validateJwt(token, options({ keys: set }))));
    expect(results.every((result) => !result.signature.verified)).toBe(true);
    expect(calls()).toBe(1);
  });

  it('finds a rotated key on the refetch, and keeps it for the next token without fetching again', async () => {
    const { set, calls } = remote([[rsa.jwk, other.jwk]]);
    expect((await validateJwt(mint(goodClaims(), other), options({ keys: set }))).signature.verified).toBe(true);
    expect((await validateJwt(mint(goodClaims(), other), options({ keys: set }))).signature.verified).toBe(true);
    expect(calls()).toBe(1);
  });

  it('a signature that fails under a known kid: the set is fetched again, and a key replaced under the same kid is found and named', async () => {
    const replaced = rsaKey('rsa-1'); // a new key pair under the old kid
    const { set, calls } = remote([[replaced.jwk]]);
    const result = await validateJwt(mint(goodClaims(), replaced), options({ keys: set }));
    expect(result.signature.verified).toBe(true);
    expect(result.checks.find((c) => c.id === 'jwt.signature')?.message).toMatch(/fetched again: the key under kid "rsa-1" had changed/);
    expect(calls()).toBe(1);
  });

  it('a signature that fails under a known kid and again after fetching: says so, the token altered or signed with an unpublished key', async () => {
    const { set } = remote([[rsa.jwk]]);
    const [h, p] = mint(goodClaims(), rsa).split('.');
    const forged = `${h}.${p}.${mint(goodClaims(), rsaKey('rsa-1')).split('.')[2]}`;
    const check = await statusOf(forged, 'jwt.signature', options({ keys: set }));
    expect(check.status).toBe('fail');
    expect(check.message).toMatch(/nor after fetching the key set again \(the same keys came back\)/);
  });

  it('does not refetch within the cooldown of the first fetch', async () => {
    const { set, calls } = remote([[rsa.jwk, other.jwk]], Date.now);
    expect((await statusOf(mint(goodClaims(), other), 'jwt.key', options({ keys: set }))).status).toBe('fail');
    expect(calls()).toBe(0);
  });

  it('warns when there is no kid and several keys fit (fail for an ID token)', async () => {
    const second = rsaKey('rsa-2');
    const token = mint(goodClaims(), rsa, { kid: undefined });
    const keys = { keys: [rsa.jwk, second.jwk], label: 'two keys' };
    expect((await statusOf(token, 'jwt.key', options({ keys }))).status).toBe('warn');
    expect((await statusOf(token, 'id_token.key', options({ keys, prefix: 'id_token' }))).status).toBe('fail');
    // Still verified: each candidate is tried.
    expect((await validateJwt(token, options({ keys }))).signature.verified).toBe(true);
  });

  it('does not use a key whose use is enc or whose key_ops exclude verify', async () => {
    const token = mint(goodClaims(), rsa);
    for (const jwk of [{ ...rsa.jwk, use: 'enc' }, { ...rsa.jwk, use: undefined, key_ops: ['encrypt'] }]) {
      expect((await statusOf(token, 'jwt.key', options({ keys: { keys: [jwk], label: 'k' } }))).status).toBe('fail');
    }
  });

  it('a signature that does not verify names the likely cause when the token comes from another issuer', async () => {
    // signed with another key under the same kid, and issued by someone else
    const foreign = mint(goodClaims({ iss: 'https://other-idp.test' }), other, { kid: 'rsa-1' });
    const result = await statusOf(foreign, 'jwt.signature');
    expect(result.status).toBe('fail');
    expect(result.message).toContain('the token\'s iss is "https://other-idp.test", not "https://idp.test"');
    expect(result.message).toContain('oidc-cli decode --issuer https://other-idp.test TOKEN');
    // the same bad signature from the expected issuer: no such guess
    const tampered = mint(goodClaims(), other, { kid: 'rsa-1' });
    expect((await statusOf(tampered, 'jwt.signature')).message).not.toContain('iss is');
  });

  it('never verifies with a key that can only encrypt: a JWE alg on the matching key', async () => {
    const token = mint(goodClaims(), rsa);
    const wrapping = { ...rsa.jwk, use: undefined, alg: 'RSA-OAEP-256' };
    expect((await statusOf(token, 'jwt.key', options({ keys: { keys: [wrapping], label: 'k' } }))).status).toBe('fail');
  });

  it('warns on an odd kid, and not on the "/" and "+" of a base64 digest', async () => {
    for (const kid of ['../../etc/passwd', "k' OR 1=1", 'a'.repeat(300), 'k\u0000', 'k\u009b']) {
      expect((await statusOf(mint(goodClaims(), rsa, { kid }), 'jwt.kid')).status).toBe('warn');
    }
    for (const kid of ['nOo3ZDrODXEK1jKWhXslHR/jIAo+Ub4Ky2Wq0bx4Eqo=', 'tenant/2024-11/signing', 'a.b..c']) {
      expect((await statusOf(mint(goodClaims(), rsa, { kid }), 'jwt.kid')).status).toBe('pass');
    }
  });
});

describe('claims', () => {
  it('exp: missing, expired and far future', async () => {
    const { exp: _, ...noExp } = goodClaims();
    expect((await statusOf(mint(noExp, rsa), 'jwt.exp')).status).toBe('fail');
    const expired = await statusOf(mint(goodClaims({ exp: nowSeconds() - 3600 }), rsa), 'jwt.exp');
    expect(expired.status).toBe('fail');
    expect(expired.message).toMatch(/expired 1h/);
    // Within the clock skew it still passes.
    expect((await statusOf(mint(goodClaims({ exp: nowSeconds() - 30 }), rsa), 'jwt.exp')).status).toBe('pass');
    expect((await statusOf(mint(goodClaims({ exp: Date.now() }), rsa), 'jwt.exp_horizon')).message).toMatch(/milliseconds/);
  });

  it('reports the skew against the IdP Date header when a time check fails', async () => {
    const now = nowSeconds();
    const check = await statusOf(mint(goodClaims({ exp: now - 600 }), rsa), 'jwt.exp', options({ now, serverDate: new Date((now - 900) * 1000) }));
    expect(check.message).toMatch(/15m ahead of the IdP/);
  });

  it('nbf in the future fails; iat in the future at the catalogue severity: an ID token fails, any JWT warns', async () => {
    const future = nowSeconds() + 3600;
    expect((await statusOf(mint(goodClaims({ nbf: future }), rsa), 'jwt.nbf')).status).toBe('fail');
    expect((await statusOf(mint(goodClaims({ iat: future }), rsa), 'id_token.iat', options({ prefix: 'id_token' }))).status).toBe('fail');
    const jwtIat = await statusOf(mint(goodClaims({ iat: future }), rsa), 'jwt.iat');
    expect(jwtIat.status).toBe('warn');
    expect(jwtIat.message).toMatch(/issued in the future/);
    const { iat: _, ...noIat } = goodClaims();
    expect((await statusOf(mint(noIat, rsa), 'id_token.iat', options({ prefix: 'id_token' }))).status).toBe('fail');
  });

  it('iss must match exactly', async () => {
    const check = await statusOf(mint(goodClaims({ iss: 'https://idp.test/' }), rsa), 'jwt.iss');
    expect(check.status).toBe('fail');
    expect(check.message).toContain('"https://idp.test/"');
  });

  it('aud must contain the audience; several audiences need azp', async () => {
    expect((await statusOf(mint(goodClaims({ aud: 'someone-else' }), rsa), 'jwt.aud')).status).toBe('fail');
    expect((await statusOf(mint(goodClaims({ aud: ['x', 'client-1'] }), rsa), 'jwt.aud')).status).toBe('pass');
    expect((await statusOf(mint(goodClaims({ aud: ['x', 'client-1'] }), rsa), 'jwt.azp')).status).toBe('warn');
    expect((await statusOf(mint(goodClaims({ azp: 'other' }), rsa), 'jwt.azp')).status).toBe('warn');
    expect((await statusOf(mint(goodClaims({ azp: 'client-1', aud: ['x', 'client-1'] }), rsa), 'jwt.azp')).status).toBe('pass');
  });

  it('nonce: missing or different fails', async () => {
    const opts = options({ expect: { nonce: 'n-123' } });
    expect((await statusOf(mint(goodClaims(), rsa), 'jwt.nonce', opts)).status).toBe('fail');
    expect((await statusOf(mint(goodClaims({ nonce: 'other' }), rsa), 'jwt.nonce', opts)).status).toBe('fail');
    expect((await statusOf(mint(goodClaims({ nonce: 'n-123' }), rsa), 'jwt.nonce', opts)).status).toBe('pass');
  });

  it('auth_time is required with max_age and must be recent enough', async () => {
    const opts = options({ expect: { maxAge: 300 } });
    expect((await statusOf(mint(goodClaims(), rsa), 'jwt.auth_time', opts)).status).toBe('fail');
    expect((await statusOf(mint(goodClaims({ auth_time: nowSeconds() - 3600 }), rsa), 'jwt.auth_time', opts)).status).toBe('fail');
    expect((await statusOf(mint(goodClaims({ auth_time: nowSeconds() - 10 }), rsa), 'jwt.auth_time', opts)).status).toBe('pass');
  });

  it('sub must be 1-255 printable ASCII characters for an ID token', async () => {
    const opts = options({ prefix: 'id_token' });
    expect((await statusOf(mint(goodClaims({ sub: 'x'.repeat(256) }), rsa), 'id_token.sub', opts)).status).toBe('fail');
    expect((await statusOf(mint(goodClaims({ sub: 'é' }), rsa), 'id_token.sub', opts)).status).toBe('fail');
    expect((await statusOf(mint(goodClaims(), rsa), 'id_token.sub', opts)).status).toBe('pass');
  });

  it('typ at+jwt on an ID token fails; an access token without at+jwt warns', async () => {
    expect((await statusOf(mint(goodClaims(), rsa, { typ: 'at+jwt' }), 'id_token.typ', options({ prefix: 'id_token' }))).status).toBe('fail');
    expect((await statusOf(mint(goodClaims(), rsa, { typ: 'JWT' }), 'access_token.typ', options({ prefix: 'access_token' }))).status).toBe('warn');
    expect((await statusOf(mint(goodClaims(), rsa, { typ: 'application/at+jwt' }), 'access_token.typ', options({ prefix: 'access_token' }))).status).toBe('pass');
    expect((await statusOf(mint(goodClaims(), rsa, { typ: 'text/plain' }), 'jwt.typ')).status).toBe('warn');
  });

  it('an access token shaped like an ID token is flagged', async () => {
    const opts = options({ prefix: 'access_token', expect: { clientId: 'client-1' } });
    expect((await statusOf(mint(goodClaims(), rsa, { typ: 'at+jwt' }), 'access_token.looks_like_id_token', opts)).status).toBe('warn');
    expect((await statusOf(mint(goodClaims(), rsa, { typ: 'at+jwt' }), 'access_token.claims', opts)).message).toMatch(/client_id, jti/);
  });

  it('at_hash must match the access token when present', async () => {
    const accessToken = 'jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y';
    const opts = options({ prefix: 'id_token', expect: { accessToken } });
    // OIDC Core §3.1.3.6 example: this access token hashes to 77QmUPtjPfzWtF2AnpK9RQ with RS256.
    expect((await statusOf(mint(goodClaims({ at_hash: '77QmUPtjPfzWtF2AnpK9RQ' }), rsa), 'id_token.at_hash', opts)).status).toBe('pass');
    expect((await statusOf(mint(goodClaims({ at_hash: 'AAAAAAAAAAAAAAAAAAAAAA' }), rsa), 'id_token.at_hash', opts)).status).toBe('fail');
    expect((await statusOf(mint(goodClaims(), rsa), 'id_token.at_hash', opts)).status).toBe('skip');
  });

  it('c_hash is required for hybrid responses and must match', async () => {
    const code = 'Qcb0Orv1zh30vL1MPRsbm-diHiMwcLyZvn1arpZv-Jxf_11jnpEX3Tgfvk';
    const opts = options({ prefix: 'id_token', expect: { code, requireCHash: true } });
    expect((await statusOf(mint(goodClaims({ c_hash: 'LDktKdoQak3Pk0cnXxCltA' }), rsa), 'id_token.c_hash', opts)).status).toBe('pass');
    expect((await statusOf(mint(goodClaims(), rsa), 'id_token.c_hash', opts)).status).toBe('fail');
  });
});

describe('structure', () => {
  it('detects duplicate member names in header and payload, even escaped ones', async () => {
    const headerText = '{"alg":"RS256","kid":"rsa-1","alg":"RS256"}';
    const payloadText = JSON.stringify(goodClaims()).replace(/}$/, ',"s\\u0075b":"admin"}');
    const check = await statusOf(signText(headerText, payloadText, rsa), 'jwt.duplicate_members');
    expect(check.status).toBe('fail');
    expect(check.message).toBe('repeated member names: header.alg, payload.sub');
  });

  it('fails non-canonical base64url that lenient decoders accept', async () => {
    const token = mint(goodClaims(), rsa);
    const [h, p, s] = token.split('.');
    for (const variant of [`${h}=.${p}.${s}`, `${h}.${p}.${s!.replace(/-/g, '+').replace(/_/g, '/')}`]) {
      if (variant === token) continue;
      expect((await statusOf(variant, 'jwt.format')).status).toBe('fail');
    }
  });

  it('a JWE cannot satisfy what was asked: jwe, signature and each expected claim fail (or warn, at a warning severity), nothing passes', async () => {
    const jwe = `${b64u(JSON.stringify({ alg: 'RSA-OAEP-256', enc: 'A256GCM', cty: 'JWT' }))}.${b64u('k')}.${b64u('iv')}.${b64u('ct')}.${b64u('tag')}`;
    const result = await validateJwt(jwe, options());
    expect(result.parsed.kind).toBe('jwe');
    expect(result.signature.verified).toBe(false);
    const byStatus = (status: string) => result.checks.filter((c) => c.status === status).map((c) => c.id);
    expect(byStatus('fail')).toEqual(['jwt.jwe', 'jwt.signature', 'jwt.iss', 'jwt.aud']);
    expect(byStatus('pass')).toEqual(['jwt.format', 'jwt.duplicate_members']);
    const idToken = await validateJwt(jwe, options({ prefix: 'id_token', keys: undefined, expect: {} }));
    expect(idToken.checks.filter((c) => c.status === 'fail').map((c) => c.id)).toEqual(['id_token.jwe', 'id_token.signature', 'id_token.exp', 'id_token.iat', 'id_token.sub']);
    // An access token's iat and sub are warnings in the catalogue (RFC 9068 §2.2 claims a resource server need not check).
    const accessToken = await validateJwt(jwe, options({ prefix: 'access_token', keys: undefined, expect: {} }));
    expect(accessToken.checks.filter((c) => c.status === 'fail').map((c) => c.id)).toEqual(['access_token.jwe', 'access_token.signature', 'access_token.exp']);
    expect(accessToken.checks.filter((c) => c.status === 'warn').map((c) => c.id)).toEqual(['access_token.iat', 'access_token.sub']);
    expect(accessToken.checks.filter((c) => c.status === 'pass').map((c) => c.id)).toEqual(['access_token.format', 'access_token.duplicate_members']);
  });

  it('a JWE with nothing asked of it: every check skipped with the reason, none fails or passes', async () => {
    const jwe = `${b64u(JSON.stringify({ alg: 'dir', enc: 'A128GCM' }))}.${b64u('')}.${b64u('iv')}.${b64u('ct')}.${b64u('tag')}`;
    const result = await validateJwt(jwe, options({ keys: undefined, expect: {} }));
    expect(result.checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect(result.checks.find((c) => c.id === 'jwt.jwe')).toMatchObject({ status: 'skip', message: expect.stringMatching(/only the header can be read/) });
  });

  it('a local oct key shorter than the hash is refused for HMAC (RFC 7518 §3.2), a long enough one verifies', async () => {
    const short = { kty: 'oct', kid: 'h', k: b64u('too-short') };
    const token = mint(goodClaims(), { secret: 'too-short', alg: 'HS256' }, { kid: 'h' });
    const check = await statusOf(token, 'jwt.key', options({ keys: { keys: [short], label: 'file k.json', published: false } }));
    expect(check).toMatchObject({ status: 'fail', message: expect.stringMatching(/k has 9 bytes; HMAC needs at least 32/) });
    const secret = 'a-local-hmac-key-that-is-long-enough-32';
    const good = mint(goodClaims(), { secret, alg: 'HS256' }, { kid: 'h' });
    expect((await validateJwt(good, options({ keys: { keys: [{ kty: 'oct', kid: 'h', k: b64u(secret) }], label: 'file k.json', published: false } }))).signature.verified).toBe(true);
  });

  it('thousands of keys under one kid: jwt.key fails as ambiguous and only the first 10 are tried, in well under a second', async () => {
    const signer = ecKey('k');
    const decoys = Array.from({ length: 2000 }, () => ({ ...ecKey('k').jwk }));
    const token = mint(goodClaims(), signer);
    const started = performance.now();
    const result = await validateJwt(token, options({ keys: { keys: [...decoys, signer.jwk], label: 'big set', published: true } }));
    expect(performance.now() - started).toBeLessThan(1500);
    expect(result.checks.find((c) => c.id === 'jwt.key')).toMatchObject({ status: 'fail', message: expect.stringMatching(/2001 keys in big set fit ES256 under kid "k": key selection is ambiguous; only the first 10 are tried/) });
    expect(result.signature.verified).toBe(false);
    const two = await validateJwt(token, options({ keys: { keys: [decoys[0]!, signer.jwk], label: 'two', published: true } }));
    expect(two.signature.verified).toBe(true);
    expect(two.checks.find((c) => c.id === 'jwt.key')?.status).toBe('warn');
  });

  it('throws INPUT for things that are not tokens', async () => {
    for (const bad of ['', 'abc', 'a.b', 'a.b.c.d', '!!!.e30.', `${b64u('not json')}.e30.`, `${b64u('[1]')}.e30.`, `${b64u(Buffer.from([0xff, 0xfe]))}.e30.`, `${b64u('{"alg":"dir","enc":"A128GCM"}')}..aXY.!!!.dGFn`]) {
      await expect(validateJwt(bad, options())).rejects.toSatisfy((e: unknown) => e instanceof CliError && e.code === 'INPUT');
    }
  });

  it('shows a non-JSON payload as text and skips claims', async () => {
    const token = signText('{"alg":"RS256","kid":"rsa-1"}', 'hello, world', rsa);
    const result = await validateJwt(token, options());
    expect(result.parsed.payloadText).toBe('hello, world');
    expect(result.signature.verified).toBe(true);
  });

  it('accepts a Bearer prefix and surrounding whitespace', async () => {
    const result = await validateJwt(`  Bearer ${mint(goodClaims(), rsa)}\n`, options());
    expect(result.signature.verified).toBe(true);
  });
});
