import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { generate } from 'selfsigned';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CheckResult } from '../../src/checks/types.js';
import { auditJwks } from '../../src/core/jwks-audit.js';
import { rsaModulusBits } from '../../src/core/jwt/jwk.js';
import { summarizeKey } from '../../src/core/jwks.js';

type Jwk = Record<string, unknown>;
const jwkOf = (key: KeyObject, extra: Jwk = {}): Jwk => ({ ...(key.export({ format: 'jwk' }) as Jwk), ...extra });

let rsa: { publicKey: KeyObject; privateKey: KeyObject };
let rsaOther: KeyObject;
let ec: KeyObject;
let ed: KeyObject;
let weak: KeyObject;

beforeAll(() => {
  rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  rsaOther = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
  ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
  ed = generateKeyPairSync('ed25519').publicKey;
  weak = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
});

const sound = (): { keys: Jwk[] } => ({
  keys: [jwkOf(rsa.publicKey, { kid: 'r1', use: 'sig', alg: 'RS256' }), jwkOf(ec, { kid: 'e1', use: 'sig', alg: 'ES256' }), jwkOf(ed, { kid: 'o1', alg: 'EdDSA' })],
});

function check(checks: CheckResult[], id: string): CheckResult {
  const found = checks.find((c) => c.id === id);
  if (!found) throw new Error(`no ${id} in ${checks.map((c) => `${c.id}:${c.status}`).join(', ')}`);
  return found;
}

const judge = (patch: (keys: Jwk[]) => Jwk[] | undefined) => {
  const jwks = sound();
  const replaced = patch(jwks.keys);
  return auditJwks(replaced ? { keys: replaced } : jwks);
};

describe('auditJwks on a sound set', () => {
  it('passes everything that applies and skips x5c', () => {
    const checks = auditJwks(sound());
    expect(checks.filter((c) => c.status === 'fail' || c.status === 'warn')).toEqual([]);
    expect(check(checks, 'jwks.x5c_match').status).toBe('skip');
    expect(check(checks, 'jwks.document').message).toContain('3 keys');
  });
});

