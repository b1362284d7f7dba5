import type { verify } from 'node:crypto';
import type { CryptoKey, JWK } from 'jose';
import { JWS_ALGORITHMS } from './algorithms.js';
import type { ParsedJwt } from './types.js';

type VerificationKey = CryptoKey | Uint8Array | JWK;
type NodeVerifyOptions = Parameters<typeof verify>[2];

// node:crypto loads on the first verification, not at start-up: decoding alone never needs it.
let cryptoModule: typeof import('node:crypto') | undefined;
const crypto = () => (cryptoModule ??= process.getBuiltinModule('node:crypto'));

/**
 * How node:crypto verifies with this key and alg, when it computes exactly what jose's compactVerify
 * would: RSA (modulus of 2048 bits or more, as jose requires) and ECDSA keys imported by jose for
 * this alg. Worked out once per key and alg: batch input reuses a handful of keys.
 */
const plans = new WeakMap<CryptoKey, Map<string, NodeVerifyOptions | null>>();

function planFor(key: CryptoKey, alg: string): NodeVerifyOptions | null {
  let byAlg = plans.get(key);
  if (!byAlg) plans.set(key, (byAlg = new Map()));
  let plan = byAlg.get(alg);
  if (plan === undefined) {
    const object = crypto().KeyObject.from(key);
    const family = alg.slice(0, 2);
    // The key must be what jose would insist on for this alg (name, hash, curve); else jose decides.
    const algorithm = key.algorithm as { name: string; hash?: { name: string }; namedCurve?: string };
    const info = JWS_ALGORITHMS.get(alg)!;
    const fits = family === 'ES' ? algorithm.name === 'ECDSA' && algorithm.namedCurve === info.crv : algorithm.name === (family === 'PS' ? 'RSA-PSS' : 'RSASSA-PKCS1-v1_5') && algorithm.hash?.name === info.hash;
    plan = null;
    if (fits && family === 'ES' && object.asymmetricKeyType === 'ec') plan = { key: object, dsaEncoding: 'ieee-p1363' };
    if (fits && (family === 'RS' || family === 'PS') && object.asymmetricKeyType === 'rsa' && (object.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048) {
      // RFC 7518 §3.5: PS* uses a salt as long as the hash output.
      plan = family === 'RS' ? object : { key: object, padding: crypto().constants.RSA_PKCS1_PSS_PADDING, saltLength: Number(alg.slice(2)) / 8 };
    }
    byAlg.set(alg, plan);
  }
  return plan;
}

/**
 * node:crypto's options for this token and key, or undefined when jose must judge it: a header with
 * crit or b64 (RFC 7797 changes the signing input), non-canonical base64url (jose refuses it), HMAC
 * and EdDSA keys.
 */
function nodeVerifyOptions(parsed: ParsedJwt, key: VerificationKey, alg: string): NodeVerifyOptions | undefined {
  if (parsed.nonCanonicalParts.length > 0 || parsed.header.crit !== undefined || parsed.header.b64 !== undefined) return undefined;
  if (key instanceof Uint8Array || (key as CryptoKey).type !== 'public') return undefined;
  return planFor(key as CryptoKey, alg) ?? undefined;
}

/**
 * On the main thread node:crypto's verify runs on libuv's thread pool, so this thread goes on meanwhile;
 * on a worker thread of batch decode (commands/decode-pool.ts) it runs right there: that thread is the
 * parallelism, and a hop to the pool and back would only add work.
 */
let onWorkerThread: boolean | undefined;

function verifyNode(hash: string, data: Buffer, options: NodeVerifyOptions, signature: Buffer): Promise<boolean> {
  onWorkerThread ??= !process.getBuiltinModule('node:worker_threads').isMainThread;
  try {
    if (onWorkerThread) return Promise.resolve(crypto().verify(hash, data, options, signature));
  } catch {
    return Promise.resolve(false); // e.g. a malformed signature for the curve: jose says "does not verify" too
  }
  return new Promise((resolve) => {
    try {
      crypto().verify(hash, data, options, signature, (error, ok) => resolve(!error && ok));
    } catch {
      resolve(false);
    }
  });
}

/**
 * Does the JWS signature verify with this key? RSA and ECDSA are checked by node:crypto on the signing
 * input as sent (RFC 7515 §5.2 step 8), on libuv's thread pool, without parsing the token a second
 * time; everything else (HMAC, EdDSA, crit, non-canonical parts) goes through jose's compactVerify.
 */
export async function verifyJws(parsed: ParsedJwt, key: VerificationKey, alg: string): Promise<boolean> {
  const options = nodeVerifyOptions(parsed, key, alg);
  if (options) {
    const [header, payload] = parsed.parts as [string, string, string];
    const hash = JWS_ALGORITHMS.get(alg)!.hash.replace('-', '').toLowerCase();
    return verifyNode(hash, Buffer.from(`${header}.${payload}`), options, parsed.signatureBytes!);
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
