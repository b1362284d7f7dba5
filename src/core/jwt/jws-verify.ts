import type { KeyObject, verify } from 'node:crypto';
import type { CryptoKey, JWK } from 'jose';
import { JWS_ALGORITHMS } from './algorithms.js';
import type { ParsedJwt } from './types.js';

type VerificationKey = CryptoKey | Uint8Array | JWK;

const keyObjects = new WeakMap<CryptoKey, KeyObject>();
// node:crypto loads on the first verification, not at start-up: decoding alone never needs it.
const crypto = () => process.getBuiltinModule('node:crypto');

function keyObject(key: VerificationKey): KeyObject | undefined {
  if (key instanceof Uint8Array || (key as CryptoKey).type !== 'public') return undefined;
  let object = keyObjects.get(key as CryptoKey);
  if (!object) keyObjects.set(key as CryptoKey, (object = crypto().KeyObject.from(key as CryptoKey)));
  return object;
}

/**
 * The RSA and ECDSA cases where node:crypto computes exactly what jose's compactVerify would: a plain
 * header (no crit, no b64: RFC 7797 changes the signing input), canonical base64url everywhere (jose
 * refuses the rest), and a key jose would accept (RSA modulus of 2048 bits or more).
 */
function nodeVerifyOptions(parsed: ParsedJwt, key: VerificationKey, alg: string): Parameters<typeof verify>[2] | undefined {
  if (parsed.nonCanonicalParts.length > 0 || parsed.header.crit !== undefined || parsed.header.b64 !== undefined) return undefined;
  const object = keyObject(key);
  if (!object) return undefined;
  const family = alg.slice(0, 2);
  if (family === 'ES' && object.asymmetricKeyType === 'ec') return { key: object, dsaEncoding: 'ieee-p1363' };
  if ((family === 'RS' || family === 'PS') && object.asymmetricKeyType === 'rsa' && (object.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048) {
    // RFC 7518 §3.5: PS* uses a salt as long as the hash output.
    return family === 'RS' ? object : { key: object, padding: crypto().constants.RSA_PKCS1_PSS_PADDING, saltLength: Number(alg.slice(2)) / 8 };
  }
  return undefined;
}

/**
 * Does the JWS signature verify with this key? RSA and ECDSA are checked by node:crypto on the signing
 * input as sent (RFC 7515 §5.2 step 8), on libuv's thread pool, without parsing the token a second
 * time; everything else (HMAC, EdDSA, crit, non-canonical parts) goes through jose's compactVerify.
 */
export async function verifyJws(parsed: ParsedJwt, key: VerificationKey, alg: string): Promise<boolean> {
  const options = nodeVerifyOptions(parsed, key, alg);
  if (options) {
    const [header, payload, signature] = parsed.parts as [string, string, string];
    const hash = JWS_ALGORITHMS[alg]!.hash.replace('-', '').toLowerCase();
    return new Promise((resolve) => {
      try {
        crypto().verify(hash, Buffer.from(`${header}.${payload}`), options, Buffer.from(signature, 'base64url'), (error, ok) => resolve(!error && ok));
      } catch {
        resolve(false); // e.g. a malformed signature for the curve: jose says "does not verify" too
      }
    });
  }
  const { compactVerify } = await import('jose');
  try {
    // crit is judged by our own check; jose would refuse any crit it does not know, which is right.
    await compactVerify(parsed.parts.join('.'), key as Uint8Array, { algorithms: [alg] });
    return true;
  } catch {
    return false;
  }
}
