import { cut, show } from '../../util/show.js';
import { quotedKid } from './kid.js';

/**
 * What makes a single JWK unfit to verify with, judged the same way by the JWKS audit
 * (src/core/jwks-audit.ts) and by key selection (keys.ts): a key refused here never verifies.
 * Pure and linear in the key's size; no jose, no node:crypto (the audit runs on thousands of keys).
 */

type Jwk = Record<string, unknown>;

/** Members that make a JWK private or symmetric: never usable from a published set. */
export const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

/*
 * The tables below are looked up by a key's kty and crv, values a server chose: Maps, so "constructor",
 * "toString" or "__proto__" find nothing instead of a member of Object.prototype.
 */

/**
 * Key types (RFC 7517 §4.1): registered in IANA's "JSON Web Key Types" (RFC 7518 §6.1, RFC 8037 §2,
 * RFC 9964 for AKP), or a Collision-Resistant Name, in practice a URI. A key of a registered or private
 * type oidc-cli cannot verify with is ignored (RFC 7517 §5); any other kty is a malformed key.
 */
const REGISTERED_KTY: ReadonlySet<string> = new Set(['RSA', 'EC', 'OKP', 'oct', 'AKP']);
const isCollisionResistantName = (kty: string) => /^[a-z][a-z0-9+.-]*:\S+$/i.test(kty);

/** A kty that is neither registered nor collision-resistant: a typo, or a value made up to break parsers. */
const isUnknownKty = (kty: unknown): kty is string => typeof kty === 'string' && !REGISTERED_KTY.has(kty) && !isCollisionResistantName(kty);

/** Coordinate length in bytes per curve (RFC 7518 §6.2.1.2, RFC 8037 §2). */
export const CURVE_BYTES: ReadonlyMap<string, { kty: 'EC' | 'OKP'; bytes: number }> = new Map([
  ['P-256', { kty: 'EC', bytes: 32 }],
  ['P-384', { kty: 'EC', bytes: 48 }],
  ['P-521', { kty: 'EC', bytes: 66 }],
  ['secp256k1', { kty: 'EC', bytes: 32 }],
  ['Ed25519', { kty: 'OKP', bytes: 32 }],
  ['Ed448', { kty: 'OKP', bytes: 57 }],
  ['X25519', { kty: 'OKP', bytes: 32 }],
  ['X448', { kty: 'OKP', bytes: 56 }],
] as const);

/** RFC 7518 §3.3: 2048 bits at least. Above OpenSSL's own limit, verifying is a CPU sink, not security. */
export const RSA_MIN_BITS = 2048;
export const RSA_MAX_BITS = 16384;
/** OpenSSL's bound for public exponents (OPENSSL_RSA_MAX_PUBEXP_BITS); real keys use 65537. */
const RSA_MAX_EXPONENT_BITS = 64;

const BASE64URL = /^[A-Za-z0-9_-]+$/;

const unsigned = (value: string) => BigInt(`0x${Buffer.from(value, 'base64url').toString('hex') || '0'}`);

/** Bits in a Base64urlUInt (RFC 7518 §2), leading zero octets ignored: n's size, or e's. */
export function rsaModulusBits(n: string): number {
  const bytes = Buffer.from(n, 'base64url');
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i += 1;
  if (i === bytes.length) return 0;
  return (bytes.length - i - 1) * 8 + (32 - Math.clz32(bytes[i]!));
}

