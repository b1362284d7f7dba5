import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { JWK } from 'jose';
import { auditJwks } from '../../../src/core/jwks-audit.js';
import { JWS_ALGORITHMS } from '../../../src/core/jwt/algorithms.js';
import { ecPointProblem, jwkThumbprint, rsaExponentProblem, rsaSizeProblem, shapeProblem, signatureKeyProblem, verificationRefusal } from '../../../src/core/jwt/jwk.js';
import { selectKeys } from '../../../src/core/jwt/keys.js';

const ecJwk = (namedCurve: string) => generateKeyPairSync('ec', { namedCurve }).publicKey.export({ format: 'jwk' }) as Record<string, unknown>;
const flipLastBit = (value: unknown) => {
  const bytes = Buffer.from(String(value), 'base64url');
  bytes[bytes.length - 1]! ^= 1;
  return bytes.toString('base64url');
};
/** Base64urlUInt (RFC 7518 §2): big-endian, minimal octets. */
const uint = (value: bigint) => {
  const hex = value.toString(16);
  return Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex').toString('base64url');
};

describe('EC points (SEC 1 §3.2.2.1)', () => {
  for (const [namedCurve, crv] of [['prime256v1', 'P-256'], ['secp384r1', 'P-384'], ['secp521r1', 'P-521'], ['secp256k1', 'secp256k1']]) {
    it(`${crv}: real keys are on the curve; a flipped bit of y is not`, () => {
      for (let i = 0; i < 5; i++) {
        const jwk = ecJwk(namedCurve!);
        expect(jwk.crv).toBe(crv);
        expect(ecPointProblem(jwk)).toBeUndefined();
        expect(ecPointProblem({ ...jwk, y: flipLastBit(jwk.y) })).toBe(`the point (x, y) is not on ${crv}`);
      }
    });
  }

  it('a coordinate not reduced modulo p is refused (the same point spelt x + p)', () => {
    const max = Buffer.alloc(32, 0xff).toString('base64url');
    expect(ecPointProblem({ ...ecJwk('prime256v1'), x: max })).toMatch(/not reduced modulo the P-256 field prime/);
  });
});

describe('RSA exponent and size', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' }) as Record<string, unknown>;

  it('accepts 3 and 65537; refuses 0, 1, even and over 64 bits', () => {
    expect(rsaExponentProblem(rsa)).toBeUndefined();
    expect(rsaExponentProblem({ ...rsa, e: uint(3n) })).toBeUndefined();
    expect(rsaExponentProblem({ ...rsa, e: uint(1n) })).toMatch(/^e = 1: every message is its own signature/);
    expect(rsaExponentProblem({ ...rsa, e: 'AA' })).toMatch(/^e = 0/);
    expect(rsaExponentProblem({ ...rsa, e: uint(65536n) })).toBe('e = 65536 is even (no RSA key has one)');
    expect(rsaExponentProblem({ ...rsa, e: uint(2n ** 64n + 1n) })).toMatch(/^e has 65 bits/);
    expect(rsaExponentProblem({ ...rsa, e: uint(2n ** 63n + 1n) })).toBeUndefined();
  });

  it('refuses moduli under 2048 and over 16384 bits', () => {
    expect(rsaSizeProblem(rsa)).toBeUndefined();
    expect(rsaSizeProblem({ ...rsa, n: Buffer.alloc(128, 0xff).toString('base64url') })).toBe('n has 1024 bits (minimum 2048)');
    expect(rsaSizeProblem({ ...rsa, n: Buffer.alloc(2049, 0xff).toString('base64url') })).toMatch(/^n has 16392 bits \(more than 16384/);
  });
});

describe('verificationRefusal', () => {
  it('refuses an oct key only when it was published at a URL', () => {
    const oct = { kty: 'oct', k: Buffer.alloc(32, 1).toString('base64url') };
    expect(verificationRefusal(oct, true)).toMatch(/public knowledge/);
    expect(verificationRefusal(oct, false)).toBeUndefined();
  });

  it('refuses OKP keys of the wrong length', () => {
    const ed = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }) as Record<string, unknown>;
    expect(verificationRefusal(ed, true)).toBeUndefined();
    expect(verificationRefusal({ ...ed, x: Buffer.alloc(31).toString('base64url') }, true)).toBe('x is 31 bytes, expected 32 for Ed25519');
  });
});

