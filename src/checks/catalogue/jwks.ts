import type { CheckDefinition } from '../types.js';

/**
 * Checks of the jwks group (CHECKS.md "JWKS"): the JWK Set at jwks_uri, or a local file. Judged by
 * src/core/jwks-audit.ts, which is pure so it runs on a file as well as on a fetched set.
 */
export const JWKS_CHECKS = [
  {
    id: 'jwks.document',
    title: 'JWK Set answers 200 with a JSON object holding a keys array',
    spec: 'RFC 7517 §5, OIDC Discovery §3 (jwks_uri)',
    severity: 'error',
    hint: 'Serve {"keys": [...]} with status 200 and Content-Type application/json (or application/jwk-set+json).',
  },
  {
    id: 'jwks.signing_key',
    title: 'At least one key can verify signatures',
    spec: 'OIDC Discovery §3 (jwks_uri), OIDC Core §10.1',
    severity: 'error',
    hint: 'Publish the public key(s) the IdP signs ID tokens with; without one no client can verify a token.',
  },
  {
    id: 'jwks.private_material',
    title: 'No private or symmetric key material is published',
    spec: 'RFC 7517 §9.2, RFC 7518 §6.3.2, §6.4',
    severity: 'error',
    hint: 'Remove d, p, q, dp, dq, qi, oth and k from the published set and rotate those keys now: anyone who fetched them can sign tokens.',
  },
  {
    id: 'jwks.key_shape',
    title: 'Each key has the members its kty requires, in base64url',
    spec: 'RFC 7518 §6.2.1, §6.3.1, RFC 8037 §2',
    severity: 'error',
    hint: 'RSA keys need n and e, EC keys crv, x and y, OKP keys crv and x, each unpadded base64url of the right length.',
  },
  {
    id: 'jwks.rsa_size',
    title: 'RSA moduli are 2048 to 16384 bits',
    spec: 'RFC 7518 §3.3, §4.2',
    severity: 'error',
    hint: 'Generate RSA keys of 2048 bits or more (3072 for long-lived keys); shorter keys are breakable, and oidc-cli refuses to verify with them (or with moduli past OpenSSL\'s 16384-bit limit).',
  },
  {
    id: 'jwks.rsa_exponent',
    title: 'RSA public exponents are odd and at least 3',
    spec: 'RFC 8017 §3.1, RFC 7518 §6.3.1.2',
    severity: 'error',
    hint: 'Use e = 65537 (AQAB). With e = 1 every message is its own signature, so anyone can forge tokens; oidc-cli refuses to verify with such a key.',
  },
  {
    id: 'jwks.ec_point',
    title: 'EC public keys are points on their curve; OKP (EdDSA) keys are not of small order',
    spec: 'RFC 7518 §6.2.1, SEC 1 §3.2.2.1, RFC 8032 §5.1.7',
    severity: 'error',
    hint: 'Export the public key from the real key pair; a point off the curve, or an Ed25519/Ed448 point of small order, lets anyone forge signatures, and oidc-cli refuses to verify with it.',
  },
  {
    id: 'jwks.crv_alg',
    title: 'alg agrees with kty and crv',
    spec: 'RFC 7518 §3.1, §3.4, RFC 8037 §3.1',
    severity: 'error',
    hint: 'ES256 needs P-256, ES384 P-384, ES512 P-521, EdDSA an OKP key (Ed25519/Ed448), RS*/PS* an RSA key.',
  },
  {
    id: 'jwks.duplicate_kid',
    title: 'kid values are unique',
    // An error: two keys of one kty/alg under one kid defeat the kid a token MUST carry to select its key
    // among several (OIDC Core §10.1; CHECKS.md "E when kty/alg also collide"). One kid over keys of
    // different types is the equivalent-alternatives case RFC 7517 §4.5 allows: the judge downgrades it.
    spec: 'RFC 7517 §4.5, OIDC Core §10.1',
    severity: 'error',
    hint: 'Give every key its own kid; when two keys share a kid and kty/alg, a verifier cannot tell which one a token names.',
  },
  {
    id: 'jwks.missing_kid',
    title: 'Every key has a kid when the set holds several',
    spec: 'RFC 7517 §4.5, OIDC Core §10.1',
    severity: 'warning',
    hint: 'Add a kid to every key and to the header of every token, so verifiers pick the right key during a rotation.',
  },
  {
    id: 'jwks.kid_format',
    title: 'kid values are opaque strings a key store can hold',
    spec: 'RFC 7517 §4.5, RFC 8725 §3.10',
    severity: 'warning',
    hint: 'kid has no syntax (a "/" or "+" of a base64 digest is fine), but a ".." path segment, control characters, quotes or angle brackets, or hundreds of characters invite injection into key lookups; use short opaque ids.',
  },
  {
    id: 'jwks.use_key_ops',
    title: 'use and key_ops agree',
    spec: 'RFC 7517 §4.3',
    severity: 'error',
    hint: 'Drop key_ops (use is enough for a published set) or make it consistent: use "sig" ↔ ["verify"], use "enc" ↔ ["encrypt", "wrapKey"].',
  },
  {
    id: 'jwks.use_required',
    title: 'use is set on every key when signing and encryption keys are mixed',
    spec: 'OIDC Discovery §3 (jwks_uri)',
    severity: 'error',
    hint: 'When the set holds both signing and encryption keys, every key must say "use": "sig" or "enc".',
  },
  {
    id: 'jwks.x5c_match',
    title: 'The x5c leaf certificate holds the same public key',
    spec: 'RFC 7517 §4.7',
    severity: 'error',
    hint: 'Regenerate x5c from the key that is published, or remove x5c: a mismatch means one of them is stale or forged.',
  },
] as const satisfies readonly CheckDefinition[];
