// Test-time keys and tokens. Tokens are signed over exact bytes (not re-serialised objects) so tests
// can build the malformed ones a validator must refuse: duplicate members, odd encodings, alg tricks.
import { createHash, createHmac, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { importJWK, SignJWT, type JWK } from 'jose';
import type { TestKeyPair } from './keys.js';

export const b64u = (value: string | Buffer) => Buffer.from(value).toString('base64url');

export interface TestKey {
  alg: string;
  privateKey: KeyObject;
  /** The public JWK as an IdP would publish it. */
  jwk: JWK;
}

export function rsaKey(kid = 'rsa-1', alg = 'RS256', bits = 2048): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  return { alg, privateKey, jwk: { ...(publicKey.export({ format: 'jwk' }) as JWK), kid, alg, use: 'sig' } };
}

export function ecKey(kid = 'ec-1'): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { alg: 'ES256', privateKey, jwk: { ...(publicKey.export({ format: 'jwk' }) as JWK), kid, alg: 'ES256', use: 'sig' } };
}

export function edKey(kid = 'ed-1'): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { alg: 'EdDSA', privateKey, jwk: { ...(publicKey.export({ format: 'jwk' }) as JWK), kid, alg: 'EdDSA', use: 'sig' } };
}

/** Signs `header.payload` given as exact JSON texts. */
export function signText(headerText: string, payloadText: string, key: TestKey | { secret: Buffer | string; alg: string }): string {
  const input = `${b64u(headerText)}.${b64u(payloadText)}`;
  let signature: Buffer;
  if ('secret' in key) {
    signature = createHmac(`sha${key.alg.slice(2)}`, key.secret).update(input).digest();
  } else if (key.alg === 'ES256') {
    signature = sign('sha256', Buffer.from(input), { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
  } else if (key.alg === 'EdDSA') {
    signature = sign(null, Buffer.from(input), key.privateKey);
  } else {
    signature = sign(`sha${key.alg.slice(2)}`, Buffer.from(input), key.privateKey);
  }
  return `${input}.${b64u(signature)}`;
}

export function mint(
  claims: Record<string, unknown>,
  key: TestKey | { secret: Buffer | string; alg: string },
  header: Record<string, unknown> = {},
): string {
  const fullHeader = { alg: key.alg, ...('jwk' in key && key.jwk.kid ? { kid: key.jwk.kid } : {}), ...header };
  return signText(JSON.stringify(fullHeader), JSON.stringify(claims), key);
}

export const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Claims that pass every check when the expectations below are used. */
export function goodClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = nowSeconds();
  return { iss: 'https://idp.test', sub: 'user-1', aud: 'client-1', iat: now - 10, exp: now + 300, ...overrides };
}

/** A compact JWE (RFC 7516 §7.1): a readable header, random "encrypted" parts that nobody can decrypt. */
export function fakeJwe(header: Record<string, unknown> = { alg: 'RSA-OAEP-256', enc: 'A256GCM', cty: 'JWT' }): string {
  return [b64u(JSON.stringify(header)), b64u(randomBytes(256)), b64u(randomBytes(12)), b64u(randomBytes(64)), b64u(randomBytes(16))].join('.');
}

/**
 * A token "signed" for an RSA key whose public exponent is 1: s^1 mod n = s, so the PKCS#1 v1.5
 * encoding of the hash is itself a valid signature, computed without any private key (RFC 8017 §9.2).
 */
export function forgeForExponentOne(header: Record<string, unknown>, claims: Record<string, unknown>, n: string): string {
  const input = `${b64u(JSON.stringify({ alg: 'RS256', ...header }))}.${b64u(JSON.stringify(claims))}`;
  const digestInfo = Buffer.concat([Buffer.from('3031300d060960864801650304020105000420', 'hex'), createHash('sha256').update(input).digest()]);
  const length = Buffer.from(n, 'base64url').length;
  const encoded = Buffer.concat([Buffer.from([0x00, 0x01]), Buffer.alloc(length - digestInfo.length - 3, 0xff), Buffer.from([0x00]), digestInfo]);
  return `${input}.${b64u(encoded)}`;
}

/**
 * An RFC 9068 access token this IdP issued an hour ago, for `resource`, that expired a minute ago:
 * signed with the IdP's own key, as one saved from an earlier run would be (check --expired-token).
 * Made here because waiting for a real one to expire would cost the suite its lifetime.
 */
export async function expiredAccessToken(idp: { issuer: string; signingKeys: { rs256: TestKeyPair } }, resource: string, scope: string, client_id = 'saved-client'): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const key = await importJWK(idp.signingKeys.rs256.privateJwk, 'RS256');
  return new SignJWT({ scope, client_id, jti: `expired-${now}` })
    .setProtectedHeader({ alg: 'RS256', kid: idp.signingKeys.rs256.kid, typ: 'at+jwt' })
    .setIssuer(idp.issuer)
    .setSubject('demo-user-0001')
    .setAudience(resource)
    .setIssuedAt(now - 3600)
    .setExpirationTime(now - 60)
    .sign(key);
}