describe('Edwards points of small order (RFC 8032)', () => {
  const P = 2n ** 255n - 19n;
  const encode = (y: bigint, bytes = 32) => Buffer.from(y.toString(16).padStart(bytes * 2, '0'), 'hex').reverse().toString('base64url');
  const y8 = 0x05fc536d880238b13933c6d305acdfd5f098eff289f4c345b027b2c28f95e826n;

  it('the order-8 y satisfies d·y⁴ + 2y² - 1 = 0 over GF(2^255 - 19)', () => {
    const pow = (b: bigint, e: bigint): bigint => (e === 0n ? 1n : (pow((b * b) % P, e / 2n) * (e % 2n ? b : 1n)) % P);
    const d = (((-121665n % P) + P) * pow(121666n, P - 2n)) % P;
    expect((((d * y8 ** 4n + 2n * y8 ** 2n - 1n) % P) + P) % P).toBe(0n);
  });

  it('refuses the 8 small-order Ed25519 points (either sign of x), a non-canonical y, and no real key', () => {
    const ed = (x: string) => ({ kty: 'OKP', crv: 'Ed25519', x });
    for (const y of [0n, 1n, P - 1n, y8, P - y8]) {
      expect(verificationRefusal(ed(encode(y)), true)).toMatch(/small order/);
      const signed = Buffer.from(encode(y), 'base64url');
      signed[31]! |= 0x80;
      expect(verificationRefusal(ed(signed.toString('base64url')), true)).toMatch(/small order/);
    }
    expect(verificationRefusal(ed(encode(P + 1n)), true)).toMatch(/not a canonical Ed25519 point/);
    for (let i = 0; i < 20; i++) expect(verificationRefusal(generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }) as Record<string, unknown>, true)).toBeUndefined();
    for (let i = 0; i < 5; i++) expect(verificationRefusal(generateKeyPairSync('ed448').publicKey.export({ format: 'jwk' }) as Record<string, unknown>, true)).toBeUndefined();
    expect(verificationRefusal({ kty: 'OKP', crv: 'Ed448', x: encode(1n, 57) }, true)).toMatch(/small order/);
  });
});

describe('kty (RFC 7517 §4.1): registered or a URI; anything else is a malformed key', () => {
  it('a kty naming a member of Object.prototype is malformed, has no thumbprint, and is refused', () => {
    for (const kty of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '', 'rsa']) {
      expect(shapeProblem({ kty }), kty).toMatch(/^kty ".*" is not a key type/);
      expect(jwkThumbprint({ kty, n: 'AQAB', e: 'AQAB', crv: 'P-256', x: 'AA', y: 'AA', k: 'AA' }), kty).toBeUndefined();
      expect(verificationRefusal({ kty }, false), kty).toBeDefined();
    }
  });

  it('a registered kty oidc-cli does not verify with (AKP, RFC 9964), or a URI, is well formed for all it knows', () => {
    expect(shapeProblem({ kty: 'AKP', alg: 'ML-DSA-44', pub: 'AAAA' })).toBeUndefined();
    expect(shapeProblem({ kty: 'urn:example:kty' })).toBeUndefined();
    expect(shapeProblem({ kty: 'https://keys.example/type' })).toBeUndefined();
  });

  it('a crv naming a member of Object.prototype is no curve', () => {
    for (const crv of ['__proto__', 'constructor', 'toString']) {
      expect(shapeProblem({ kty: 'EC', crv, x: 'AA', y: 'AA' })).toBe(`crv "${crv}" is not a EC curve`);
      expect(shapeProblem({ kty: 'OKP', crv, x: 'AA' })).toBe(`crv "${crv}" is not a OKP curve`);
    }
  });

  it('a kty of a megabyte is quoted cut short', () => {
    expect(shapeProblem({ kty: 'x'.repeat(1_000_000) })!.length).toBeLessThan(200);
  });
});

