import type { CheckDefinition, Severity } from '../types.js';

/**
 * Checks on a JWT, written once and instantiated for three prefixes:
 * - `jwt.*`          — `decode` of any token (RFC 7515/7519/8725),
 * - `id_token.*`     — an ID token from a login or refresh (OIDC Core §3.1.3.7),
 * - `access_token.*` — a JWT access token (RFC 9068).
 * The judging code in src/core/jwt is shared; only severity and spec section differ per prefix.
 */
export type TokenPrefix = 'jwt' | 'id_token' | 'access_token';

interface TokenRule {
  suffix: string;
  title: string;
  spec: Record<TokenPrefix, string>;
  severity: Severity | Record<TokenPrefix, Severity>;
  hint?: string;
  /** Only instantiated for these prefixes (default: all). */
  only?: readonly TokenPrefix[];
}

const RULES = [
  {
    suffix: 'format',
    title: 'Compact serialization with canonical base64url',
    spec: { jwt: 'RFC 7515 §2, §7.1', id_token: 'RFC 7515 §7.1', access_token: 'RFC 7515 §7.1' },
    severity: 'error',
    hint: 'Encode each part as unpadded base64url with no stray bits (RFC 7515 §2); a verifier may not accept other spellings.',
  },
  {
    suffix: 'jwe',
    title: 'Token is a signed JWS, not a JWE that cannot be decrypted',
    spec: { jwt: 'RFC 7516 §9', id_token: 'OIDC Core §3.1.3.7 step 1', access_token: 'RFC 9068 §4' },
    severity: 'error',
    hint: 'oidc-cli takes no private key, so it cannot decrypt a JWE, and nothing inside one can be verified: register the client without id_token_encrypted_response_alg (or ask the IdP for a signed token), or decrypt it and decode the inner JWS.',
  },
  {
    suffix: 'duplicate_members',
    title: 'No member name repeated in header or payload',
    spec: { jwt: 'RFC 7515 §5.2, RFC 7519 §4', id_token: 'RFC 7519 §4', access_token: 'RFC 7519 §4' },
    severity: 'error',
    hint: 'Parsers disagree on which duplicate wins (the last, the first, or an error): an attacker can exploit the difference.',
  },
  {
    suffix: 'alg',
    title: 'Signature algorithm is acceptable',
    spec: { jwt: 'RFC 8725 §3.1, §3.2', id_token: 'OIDC Core §3.1.3.7 steps 6-8', access_token: 'RFC 9068 §4' },
    severity: 'error',
    hint: 'Sign with an asymmetric algorithm such as RS256 or ES256; never accept "none"; an HMAC token needs a shared secret, never a public key.',
  },
  {
    suffix: 'alg_advertised',
    title: 'alg is one the issuer advertises',
    spec: { jwt: 'OIDC Discovery §3', id_token: 'OIDC Core §3.1.3.7 step 7', access_token: 'OIDC Discovery §3' },
    severity: 'warning',
    hint: 'Add the algorithm to id_token_signing_alg_values_supported, or sign with one that is listed.',
    only: ['id_token'],
  },
  {
    suffix: 'crit',
    title: 'No unknown critical header parameter',
    spec: { jwt: 'RFC 7515 §4.1.11', id_token: 'RFC 7515 §4.1.11', access_token: 'RFC 7515 §4.1.11' },
    severity: 'error',
    hint: 'A recipient must reject a JWS whose "crit" names an extension it does not understand.',
  },
  {
    suffix: 'header_keys',
    title: 'No key or key URL taken from the token header',
    spec: { jwt: 'RFC 8725 §3.10, RFC 7515 §4.1.2-4.1.6', id_token: 'OIDC Core §10.1', access_token: 'RFC 8725 §3.10' },
    severity: 'warning',
    hint: 'jku, x5u, jwk and x5c let the token choose its own key: oidc-cli never fetches or trusts them; keys come from the issuer\'s jwks_uri.',
  },
  {
    suffix: 'kid',
    title: 'kid is a plain identifier',
    spec: { jwt: 'RFC 7515 §4.1.4, RFC 8725 §3.10', id_token: 'RFC 7515 §4.1.4', access_token: 'RFC 7515 §4.1.4' },
    severity: 'warning',
    hint: 'kid has no syntax (a "/" or "+" of a base64 digest is fine), but a ".." path segment, control characters, quotes or angle brackets, or hundreds of characters hint at injection into a key lookup.',
  },
  {
    suffix: 'key',
    title: 'Exactly one verification key selected',
    spec: { jwt: 'RFC 7515 §6, RFC 7517 §4.5', id_token: 'OIDC Core §10.1', access_token: 'RFC 9068 §4' },
    severity: 'error',
    hint: 'Put a kid in the header that names a key in the issuer\'s JWKS; after a key rotation, publish the new key before signing with it.',
  },
  {
    suffix: 'signature',
    title: 'Signature verifies',
    spec: { jwt: 'RFC 7515 §5.2', id_token: 'OIDC Core §3.1.3.7 step 6', access_token: 'RFC 9068 §4' },
    severity: 'error',
    hint: 'The token was altered, or signed with a key that is not the one published for it.',
  },
  {
    suffix: 'typ',
    title: 'typ header fits the token',
    spec: { jwt: 'RFC 7519 §5.1, RFC 8725 §3.11', id_token: 'RFC 9068 §2.1, RFC 8725 §3.11', access_token: 'RFC 9068 §2.1' },
    severity: { jwt: 'warning', id_token: 'error', access_token: 'warning' },
    hint: 'Access tokens carry typ "at+jwt" (RFC 9068); an ID token never does, so the two cannot be swapped.',
  },
  {
    suffix: 'exp',
    title: 'exp present and in the future',
    spec: { jwt: 'RFC 7519 §4.1.4', id_token: 'OIDC Core §3.1.3.7 step 9', access_token: 'RFC 9068 §2.2' },
    severity: 'error',
    hint: 'Get a fresh token; if it expired the moment it was issued, compare this machine\'s clock with the IdP\'s.',
  },
  {
    suffix: 'exp_horizon',
    title: 'exp is not absurdly far in the future',
    spec: { jwt: 'RFC 8725 §3.10', id_token: 'OIDC Core §3.1.3.7 step 9', access_token: 'RFC 9700 §2.2' },
    severity: 'warning',
    hint: 'A lifetime of years usually means seconds and milliseconds were mixed up; keep token lifetimes short.',
  },
  {
    suffix: 'nbf',
    title: 'nbf, if present, has passed',
    spec: { jwt: 'RFC 7519 §4.1.5', id_token: 'RFC 7519 §4.1.5', access_token: 'RFC 7519 §4.1.5' },
    severity: 'error',
    hint: 'The token is not valid yet; if that is surprising, compare this machine\'s clock with the IdP\'s.',
  },
  {
    suffix: 'iat',
    title: 'iat present and not in the future',
    spec: { jwt: 'RFC 7519 §4.1.6', id_token: 'OIDC Core §3.1.3.7 step 10', access_token: 'RFC 9068 §2.2' },
    severity: { jwt: 'warning', id_token: 'error', access_token: 'warning' },
    hint: 'A token issued in the future means one of the clocks is wrong; --clock-skew widens the tolerance.',
  },
  {
    suffix: 'iss',
    title: 'iss equals the expected issuer exactly',
    spec: { jwt: 'RFC 7519 §4.1.1', id_token: 'OIDC Core §3.1.3.7 step 2', access_token: 'RFC 9068 §4' },
    severity: 'error',
    hint: 'Compare byte for byte: scheme, host case, port and trailing slash all count.',
  },
  {
    suffix: 'aud',
    title: 'aud contains the expected audience',
    spec: { jwt: 'RFC 7519 §4.1.3', id_token: 'OIDC Core §3.1.3.7 step 3', access_token: 'RFC 9068 §4' },
    severity: 'error',
    hint: 'The token was issued for another client or API; request it with the right client_id or resource.',
  },
  {
    suffix: 'azp',
    title: 'azp, if present, is the client',
    spec: { jwt: 'OIDC Core §2', id_token: 'OIDC Core §3.1.3.7 steps 4-5', access_token: 'OIDC Core §2' },
    severity: 'warning',
    hint: 'With several audiences the ID token should name the authorized party (azp) and it must be this client.',
  },
  {
    suffix: 'nonce',
    title: 'nonce equals the one sent',
    spec: { jwt: 'OIDC Core §3.1.3.7 step 11', id_token: 'OIDC Core §3.1.3.7 step 11', access_token: 'OIDC Core §3.1.3.7 step 11' },
    severity: 'error',
    hint: 'A missing or different nonce means the ID token may be replayed from another session.',
  },
  {
    suffix: 'auth_time',
    title: 'auth_time present and recent enough for max_age',
    spec: { jwt: 'OIDC Core §3.1.3.7 step 13', id_token: 'OIDC Core §3.1.3.7 step 13', access_token: 'OIDC Core §3.1.3.7 step 13' },
    severity: 'error',
    hint: 'When max_age is requested the IdP must return auth_time and re-authenticate the user if the session is older.',
  },
  {
    suffix: 'sub',
    title: 'sub present, at most 255 ASCII characters',
    spec: { jwt: 'RFC 7519 §4.1.2', id_token: 'OIDC Core §2', access_token: 'RFC 9068 §2.2' },
    severity: { jwt: 'warning', id_token: 'error', access_token: 'warning' },
  },
  {
    suffix: 'at_hash',
    title: 'at_hash matches the access token',
    spec: { jwt: 'OIDC Core §3.1.3.8', id_token: 'OIDC Core §3.1.3.8, §3.2.2.9', access_token: 'OIDC Core §3.1.3.8' },
    severity: 'error',
    hint: 'at_hash is the base64url of the left half of the hash of the access token, with the hash of the ID token\'s alg.',
    only: ['id_token'],
  },
  {
    suffix: 'c_hash',
    title: 'c_hash matches the authorization code',
    spec: { jwt: 'OIDC Core §3.3.2.11', id_token: 'OIDC Core §3.3.2.11', access_token: 'OIDC Core §3.3.2.11' },
    severity: 'error',
    only: ['id_token'],
  },
  {
    suffix: 'claims',
    title: 'Claims RFC 9068 requires are present',
    spec: { jwt: 'RFC 9068 §2.2', id_token: 'RFC 9068 §2.2', access_token: 'RFC 9068 §2.2' },
    severity: 'warning',
    hint: 'A JWT access token carries iss, exp, aud, sub, client_id, iat and jti.',
    only: ['access_token'],
  },
  {
    suffix: 'looks_like_id_token',
    title: 'Access token is not an ID token in disguise',
    spec: { jwt: 'RFC 9068 §4', id_token: 'RFC 9068 §4', access_token: 'RFC 9068 §4, RFC 8725 §2.8' },
    severity: 'warning',
    hint: 'An access token whose aud is the client_id looks like an ID token: APIs must not accept ID tokens as access tokens.',
    only: ['access_token'],
  },
] as const satisfies readonly TokenRule[];

