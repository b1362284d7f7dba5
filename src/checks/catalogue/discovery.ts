import type { CheckDefinition } from '../types.js';

/**
 * Checks of the discovery group (CHECKS.md "Discovery"): the metadata document an issuer publishes at
 * /.well-known/openid-configuration (OIDC Discovery 1.0) or /.well-known/oauth-authorization-server
 * (RFC 8414). Judged by src/core/discovery-audit.ts.
 */
export const DISCOVERY_CHECKS = [
  {
    id: 'discovery.document',
    title: 'Metadata document answers 200 with a JSON object',
    spec: 'OIDC Discovery §4.2, RFC 8414 §3.2',
    severity: 'error',
    hint: 'Serve the metadata as a JSON object with status 200 and Content-Type application/json at {issuer}/.well-known/openid-configuration.',
  },
  {
    id: 'discovery.redirect',
    title: 'Metadata URL answers directly, without a redirect',
    spec: 'OIDC Discovery §4.1, RFC 8414 §3.1',
    severity: 'error',
    hint: 'Serve the document at the URL derived from the issuer; a redirect usually means the issuer is spelled differently (trailing slash, http vs https, another host).',
  },
  {
    id: 'discovery.fallback',
    title: 'OpenID configuration is published (not only RFC 8414 metadata)',
    spec: 'OIDC Discovery §4',
    severity: 'warning',
    hint: 'OpenID Connect relying parties look for /.well-known/openid-configuration; publish the document there as well.',
  },
  {
    id: 'discovery.issuer_match',
    title: 'issuer in the document is identical to the issuer discovered',
    spec: 'OIDC Discovery §4.3, RFC 8414 §3.3',
    severity: 'error',
    hint: 'The issuer value must match the URL clients use byte for byte (scheme, host case, port, path, trailing slash); it is the mix-up defence and every token\'s iss must equal it.',
  },
  {
    id: 'discovery.issuer_url',
    title: 'issuer is an https URL with no query or fragment',
    spec: 'OIDC Discovery §3, RFC 8414 §2',
    severity: 'error',
    hint: 'Use an https issuer URL without ? or #; plain http is only acceptable on loopback for development.',
  },
  {
    id: 'discovery.required_members',
    title: 'Required members are present and well typed',
    spec: 'OIDC Discovery §3',
    severity: 'error',
    hint: 'Publish authorization_endpoint, token_endpoint (not needed when only the implicit flow is offered), jwks_uri (URLs) and response_types_supported, subject_types_supported, id_token_signing_alg_values_supported (arrays of strings).',
  },
  {
    id: 'discovery.scopes_openid',
    title: 'scopes_supported, if present, contains openid',
    spec: 'OIDC Discovery §3',
    severity: 'error',
    hint: 'Add "openid" to scopes_supported: an OpenID Provider must support it.',
  },
  {
    id: 'discovery.userinfo_endpoint',
    title: 'userinfo_endpoint is published',
    spec: 'OIDC Discovery §3',
    severity: 'warning',
    hint: 'Publish userinfo_endpoint (RECOMMENDED) so clients can fetch claims about the signed-in user.',
  },
  {
    id: 'discovery.https',
    title: 'Every endpoint is an https URL',
    spec: 'OIDC Discovery §3, RFC 8414 §2, RFC 6749 §3.1',
    severity: 'error',
    hint: 'Endpoints that carry codes, tokens and secrets must use TLS; only loopback http is tolerated, for development.',
  },
  {
    id: 'discovery.endpoint_host',
    title: 'Endpoints on other hosts than the issuer are listed',
    spec: 'OIDC Discovery §3, RFC 8414 §2',
    severity: 'info',
    hint: 'A note, never a warning: no spec ties endpoints to the issuer\'s host, and large providers serve tokens, userinfo or keys from other hosts of theirs. Whether anything vouches for those hosts is discovery.endpoint_host_vouched.',
  },
  {
    id: 'discovery.endpoint_host_vouched',
    title: 'Endpoints on other hosts than the issuer are vouched for',
    spec: 'OIDC Discovery §3, RFC 8414 §2 (heuristic)',
    severity: 'warning',
    hint: 'A document fetched from the issuer over TLS with a verified certificate vouches for the endpoints it names. Warned when nothing vouches for them: the document came over plain http, or an endpoint is a bare IP address that no certificate name covers. Serve the metadata over https and name endpoints by host name. Not judged under --insecure (no certificate was checked).',
  },
  {
    id: 'discovery.alg_rs256',
    title: 'id_token_signing_alg_values_supported contains RS256',
    spec: 'OIDC Discovery §3',
    severity: 'error',
    hint: 'Support RS256 for ID tokens: it is the one algorithm every relying party can rely on.',
  },
  {
    id: 'discovery.alg_none',
    title: 'id_token_signing_alg_values_supported does not list none',
    spec: 'OIDC Discovery §3, OIDC Core §3.1.3.7 step 6, RFC 8725 §3.1',
    severity: 'warning',
    hint: 'Remove "none": unsigned ID tokens are only allowed with response types that use no front channel, and invite downgrade attacks.',
  },
  {
    id: 'discovery.pkce_s256',
    title: 'code_challenge_methods_supported lists S256',
    spec: 'RFC 9700 §2.1.1, RFC 8414 §2',
    severity: 'warning',
    hint: 'Support PKCE with S256 and advertise it in code_challenge_methods_supported, so clients know they can (and should) use it.',
  },
  {
    id: 'discovery.pkce_plain',
    title: 'code_challenge_methods_supported does not list plain',
    spec: 'RFC 7636 §4.2, RFC 9700 §2.1.1',
    severity: 'info',
    hint: 'The plain method leaks the verifier with the challenge; S256 is enough for every client.',
  },
  {
    id: 'discovery.implicit_or_password',
    title: 'No implicit (token) response type and no password grant',
    spec: 'RFC 9700 §2.1.2, §2.4',
    severity: 'warning',
    hint: 'Drop "token" from response_types_supported and "password" from grant_types_supported: the implicit grant and the resource owner password grant must not be used (RFC 9700).',
  },
  {
    id: 'discovery.iss_parameter',
    title: 'authorization_response_iss_parameter_supported is true',
    spec: 'RFC 9207 §3',
    severity: 'info',
    hint: 'Return iss in authorization responses and advertise it: it lets clients detect mix-up attacks cheaply.',
  },
  {
    id: 'discovery.response_types',
    title: 'response_types_supported holds only response types',
    spec: 'OIDC Discovery §3, OAuth 2.0 Multiple Response Types §3–§5, RFC 6749 §3.1.1',
    severity: 'error',
    hint: 'List response types ("code", "id_token", "code id_token", "none"…), not grant types: authorization_code, refresh_token and client_credentials belong in grant_types_supported.',
  },
  {
    id: 'discovery.registry_values',
    title: 'Every *_supported value is in its registry',
    spec: 'RFC 8414 §2, OIDC Discovery §3, RFC 7636 §6.2, RFC 7518 §3.1/§4.1/§5.1, RFC 7591 §2',
    severity: 'error',
    hint: 'Each list draws from one IANA registry (JWS algorithms for *_signing_alg_values_supported, PKCE methods for code_challenge_methods_supported…): a value from another registry or a typo tells clients something the server cannot do. An error for the algorithm and PKCE lists, a warning for the descriptive ones (subject/claim/display types, response modes, grant types, authentication methods), where private extensions are common.',
  },
] as const satisfies readonly CheckDefinition[];