/** Why the key is malformed for its kty (members, base64url, coordinate lengths), or undefined. */
export function shapeProblem(jwk: Jwk): string | undefined {
  const b64 = (name: string, bytes?: number): string | undefined => {
    const value = jwk[name];
    if (typeof value !== 'string' || value === '') return `${name} missing`;
    if (!BASE64URL.test(value)) return `${name} is not unpadded base64url`;
    if (bytes !== undefined && Buffer.from(value, 'base64url').length !== bytes) return `${name} is ${Buffer.from(value, 'base64url').length} bytes, expected ${bytes} for ${show(jwk.crv)}`;
    return undefined;
  };
  switch (jwk.kty) {
    case 'RSA':
      return b64('n') ?? b64('e');
    case 'EC':
    case 'OKP': {
      const curve = typeof jwk.crv === 'string' ? CURVE_BYTES.get(jwk.crv) : undefined;
      if (!curve || curve.kty !== jwk.kty) return `crv ${JSON.stringify(jwk.crv)} is not a ${show(jwk.kty)} curve`;
      return jwk.kty === 'EC' ? (b64('x', curve.bytes) ?? b64('y', curve.bytes)) : b64('x', curve.bytes);
    }
    case 'oct':
      return b64('k');
    case undefined:
      return 'kty missing';
    default:
      if (typeof jwk.kty !== 'string') return 'kty is not a string';
      return isUnknownKty(jwk.kty) ? `kty ${quotedKid(jwk.kty)} is not a key type (RFC 7517 §4.1: registered, like RSA, EC, OKP or oct, or a URI)` : undefined;
  }
}

/**
 * RSA public exponent (RFC 8017 §3.1): odd and at least 3. e = 1 makes s = m a valid signature of
 * anything, an even e is not invertible, a huge e turns each verification into a CPU sink.
 */
export function rsaExponentProblem(jwk: Jwk): string | undefined {
  if (jwk.kty !== 'RSA' || typeof jwk.e !== 'string' || !BASE64URL.test(jwk.e)) return undefined;
  // Bits are counted on the bytes: an IdP may send a megabyte-long e, never worth a BigInt.
  const bits = rsaModulusBits(jwk.e);
  if (bits > RSA_MAX_EXPONENT_BITS) return `e has ${bits} bits (more than ${RSA_MAX_EXPONENT_BITS}; 65537 is the norm)`;
  const e = unsigned(jwk.e);
  if (e < 3n) return `e = ${e}: ${e === 1n ? 'every message is its own signature (forgeable by anyone)' : 'not a usable exponent'}`;
  if (e % 2n === 0n) return `e = ${e} is even (no RSA key has one)`;
  return undefined;
}

export function rsaSizeProblem(jwk: Jwk): string | undefined {
  if (jwk.kty !== 'RSA' || typeof jwk.n !== 'string') return undefined;
  const bits = rsaModulusBits(jwk.n);
  if (bits < RSA_MIN_BITS) return `n has ${bits} bits (minimum ${RSA_MIN_BITS})`;
  if (bits > RSA_MAX_BITS) return `n has ${bits} bits (more than ${RSA_MAX_BITS}, past what OpenSSL verifies)`;
  return undefined;
}

/** Short Weierstrass curves y² = x³ + ax + b over GF(p) (SEC 2 §2.4.2, §2.5.1, §2.6.1, §2.7.1). */
const P256 = 2n ** 256n - 2n ** 224n + 2n ** 192n + 2n ** 96n - 1n;
const P384 = 2n ** 384n - 2n ** 128n - 2n ** 96n + 2n ** 32n - 1n;
const P521 = 2n ** 521n - 1n;
const K256 = 2n ** 256n - 2n ** 32n - 977n;
const CURVES: ReadonlyMap<string, { p: bigint; a: bigint; b: bigint }> = new Map([
  ['P-256', { p: P256, a: P256 - 3n, b: 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn }],
  ['P-384', { p: P384, a: P384 - 3n, b: 0xb3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aefn }],
  ['P-521', { p: P521, a: P521 - 3n, b: 0x0051953eb9618e1c9a1f929a21a0b68540eea2da725b99b315f3b8b489918ef109e156193951ec7e937b1652c0bd3bb1bf073573df883d2c34f1ef451fd46b503f00n }],
  ['secp256k1', { p: K256, a: 0n, b: 7n }],
]);

