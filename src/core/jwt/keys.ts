import type { CryptoKey, JWK } from 'jose';
import type { AlgorithmInfo } from './algorithms.js';

/** Members that make a JWK private or symmetric: never usable from a published set. */
export const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

/** Can this key verify a signature made with `alg`? RFC 7517 §4.2-4.4 and RFC 7518 key types. */
export function keyFits(jwk: JWK, alg: string, info: AlgorithmInfo): boolean {
  if (jwk.kty !== info.kty) return false;
  if (info.crv && jwk.crv !== info.crv) return false;
  if (jwk.alg !== undefined && jwk.alg !== alg) return false;
  if (jwk.use !== undefined && jwk.use !== 'sig') return false;
  if (Array.isArray(jwk.key_ops) && !jwk.key_ops.includes('verify')) return false;
  return true;
}

export interface KeySelection {
  candidates: JWK[];
  /** kid was given in the header but no key carries it. */
  unknownKid: boolean;
}

export function selectKeys(keys: JWK[], alg: string, info: AlgorithmInfo, kid: string | undefined): KeySelection {
  const fitting = keys.filter((jwk) => keyFits(jwk, alg, info));
  if (kid === undefined) return { candidates: fitting, unknownKid: false };
  const byKid = fitting.filter((jwk) => jwk.kid === kid);
  return { candidates: byKid, unknownKid: byKid.length === 0 };
}

// jose is imported on first use, so decoding without keys never loads it (start-up time).
// Importing a key is the slow part of verifying many tokens with one JWKS: do it once per key and alg.
const importCache = new WeakMap<JWK, Map<string, Promise<CryptoKey | Uint8Array>>>();

export function importVerificationKey(jwk: JWK, alg: string): Promise<CryptoKey | Uint8Array> {
  let byAlg = importCache.get(jwk);
  if (!byAlg) importCache.set(jwk, (byAlg = new Map()));
  let key = byAlg.get(alg);
  if (!key) {
    // Strip private members so a private JWK given by mistake is used only as a public key.
    const publicJwk: JWK = jwk.kty === 'oct' ? jwk : Object.fromEntries(Object.entries(jwk).filter(([name]) => !(PRIVATE_MEMBERS as readonly string[]).includes(name)));
    key = import('jose').then(({ importJWK }) => importJWK({ ...publicJwk, ext: true }, alg) as Promise<CryptoKey | Uint8Array>);
    byAlg.set(alg, key);
  }
  return key;
}

const thumbprintCache = new WeakMap<JWK, Promise<string>>();

export function thumbprint(jwk: JWK): Promise<string> {
  let value = thumbprintCache.get(jwk);
  if (!value) thumbprintCache.set(jwk, (value = import('jose').then(({ calculateJwkThumbprint }) => calculateJwkThumbprint(jwk, 'sha256'))));
  return value;
}
