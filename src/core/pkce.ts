import { createHash, randomBytes } from 'node:crypto';

/**
 * PKCE (RFC 7636). The code_verifier is 32 random bytes as base64url: 43 characters from the
 * unreserved set, the minimum length of §4.1 with 256 bits of entropy (§7.1).
 */
export interface Pkce {
  code_verifier: string;
  code_challenge: string;
  code_challenge_method: 'S256';
}

/** High-entropy random value for state, nonce and code_verifier (RFC 9700 §4.7.1, RFC 7636 §7.1). */
export function randomValue(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** code_challenge = BASE64URL(SHA256(ASCII(code_verifier))) (RFC 7636 §4.2). */
export function codeChallengeS256(code_verifier: string): string {
  return createHash('sha256').update(code_verifier, 'ascii').digest('base64url');
}

/** §4.1: 43 to 128 characters of [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~". */
export function isValidCodeVerifier(value: string): boolean {
  return /^[A-Za-z0-9\-._~]{43,128}$/.test(value);
}

export function createPkce(code_verifier = randomValue(32)): Pkce {
  if (!isValidCodeVerifier(code_verifier)) throw new Error('code_verifier must be 43-128 unreserved characters (RFC 7636 §4.1)');
  return { code_verifier, code_challenge: codeChallengeS256(code_verifier), code_challenge_method: 'S256' };
}