describe('auditJwks catches each fault', () => {
  it.each([
    ['an array', []],
    ['null', null],
    ['an object without keys', { key: [] }],
    ['keys that is not an array', { keys: {} }],
    ['entries that are not objects', { keys: ['abc'] }],
  ])('document fails on %s', (_, value) => {
    expect(check(auditJwks(value), 'jwks.document').status).toBe('fail');
  });

  it('signing_key fails on an empty set and on encryption-only keys', () => {
    expect(check(judge(() => []), 'jwks.signing_key').status).toBe('fail');
    expect(check(judge(() => [jwkOf(rsa.publicKey, { kid: 'x', use: 'enc' })]), 'jwks.signing_key').status).toBe('fail');
    // A key that key selection refuses (anyone can forge with it) is no signing key either.
    expect(check(judge(() => [jwkOf(rsa.publicKey, { kid: 'x', e: 'AQ' })]), 'jwks.signing_key').status).toBe('fail');
  });

  it('signing_key: a key-management alg (RSA-OAEP*, ECDH-ES*) or an X25519 key is no signing key, with or without use', () => {
    const alone = check(judge(() => [jwkOf(rsaOther, { kid: 'enc1', alg: 'RSA-OAEP-256' })]), 'jwks.signing_key');
    expect(alone.status).toBe('fail');
    expect(alone.message).toContain('kid "enc1": an encryption key (alg RSA-OAEP-256');
    const mixed = check(judge(() => [
      jwkOf(rsa.publicKey, { kid: 'r1', alg: 'RS256' }),
      jwkOf(rsaOther, { kid: 'enc1', alg: 'RSA-OAEP' }),
      jwkOf(ec, { kid: 'enc2', alg: 'ECDH-ES+A128KW' }),
      jwkOf(generateKeyPairSync('x25519').publicKey, { kid: 'enc3' }),
    ]), 'jwks.signing_key');
    expect(mixed).toMatchObject({ status: 'pass', message: '1 signing key' });
    // the other way: the same key material with a JWS alg signs
    expect(check(judge(() => [jwkOf(rsaOther, { kid: 'sig1', alg: 'RS256' })]), 'jwks.signing_key')).toMatchObject({ status: 'pass', message: '1 signing key' });
  });

  it('private_material fails on an RSA private key and on an oct secret, naming the members', () => {
    const priv = check(judge((keys) => void (keys[0] = jwkOf(rsa.privateKey, { kid: 'r1' }))), 'jwks.private_material');
    expect(priv.status).toBe('fail');
    expect(priv.message).toContain('kid "r1": publishes d, p, q, dp, dq, qi');
    const oct = check(judge((keys) => void keys.push({ kty: 'oct', kid: 'h', k: 'c2VjcmV0' })), 'jwks.private_material');
    expect(oct.message).toContain('a symmetric secret');
  });

  it('key_shape fails on a missing member, a bad curve length and padded base64', () => {
    expect(check(judge((keys) => void delete keys[0]!.e), 'jwks.key_shape').message).toContain('kid "r1": e missing');
    expect(check(judge((keys) => void (keys[1]!.x = 'AAAA')), 'jwks.key_shape').message).toContain('x is 3 bytes, expected 32 for P-256');
    expect(check(judge((keys) => void (keys[0]!.n = `${String(keys[0]!.n)}==`)), 'jwks.key_shape').message).toContain('not unpadded base64url');
    expect(check(judge((keys) => void delete keys[0]!.kty), 'jwks.key_shape').message).toContain('kty missing');
  });

  it('rsa_size fails on a 1024-bit key and says how many bits', () => {
    const result = check(judge((keys) => void keys.push(jwkOf(weak, { kid: 'weak' }))), 'jwks.rsa_size');
    expect(result.status).toBe('fail');
    expect(result.message).toContain('kid "weak": n has 1024 bits');
  });

  it('crv_alg fails on ES384 over P-256 and on RS256 over EC', () => {
    expect(check(judge((keys) => void (keys[1]!.alg = 'ES384')), 'jwks.crv_alg').message).toContain('alg ES384 needs crv P-384, not P-256');
    expect(check(judge((keys) => void (keys[1]!.alg = 'RS256')), 'jwks.crv_alg').message).toContain('alg RS256 needs kty RSA, not EC');
  });

  it('duplicate_kid warns on a shared kid across key types and fails when kty/alg also collide', () => {
    const mixed = check(judge((keys) => void (keys[1]!.kid = 'r1')), 'jwks.duplicate_kid');
    // A downgrade of the catalogue's error, with its reason in the report.
    expect(mixed.status).toBe('warn');
    expect(mixed.message).toContain('RFC 7517 §4.5 allows it for equivalent alternatives');
    const ambiguous = check(judge((keys) => void keys.push(jwkOf(rsaOther, { kid: 'r1', use: 'sig', alg: 'RS256' }))), 'jwks.duplicate_kid');
    expect(ambiguous.status).toBe('fail');
    expect(ambiguous.message).toContain('"r1" ×2');
  });

  it('missing_kid warns when several keys lack kid, and not for a single key', () => {
    const result = check(judge((keys) => keys.map(({ kid: _kid, ...rest }) => rest)), 'jwks.missing_kid');
    expect(result.status).toBe('warn');
    expect(result.message).toContain('3 of 3 keys have no kid');
    expect(check(judge(() => [jwkOf(rsa.publicKey)]), 'jwks.missing_kid').status).toBe('pass');
  });

  it('kid_format warns on what hurts a key store, naming it', () => {
    const result = check(judge((keys) => void (keys[0]!.kid = '../../etc/passwd')), 'jwks.kid_format');
    expect(result.status).toBe('warn');
    expect(result.message).toBe('unusual kid: "../../etc/passwd" (a ".." path segment)');
    expect(check(judge((keys) => void (keys[0]!.kid = 'x'.repeat(200))), 'jwks.kid_format').message).toContain('(200 characters long)');
  });

  it('kid_format passes the base64 digests large providers use as kid ("/" and "+" inside), as jwt.kid does', () => {
    const result = check(judge((keys) => {
      keys[0]!.kid = 'nOo3ZDrODXEK1jKWhXslHR/jIAo+Ub4Ky2Wq0bx4Eqo=';
      keys[1]!.kid = 'tenant/2024-11/signing';
    }), 'jwks.kid_format');
    expect(result).toMatchObject({ status: 'pass', message: 'kid values are opaque strings' });
  });

  it('use_key_ops fails when they contradict, passes when they agree', () => {
    const result = check(judge((keys) => void (keys[0]!.key_ops = ['encrypt'])), 'jwks.use_key_ops');
    expect(result.status).toBe('fail');
    expect(result.message).toContain('use "sig" but key_ops ["encrypt"]');
    expect(check(judge((keys) => void (keys[0]!.key_ops = ['verify'])), 'jwks.use_key_ops').status).toBe('pass');
  });

  it('use_required fails when an encryption key sits beside a key without use', () => {
    const result = check(judge((keys) => void keys.push(jwkOf(rsaOther, { kid: 'enc1', use: 'enc' }))), 'jwks.use_required');
    expect(result.status).toBe('fail');
    expect(result.message).toContain('kid "o1"');
  });

  it('use_required: a key that can only encrypt (X25519, a JWE alg) beside signing keys without use fails too', () => {
    const x25519 = jwkOf(generateKeyPairSync('x25519').publicKey, { kid: 'agree-1' });
    const agreement = check(judge((keys) => void keys.push(x25519)), 'jwks.use_required');
    expect(agreement.status).toBe('fail');
    expect(agreement.message).toContain('kid "agree-1" can only encrypt, yet says nothing');
    const oaep = check(judge((keys) => void keys.push(jwkOf(rsaOther, { kid: 'wrap-1', alg: 'RSA-OAEP-256' }))), 'jwks.use_required');
    expect(oaep.status).toBe('fail');
    // the same keys, each with its use, pass; and a set of signing keys alone needs no use
    const marked = check(judge((keys) => {
      for (const key of keys) key.use = 'sig';
      keys.push({ ...x25519, use: 'enc' });
    }), 'jwks.use_required');
    expect(marked).toMatchObject({ status: 'pass', message: 'every key says sig or enc' });
    expect(check(judge((keys) => keys.map(({ use: _use, ...rest }) => rest)), 'jwks.use_required').status).toBe('pass');
  });
});