/** An EC public point off its curve invites invalid-curve attacks and verifies nothing (SEC 1 §3.2.2.1). */
export function ecPointProblem(jwk: Jwk): string | undefined {
  if (jwk.kty !== 'EC' || shapeProblem(jwk) !== undefined) return undefined;
  const curve = CURVES.get(jwk.crv as string);
  if (!curve) return undefined;
  const x = unsigned(jwk.x as string);
  const y = unsigned(jwk.y as string);
  if (x >= curve.p || y >= curve.p) return `the point (x, y) is not reduced modulo the ${show(jwk.crv)} field prime`;
  const { p, a, b } = curve;
  if ((y * y - (x * x * x + a * x + b)) % p !== 0n) return `the point (x, y) is not on ${show(jwk.crv)}`;
  return undefined;
}

/**
 * Edwards points of small order, by y coordinate (RFC 8032 §5.1.3 encoding: y little-endian, top bit
 * the sign of x). With such a public key A, R = A's multiple and S = 0 satisfy the verification
 * equation for every message; OpenSSL does not refuse them for Ed25519. Ed25519 (cofactor 8): y = 1
 * (identity), -1, 0 and ±y8 (order 8: d·y⁴ + 2y² - 1 = 0); Ed448 (cofactor 4): y = 1, -1, 0.
 */
const ED25519_P = 2n ** 255n - 19n;
const ED25519_Y8 = 0x05fc536d880238b13933c6d305acdfd5f098eff289f4c345b027b2c28f95e826n;
const ED448_P = 2n ** 448n - 2n ** 224n - 1n;
const SMALL_ORDER_Y: ReadonlyMap<string, { p: bigint; y: bigint[] }> = new Map([
  ['Ed25519', { p: ED25519_P, y: [0n, 1n, ED25519_P - 1n, ED25519_Y8, ED25519_P - ED25519_Y8] }],
  ['Ed448', { p: ED448_P, y: [0n, 1n, ED448_P - 1n] }],
]);

/** An OKP signing key that is a small-order point (or a non-canonical y): anyone can forge for it. */
export function okpPointProblem(jwk: Jwk): string | undefined {
  if (jwk.kty !== 'OKP' || shapeProblem(jwk) !== undefined) return undefined;
  const curve = SMALL_ORDER_Y.get(jwk.crv as string);
  if (!curve) return undefined;
  const bytes = Buffer.from(jwk.x as string, 'base64url').reverse();
  bytes[0]! &= jwk.crv === 'Ed25519' ? 0x7f : 0x00; // drop the sign bit of x (Ed448: a whole octet)
  const y = BigInt(`0x${bytes.toString('hex')}`);
  if (y >= curve.p) return `x encodes y ≥ p: not a canonical ${show(jwk.crv)} point`;
  if (curve.y.includes(y)) return `x is a ${show(jwk.crv)} point of small order: a signature with S = 0 verifies any message`;
  return undefined;
}

/** Every reason this key cannot be trusted to verify anything, in the order a reader would fix them. */
export function keyStrengthProblem(jwk: Jwk): string | undefined {
  return shapeProblem(jwk) ?? rsaSizeProblem(jwk) ?? rsaExponentProblem(jwk) ?? ecPointProblem(jwk) ?? okpPointProblem(jwk);
}

/**
 * Why key selection must refuse this key for verification, or undefined. `published`: the key came
 * from a URL (jwks_uri, --jwks URL), so a symmetric key or a private part in it is known to everyone
 * who fetched it. A local file may hold the user's own secret or key pair: used (as a public key).
 */
export function verificationRefusal(jwk: Jwk, published: boolean): string | undefined {
  if (jwk.kty === 'oct' && published) return 'a symmetric (oct) key published at a URL is public knowledge: anyone who fetched it can sign with it';
  const exposed = PRIVATE_MEMBERS.filter((name) => jwk[name] !== undefined);
  if (jwk.kty !== 'oct' && published && exposed.length) return `its private part (${exposed.join(', ')}) is published at a URL: anyone who fetched it can sign with it`;
  return keyStrengthProblem(jwk);
}

