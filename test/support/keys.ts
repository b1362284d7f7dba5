import { calculateJwkThumbprint, exportJWK, exportPKCS8, generateKeyPair } from 'jose';
import type { JWK } from 'jose';

/** A freshly generated signing key pair, in the forms tests and the IdP need. */
export interface TestKeyPair {
  alg: 'RS256' | 'ES256';
  kid: string;
  /** Public JWK with kid, alg and use=sig: what goes into a JWKS. */
  publicJwk: JWK;
  /** Private JWK with the same kid/alg: what oidc-provider or a client signs with. */
  privateJwk: JWK;
  /** PKCS#8 PEM of the private key, for `--private-key FILE`. */
  privateKeyPem: string;
}

/**
 * Generates a key pair whose kid is its RFC 7638 thumbprint (prefixed by the alg, so a reader of a
 * JWKS can tell the keys apart at a glance). RSA keys are 2048 bits: the minimum CHECKS.md accepts.
 */
export async function generateSigningKey(alg: 'RS256' | 'ES256'): Promise<TestKeyPair> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true, modulusLength: 2048 });
  const publicJwk = await exportJWK(publicKey);
  const kid = `${alg.toLowerCase()}-${(await calculateJwkThumbprint(publicJwk)).slice(0, 16)}`;
  const meta = { kid, alg, use: 'sig' };
  return {
    alg,
    kid,
    publicJwk: { ...publicJwk, ...meta },
    privateJwk: { ...(await exportJWK(privateKey)), ...meta },
    privateKeyPem: await exportPKCS8(privateKey),
  };
}