describe('x5c_match', () => {
  async function certFor(key: { publicKey: KeyObject; privateKey: KeyObject }): Promise<string> {
    const pems = await generate([{ name: 'commonName', value: 'signer' }], {
      keyPair: { privateKey: key.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, publicKey: key.publicKey.export({ type: 'spki', format: 'pem' }) as string },
      algorithm: 'sha256',
    });
    return pems.cert.replace(/-----[A-Z ]+-----|\s/g, '');
  }

  it('passes when the leaf certificate holds the key, fails when it holds another', async () => {
    const x5c = await certFor(rsa);
    expect(check(judge((keys) => void (keys[0]!.x5c = [x5c])), 'jwks.x5c_match').status).toBe('pass');
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const mismatch = check(judge(() => [{ ...jwkOf(other.publicKey, { kid: 'r1' }), x5c: [x5c] }]), 'jwks.x5c_match');
    expect(mismatch.status).toBe('fail');
    expect(mismatch.message).toContain('n differ');
  });

  it('fails on something that is not a certificate', () => {
    expect(check(judge((keys) => void (keys[0]!.x5c = ['bm90IGEgY2VydA'])), 'jwks.x5c_match').message).toContain('is not a certificate');
  });
});

describe('key summaries', () => {
  it('computes the RFC 7638 §3.1 thumbprint', async () => {
    const summary = await summarizeKey({
      kty: 'RSA',
      n: '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
      e: 'AQAB',
      alg: 'RS256',
      kid: '2011-04-29',
    });
    expect(summary).toEqual({ kid: '2011-04-29', kty: 'RSA', alg: 'RS256', use: undefined, size: '2048 bits', thumbprint: 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs' });
  });

  it('gives the curve for EC keys and no thumbprint for a malformed key', async () => {
    expect((await summarizeKey(jwkOf(ec))).size).toBe('P-256');
    expect((await summarizeKey({ kty: 'RSA' })).thumbprint).toBeUndefined();
  });

  it('counts modulus bits without leading zero bytes', () => {
    expect(rsaModulusBits(Buffer.from([0, 0x80, 0]).toString('base64url'))).toBe(16);
    expect(rsaModulusBits(Buffer.from([0x01, 0xff]).toString('base64url'))).toBe(9);
  });
});