const TITLES: Record<TokenPrefix, string> = { jwt: 'JWT', id_token: 'ID token', access_token: 'Access token' };

type Rule = (typeof RULES)[number];
type IdOf<R> = R extends { suffix: infer S extends string; only: readonly (infer P extends TokenPrefix)[] }
  ? `${P}.${S}`
  : R extends { suffix: infer S extends string }
    ? `${TokenPrefix}.${S}`
    : never;
/** Every token check id, `jwt.exp` to `access_token.typ`: a rule limited to some prefixes exists only there. */
export type TokenCheckId = IdOf<Rule>;

type PrefixesOf<R> = R extends { only: readonly (infer P extends TokenPrefix)[] } ? P : TokenPrefix;
type SeverityFor<V, P extends TokenPrefix> = V extends Severity ? V : V extends Record<TokenPrefix, Severity> ? V[P] : never;
type IdsWithSeverity<R, S extends Severity> = R extends { suffix: infer X extends string; severity: infer V }
  ? { [P in PrefixesOf<R>]: SeverityFor<V, P> extends S ? `${P}.${X}` : never }[PrefixesOf<R>]
  : never;
/** The token check ids whose catalogue severity is `S` (for `id_token.iat` 'error', for `jwt.iat` 'warning'). */
export type TokenCheckIdOfSeverity<S extends Severity> = IdsWithSeverity<Rule, S>;

/**
 * The three ids of one rule that every prefix has, spelled out where it is judged so `grep id_token.exp src`
 * lands on the judge: `{ jwt: 'jwt.exp', id_token: 'id_token.exp', access_token: 'access_token.exp' }`.
 * Each value must be its own prefix's id of that rule, so a map cannot name another check by mistake.
 */
export type TokenIds<S extends string> = { readonly [P in TokenPrefix]: `${P}.${S}` & TokenCheckId };

export function tokenChecks(prefix: TokenPrefix): CheckDefinition[] {
  return (RULES as readonly TokenRule[]).filter((rule) => !rule.only || rule.only.includes(prefix)).map((rule) => {
    const definition: CheckDefinition = {
      id: `${prefix}.${rule.suffix}`,
      title: `${TITLES[prefix]}: ${rule.title}`,
      spec: rule.spec[prefix],
      severity: typeof rule.severity === 'string' ? rule.severity : rule.severity[prefix],
    };
    if (rule.hint) definition.hint = rule.hint;
    return definition;
  });
}
