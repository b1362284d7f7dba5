import type { CryptoKey, JWK } from 'jose';
import type { AlgorithmInfo } from './algorithms.js';
import { PRIVATE_MEMBERS, purposeProblem, signatureKeyProblem } from './jwk.js';
import type { KeySource } from './types.js';

const ED_CURVES = ['Ed25519', 'Ed448'];

/** Could this key have made an `alg` signature? kty, crv and a declared alg (RFC 7517 §4.4, RFC 7518 §3.1). */
export function keyFits(jwk: JWK, alg: string, info: AlgorithmInfo): boolean {
  if (jwk.kty !== info.kty) return false;
  if (info.crv && jwk.crv !== info.crv) return false;
  // EdDSA names no curve: an Edwards one (X25519/X448 keys are also refused by purposeProblem).
  if (info.kty === 'OKP' && !ED_CURVES.includes(String(jwk.crv))) return false;
  return jwk.alg === undefined || jwk.alg === alg;
}

export interface KeySelection {
  /** Keys that fit the alg (and kid) and are safe to verify with. */
  candidates: JWK[];
  /** Keys that fit but must never verify: forgeable or malformed (jwk.ts says why). */
  refused: Array<{ jwk: JWK; reason: string }>;
  /** Keys under the header's kid that are not for signatures at all (an encryption key...): jwk.ts says why. */
  notForSignatures: Array<{ jwk: JWK; reason: string }>;
  /** kid was given in the header but no key carries it (or only keys of another kty/alg). */
  unknownKid: boolean;
}

/**
 * signatureKeyProblem (jwk.ts), the judgement the key-set audit makes, plus what only a token's alg
 * decides: an HMAC key at least as long as the hash output (RFC 7518 §3.2), or it is brute-forced offline.
 */
function refusal(jwk: JWK, info: AlgorithmInfo, published: boolean): string | undefined {
  const reason = signatureKeyProblem(jwk as Record<string, unknown>, published);
  if (reason || info.kty !== 'oct' || typeof jwk.k !== 'string') return reason;
  const bytes = Buffer.from(jwk.k, 'base64url').length;
  return bytes < info.minSecretBytes! ? `k has ${bytes} bytes; HMAC needs at least ${info.minSecretBytes} (RFC 7518 §3.2)` : undefined;
}

/**
 * The refusal of a key for an alg, worked out once: batch input asks it of the same few keys for every
 * token, and the curve and modulus checks cost more than the rest of a token's checks. Keys are never
 * written to once parsed (KeySource), so the answer cannot go stale.
 */
const refusals = new WeakMap<JWK, Map<string, string | undefined>>();

function cachedRefusal(jwk: JWK, alg: string, info: AlgorithmInfo, published: boolean): string | undefined {
  let byAlg = refusals.get(jwk);
  if (!byAlg) refusals.set(jwk, (byAlg = new Map()));
  const key = `${published ? 'published' : 'local'} ${alg}`;
  if (!byAlg.has(key)) byAlg.set(key, refusal(jwk, info, published));
  return byAlg.get(key);
}

/**
 * The keys of `source` that may verify `alg` under `kid`. A key not meant for signatures (purposeProblem)
 * is never a candidate; under the header's kid it is named, so the message can say what the kid is.
 * Fitting keys that are unsafe are listed as refused.
 */
export function selectKeys(source: Pick<KeySource, 'keys' | 'published'>, alg: string, info: AlgorithmInfo, kid: string | undefined): KeySelection {
  const selection: KeySelection = { candidates: [], refused: [], notForSignatures: [], unknownKid: false };
  for (const jwk of source.keys) {
    if (kid !== undefined && jwk.kid !== kid) continue;
    const purpose = purposeProblem(jwk as Record<string, unknown>);
    if (purpose) {
      if (kid !== undefined) selection.notForSignatures.push({ jwk, reason: purpose });
      continue;
    }
    if (!keyFits(jwk, alg, info)) continue;
    const reason = cachedRefusal(jwk, alg, info, source.published);
    if (reason) selection.refused.push({ jwk, reason });
    else selection.candidates.push(jwk);
  }
  // A kid naming only encryption keys is known, not rotated away: no refetch, and the message says what it names.
  selection.unknownKid = kid !== undefined && selection.candidates.length + selection.refused.length + selection.notForSignatures.length === 0;
  return selection;
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