describe('one judgement of "can this JWK verify a signature" (key selection and the key-set audit)', () => {
  const pub = (type: 'rsa' | 'ec' | 'ed25519' | 'x25519' | 'x448') =>
    (type === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : type === 'ec' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync(type as 'ed25519')).publicKey.export({ format: 'jwk' }) as Record<string, unknown>;
  const rsa = pub('rsa');
  const ec = pub('ec');
  const oct = { kty: 'oct', k: Buffer.alloc(32, 7).toString('base64url') };

  // Keys that can only encrypt, whatever else they say: a JWE key-management alg, an X25519/X448 curve, use or key_ops.
  const encryption: Array<[string, Record<string, unknown>, string]> = [
    ['RSA with alg RSA-OAEP-256, no use', { ...rsa, alg: 'RSA-OAEP-256' }, 'alg RSA-OAEP-256'],
    ['RSA with alg RSA-OAEP', { ...rsa, alg: 'RSA-OAEP' }, 'alg RSA-OAEP'],
    ['RSA with alg RSA1_5', { ...rsa, alg: 'RSA1_5' }, 'alg RSA1_5'],
    ['RSA with alg RSA-OAEP-256 and use "sig" (the alg wins: it cannot sign)', { ...rsa, alg: 'RSA-OAEP-256', use: 'sig' }, 'alg RSA-OAEP-256'],
    ['EC with alg ECDH-ES', { ...ec, alg: 'ECDH-ES' }, 'alg ECDH-ES'],
    ['EC with alg ECDH-ES+A256KW', { ...ec, alg: 'ECDH-ES+A256KW' }, 'alg ECDH-ES+A256KW'],
    ['oct with alg A128KW', { ...oct, alg: 'A128KW' }, 'alg A128KW'],
    ['oct with alg dir', { ...oct, alg: 'dir' }, 'alg dir'],
    ['X25519', pub('x25519'), 'crv X25519'],
    ['X448', pub('x448'), 'crv X448'],
    ['RSA with use "enc"', { ...rsa, use: 'enc' }, 'use "enc"'],
    ['RSA with key_ops ["wrapKey"]', { ...rsa, key_ops: ['wrapKey'] }, 'key_ops ["wrapKey"]'],
  ];

  it.each(encryption)('%s: an encryption key, never a signing key', (_, jwk, named) => {
    expect(signatureKeyProblem(jwk, false)).toMatch(/^an encryption key/);
    expect(signatureKeyProblem(jwk, false)).toContain(named);
  });

  it('keys that are for signatures, by what they say or by saying nothing, pass', () => {
    for (const jwk of [rsa, { ...rsa, alg: 'RS256' }, { ...rsa, alg: 'PS512', use: 'sig' }, { ...ec, alg: 'ES256', key_ops: ['verify'] }, pub('ed25519'), { ...pub('ed25519'), alg: 'EdDSA' }]) {
      expect(signatureKeyProblem(jwk, true)).toBeUndefined();
    }
    // a local secret may verify HMAC; the same secret published at a URL is public knowledge
    expect(signatureKeyProblem({ ...oct, alg: 'HS256' }, false)).toBeUndefined();
    expect(signatureKeyProblem({ ...oct, alg: 'HS256' }, true)).toMatch(/public knowledge/);
  });

  it('a key that says it is not for verifying is not a signing key either, and says why', () => {
    expect(signatureKeyProblem({ ...rsa, key_ops: ['sign'] }, true)).toBe('not for verifying signatures (key_ops ["sign"] has no "verify")');
    expect(signatureKeyProblem({ ...rsa, use: 'other' }, true)).toBe('not for verifying signatures (use "other", not "sig")');
  });

  it('the audit counts as signing keys exactly the keys key selection would verify with', () => {
    const algFor = (jwk: Record<string, unknown>) => ({ RSA: 'RS256', EC: 'ES256', oct: 'HS256' } as Record<string, string>)[String(jwk.kty)] ?? 'EdDSA';
    const keys = [...encryption.map(([, jwk]) => jwk), rsa, ec, pub('ed25519'), { ...rsa, alg: 'RS256' }, { ...rsa, key_ops: ['sign'] }, { ...rsa, e: 'AQ' }];
    for (const [i, jwk] of keys.entries()) {
      const withKid = { ...jwk, kid: `k${i}` };
      const audited = auditJwks({ keys: [withKid] }).find((c) => c.id === 'jwks.signing_key')!;
      const alg = algFor(withKid);
      const selection = selectKeys({ keys: [withKid as JWK], published: true }, alg, JWS_ALGORITHMS.get(alg)!, `k${i}`);
      expect({ key: withKid.kid, audit: audited.status }).toEqual({ key: withKid.kid, audit: selection.candidates.length === 1 ? 'pass' : 'fail' });
    }
  });
});
