import { JWS_ALGORITHMS } from './jwt/algorithms.js';

/**
 * The IANA registries the `*_supported` members of a metadata document draw their values from
 * (OIDC Discovery §3, RFC 8414 §2). A value outside its registry is either a typo, a value from another
 * registry (a JWS alg listed as a PKCE method), or a private extension a client cannot rely on.
 */

/** JWS "alg" values: RFC 7518 §3.1, RFC 8037, RFC 8812, and the fully specified EdDSA names (RFC 9864). */
export const JWS_ALG_VALUES: ReadonlySet<string> = new Set([...JWS_ALGORITHMS.keys(), 'none', 'ES256K', 'Ed448', 'ML-DSA-44', 'ML-DSA-65', 'ML-DSA-87']);

/** JWE "alg" (key management) values: RFC 7518 §4.1, RFC 8037 §3.2. */
const JWE_ALG_VALUES: ReadonlySet<string> = new Set([
  'RSA1_5', 'RSA-OAEP', 'RSA-OAEP-256', 'RSA-OAEP-384', 'RSA-OAEP-512', 'A128KW', 'A192KW', 'A256KW', 'dir',
  'ECDH-ES', 'ECDH-ES+A128KW', 'ECDH-ES+A192KW', 'ECDH-ES+A256KW', 'A128GCMKW', 'A192GCMKW', 'A256GCMKW',
  'PBES2-HS256+A128KW', 'PBES2-HS384+A192KW', 'PBES2-HS512+A256KW',
]);

/** JWE "enc" values: RFC 7518 §5.1. */
const JWE_ENC_VALUES: ReadonlySet<string> = new Set(['A128CBC-HS256', 'A192CBC-HS384', 'A256CBC-HS512', 'A128GCM', 'A192GCM', 'A256GCM']);

/** OAuth Token Endpoint Authentication Methods (RFC 7591 §2, RFC 8705 §2). */
const CLIENT_AUTH_METHODS: ReadonlySet<string> = new Set([
  'none', 'client_secret_post', 'client_secret_basic', 'client_secret_jwt', 'private_key_jwt', 'tls_client_auth', 'self_signed_tls_client_auth',
]);

/** Registered grant types without a URI of their own (RFC 7591 §2); extension grants are absolute URIs. */
const GRANT_TYPES: ReadonlySet<string> = new Set(['authorization_code', 'implicit', 'refresh_token', 'password', 'client_credentials']);

/** OAuth Authorization Endpoint Response Types (OAuth 2.0 Multiple Response Types §3 and §4, RFC 6749 §3.1.1). */
const RESPONSE_TYPE_WORDS: ReadonlySet<string> = new Set(['code', 'token', 'id_token']);

/** Response modes: OAuth 2.0 Multiple Response Types §2.1, Form Post Response Mode §2, JARM §2.3. */
const RESPONSE_MODES: ReadonlySet<string> = new Set(['query', 'fragment', 'form_post', 'jwt', 'query.jwt', 'fragment.jwt', 'form_post.jwt']);

/**
 * `closed`: the registries a client acts on with security at stake (algorithms, PKCE methods), where a
 * value outside the registry is an error (CHECKS.md); the descriptive ones (subject, claim and display
 * types, response modes, grant types, authentication methods) see private extensions in the wild.
 */
type Registry = { name: string; closed: boolean; accepts(value: string): boolean };

const inSet = (name: string, set: ReadonlySet<string>, closed = false): Registry => ({ name, closed, accepts: (value) => set.has(value) });

/** An absolute URI (`urn:…`, `https://…`): how extension grant types and claim types are named. */
const isAbsoluteUri = (value: string) => /^[a-z][a-z0-9+.-]*:\S+$/i.test(value);

/** By member name, which the document chooses: a Map, so no name finds a member of Object.prototype. */
const REGISTRIES: ReadonlyMap<string, Registry> = new Map([
  ['code_challenge_methods_supported', inSet('PKCE Code Challenge Methods (RFC 7636 §6.2)', new Set(['plain', 'S256']), true)],
  ['subject_types_supported', inSet('subject types (OIDC Core §8)', new Set(['public', 'pairwise']))],
  ['claim_types_supported', inSet('claim types (OIDC Core §5.6)', new Set(['normal', 'aggregated', 'distributed']))],
  ['display_values_supported', inSet('display values (OIDC Core §3.1.2.1)', new Set(['page', 'popup', 'touch', 'wap']))],
  ['prompt_values_supported', inSet('prompt values (OIDC Core §3.1.2.1, Initiating User Registration §4)', new Set(['none', 'login', 'consent', 'select_account', 'create']))],
  ['backchannel_token_delivery_modes_supported', inSet('CIBA token delivery modes (OpenID CIBA Core §4)', new Set(['poll', 'ping', 'push']))],
  ['response_modes_supported', inSet('response modes (OAuth 2.0 Multiple Response Types §2.1, Form Post, JARM)', RESPONSE_MODES)],
  ['grant_types_supported', { name: 'OAuth grant types (RFC 7591 §2; extensions are absolute URIs)', closed: false, accepts: (v: string) => GRANT_TYPES.has(v) || isAbsoluteUri(v) }],
]);

/** Which registry a `*_supported` member draws from, by the naming pattern the specs use for them. */
export function registryFor(member: string): Registry | undefined {
  const known = REGISTRIES.get(member);
  if (known) return known;
  if (member.endsWith('_auth_methods_supported')) return inSet('OAuth Token Endpoint Authentication Methods (RFC 7591 §2, RFC 8705 §2)', CLIENT_AUTH_METHODS);
  if (member.endsWith('_encryption_alg_values_supported')) return inSet('JWE alg values (RFC 7518 §4.1)', JWE_ALG_VALUES, true);
  if (member.endsWith('_encryption_enc_values_supported')) return inSet('JWE enc values (RFC 7518 §5.1)', JWE_ENC_VALUES, true);
  if (member.endsWith('_alg_values_supported')) return inSet('JWS alg values (RFC 7518 §3.1)', JWS_ALG_VALUES, true);
  return undefined;
}

/**
 * A response type is "none" or a space-separated set of code, token and id_token, each at most once
 * (OAuth 2.0 Multiple Response Types §3–§5). Grant type names (`authorization_code`, `refresh_token`)
 * listed here are a common confusion of the two registries.
 */
export function isResponseType(value: string): boolean {
  if (value === 'none') return true;
  const words = value.split(' ');
  return words.every((word) => RESPONSE_TYPE_WORDS.has(word)) && new Set(words).size === words.length;
}

/** Response types that use the authorization code (so token_endpoint and PKCE matter). */
export const usesCode = (responseType: string) => responseType.split(' ').includes('code');