/** JWE key-management algorithms (RFC 7518 §4.1, and PBES2): a key that declares one can only encrypt. */
const KEY_MANAGEMENT_ALG = /^(RSA1_5|RSA-OAEP(-\d+)?|ECDH-ES(\+A\d+KW)?|A\d+(GCM)?KW|dir|PBES2-.*)$/;
export const ENCRYPTION_OPS: ReadonlySet<string> = new Set(['encrypt', 'decrypt', 'wrapKey', 'unwrapKey', 'deriveKey', 'deriveBits']);

/**
 * What marks the key as one for encryption, quoted for a message, or undefined: use "enc", a JWE
 * key-management alg, an X25519/X448 key (key agreement only, RFC 8037 §3.2), or encryption key_ops only.
 */
export function encryptionMark(jwk: Jwk): string | undefined {
  if (jwk.use === 'enc') return 'use "enc"';
  if (typeof jwk.alg === 'string' && KEY_MANAGEMENT_ALG.test(jwk.alg)) return `alg ${cut(jwk.alg)}, a JWE key-management algorithm`;
  if (jwk.kty === 'OKP' && (jwk.crv === 'X25519' || jwk.crv === 'X448')) return `crv ${jwk.crv}, for key agreement only`;
  if (Array.isArray(jwk.key_ops) && jwk.key_ops.length > 0 && jwk.key_ops.every((op) => ENCRYPTION_OPS.has(show(op)))) return `key_ops ${cut(JSON.stringify(jwk.key_ops))}`;
  return undefined;
}

/** Why the key, by what it says of itself (use, key_ops, alg, curve), is not one to verify signatures with. */
export function purposeProblem(jwk: Jwk): string | undefined {
  const encryption = encryptionMark(jwk);
  if (encryption) return `an encryption key (${encryption})`;
  if (jwk.use !== undefined && jwk.use !== 'sig') return `not for verifying signatures (use ${cut(JSON.stringify(jwk.use))}, not "sig")`;
  if (Array.isArray(jwk.key_ops) && !jwk.key_ops.includes('verify')) return `not for verifying signatures (key_ops ${cut(JSON.stringify(jwk.key_ops))} has no "verify")`;
  return undefined;
}

/** Key types oidc-cli verifies signatures with (JWS_ALGORITHMS in algorithms.ts). */
const VERIFYING_KTY: ReadonlySet<unknown> = new Set(['RSA', 'EC', 'OKP', 'oct']);

/**
 * The one judgement of "can this JWK verify a signature", or why not: the key-set audit counts the keys
 * it passes as signing keys, and key selection (keys.ts) verifies with no key it refuses. `published` as
 * for verificationRefusal.
 */
export function signatureKeyProblem(jwk: Jwk, published: boolean): string | undefined {
  const purpose = purposeProblem(jwk);
  if (purpose) return purpose;
  if (!VERIFYING_KTY.has(jwk.kty)) return `kty ${quotedKid(show(jwk.kty))} is not one oidc-cli verifies with`;
  return verificationRefusal(jwk, published);
}

/** RFC 7638 §3.2: the members that define each key type, in lexicographic order. */
const THUMBPRINT_MEMBERS: ReadonlyMap<string, readonly string[]> = new Map([
  ['RSA', ['e', 'kty', 'n']],
  ['EC', ['crv', 'kty', 'x', 'y']],
  ['OKP', ['crv', 'kty', 'x']],
  ['oct', ['k', 'kty']],
]);

/**
 * The RFC 7638 SHA-256 thumbprint, base64url; undefined when the key lacks a member its kty needs.
 * Synchronous and without exceptions, so a set of tens of thousands of keys costs one hash each.
 */
export function jwkThumbprint(jwk: Jwk): string | undefined {
  const members = typeof jwk.kty === 'string' ? THUMBPRINT_MEMBERS.get(jwk.kty) : undefined;
  if (!members || members.some((name) => typeof jwk[name] !== 'string')) return undefined;
  const canonical = JSON.stringify(Object.fromEntries(members.map((name) => [name, jwk[name]])));
  // node:crypto on first use: decoding without keys never loads it (start-up time).
  return process.getBuiltinModule('node:crypto').createHash('sha256').update(canonical).digest('base64url');
}
