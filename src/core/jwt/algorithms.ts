/**
 * JWS algorithms (RFC 7518 §3.1, RFC 8037, RFC 8812) with the key type each needs and the hash that
 * at_hash/c_hash use (OIDC Core §3.1.3.6: the hash of the ID token's alg).
 */
export interface AlgorithmInfo {
  kty: 'RSA' | 'EC' | 'OKP' | 'oct';
  crv?: string;
  hash: 'SHA-256' | 'SHA-384' | 'SHA-512';
  /** Minimum HMAC key length in bytes (RFC 7518 §3.2: at least the hash output size). */
  minSecretBytes?: number;
}

/**
 * A Map, not an object literal: the alg comes from a token header, and `table[alg]` would find
 * Object.prototype's members for "constructor", "toString" or "__proto__" (an alg nobody can verify).
 */
export const JWS_ALGORITHMS: ReadonlyMap<string, AlgorithmInfo> = new Map<string, AlgorithmInfo>([
  ['HS256', { kty: 'oct', hash: 'SHA-256', minSecretBytes: 32 }],
  ['HS384', { kty: 'oct', hash: 'SHA-384', minSecretBytes: 48 }],
  ['HS512', { kty: 'oct', hash: 'SHA-512', minSecretBytes: 64 }],
  ['RS256', { kty: 'RSA', hash: 'SHA-256' }],
  ['RS384', { kty: 'RSA', hash: 'SHA-384' }],
  ['RS512', { kty: 'RSA', hash: 'SHA-512' }],
  ['PS256', { kty: 'RSA', hash: 'SHA-256' }],
  ['PS384', { kty: 'RSA', hash: 'SHA-384' }],
  ['PS512', { kty: 'RSA', hash: 'SHA-512' }],
  ['ES256', { kty: 'EC', crv: 'P-256', hash: 'SHA-256' }],
  ['ES384', { kty: 'EC', crv: 'P-384', hash: 'SHA-384' }],
  ['ES512', { kty: 'EC', crv: 'P-521', hash: 'SHA-512' }],
  // EdDSA and Ed25519 both hash with SHA-512 for at_hash (OpenID Foundation errata for Ed25519).
  ['EdDSA', { kty: 'OKP', hash: 'SHA-512' }],
  ['Ed25519', { kty: 'OKP', crv: 'Ed25519', hash: 'SHA-512' }],
]);

export function isNoneAlgorithm(alg: string): boolean {
  return alg.trim().toLowerCase() === 'none';
}
