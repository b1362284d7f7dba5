import type { CheckDefinition } from '../types.js';

// Section names, not numbers: both documents are cited by the title of the part that holds the rule.
const FAPI2 = 'FAPI 2.0 Security Profile';
const BCP = 'RFC 9700';
// An Internet-Draft: cited by section title (its numbering moves between revisions).
const OAUTH21 = 'OAuth 2.1 (draft-ietf-oauth-v2-1)';

/**
 * The requirements of `check --policy` (src/core/check/policy.ts): each is judged from what the run
 * already saw — the metadata and the checks and probes that ran — never by a request of its own, so a
 * policy turns no check off and adds no traffic. A requirement the run could not see is a skip saying
 * which option would show it.
 */
export const POLICY_CHECKS = [
  {
    id: 'fapi2.par',
    title: 'FAPI 2.0: authorization requests are pushed (PAR required, a plain one refused)',
    spec: `${FAPI2}, authorization server requirements (PAR); RFC 9126 §5`,
    severity: 'error',
    hint: 'Set require_pushed_authorization_requests: true and refuse any authorization request that did not come through the PAR endpoint (probe.par_required shows it).',
  },
  {
    id: 'fapi2.pkce',
    title: 'FAPI 2.0: PKCE with S256 is required',
    spec: `${FAPI2}, authorization server requirements (PKCE); RFC 7636`,
    severity: 'error',
    hint: 'Advertise S256 in code_challenge_methods_supported and refuse authorization requests without a code_challenge.',
  },
  {
    id: 'fapi2.sender_constrained',
    title: 'FAPI 2.0: access tokens are sender-constrained (DPoP or mTLS), never plain Bearer',
    spec: `${FAPI2}, authorization server requirements (sender-constrained access tokens); RFC 9449; RFC 8705`,
    severity: 'error',
    hint: 'Advertise dpop_signing_alg_values_supported or tls_client_certificate_bound_access_tokens, and issue only bound tokens (oidc-provider: dpop_bound_access_tokens on the client). Run check --dpop to see a bound token refused as Bearer.',
  },
  {
    id: 'fapi2.client_auth',
    title: 'FAPI 2.0: clients authenticate with private_key_jwt or mTLS only',
    spec: `${FAPI2}, authorization server requirements (client authentication)`,
    severity: 'error',
    hint: 'token_endpoint_auth_methods_supported may list only private_key_jwt, tls_client_auth and self_signed_tls_client_auth: shared secrets and public clients are not allowed.',
  },
  {
    id: 'fapi2.iss',
    title: 'FAPI 2.0: the authorization response carries iss (RFC 9207)',
    spec: `${FAPI2}, authorization server requirements (mix-up); RFC 9207 §2`,
    severity: 'error',
    hint: 'Advertise authorization_response_iss_parameter_supported: true and return iss in every authorization response.',
  },
  {
    id: 'fapi2.algorithms',
    title: 'FAPI 2.0: signatures use PS256, ES256 or EdDSA only',
    spec: `${FAPI2}, cryptography and secrets`,
    severity: 'error',
    hint: 'Every *_signing_alg_values_supported list may hold only PS256, ES256 and EdDSA (RS256 is not allowed), and ID tokens are signed with one of them.',
  },
  {
    id: 'fapi2.response_types',
    title: 'FAPI 2.0: only the authorization code flow (response_type code)',
    spec: `${FAPI2}, authorization server requirements (response types)`,
    severity: 'error',
    hint: 'response_types_supported may hold only "code": no implicit or hybrid flow.',
  },
  {
    id: 'fapi2.redirect_uri',
    title: 'FAPI 2.0: redirect URIs are compared exactly',
    spec: `${FAPI2}, authorization server requirements (redirect URI); ${BCP} §4.1.3`,
    severity: 'error',
    hint: 'Compare redirect_uri with the registered one by simple string comparison: an altered one gets an error page (probe.redirect_uri_altered).',
  },
  {
    id: 'rfc9700.no_implicit',
    title: 'RFC 9700: no response type that issues access tokens in the front channel',
    spec: `${BCP} §2.1.2`,
    severity: 'error',
    hint: 'Drop "token" and every combination holding it from response_types_supported: use the code flow with PKCE.',
  },
  {
    id: 'rfc9700.no_password',
    title: 'RFC 9700: no resource owner password credentials grant',
    spec: `${BCP} §2.4`,
    severity: 'error',
    hint: 'Remove "password" from grant_types_supported: it exposes the user\'s credentials to the client.',
  },
  {
    id: 'rfc9700.pkce',
    title: 'RFC 9700: PKCE supported with S256, and its downgrade refused',
    spec: `${BCP} §2.1.1`,
    severity: 'error',
    hint: 'Advertise S256, refuse a code_verifier for a code issued without code_challenge (probe.pkce_downgrade), and a missing or wrong one for a code issued with it.',
  },
  {
    id: 'rfc9700.redirect_uri',
    title: 'RFC 9700: redirect URIs are matched exactly',
    spec: `${BCP} §2.1`,
    severity: 'error',
    hint: 'Exact string matching of redirect_uri (a port may vary only for loopback IP literals of native apps, RFC 8252 §7.3).',
  },
  {
    id: 'rfc9700.mix_up',
    title: 'RFC 9700: mix-up defence (RFC 9207 iss in the authorization response)',
    spec: `${BCP} §2.1, §4.4.2`,
    severity: 'warning',
    hint: 'Return iss in authorization responses and advertise authorization_response_iss_parameter_supported (or give each authorization server its own redirect URI).',
  },
  {
    id: 'rfc9700.refresh_public',
    title: 'RFC 9700: a public client\'s refresh tokens are rotated or sender-constrained',
    spec: `${BCP} §4.14.2`,
    severity: 'error',
    hint: 'Rotate refresh tokens of public clients on every use (and refuse the old one), or bind them to the client\'s DPoP key.',
  },
  {
    id: 'rfc9700.sender_constrained',
    title: 'RFC 9700: sender-constrained access tokens are offered',
    spec: `${BCP} §2.2.1`,
    severity: 'warning',
    hint: 'Offer DPoP (RFC 9449) or mTLS-bound tokens (RFC 8705), so a leaked access token cannot be replayed.',
  },
  {
    id: 'rfc9700.code_reuse',
    title: 'RFC 9700: an authorization code is redeemed once',
    spec: 'RFC 6749 §4.1.2; RFC 9700 §4.5',
    severity: 'error',
    hint: 'Refuse a second redemption of a code (and revoke what the first one issued): probe.code_reuse shows it.',
  },
  {
    id: 'oauth21.pkce',
    title: 'OAuth 2.1: PKCE is required, with S256, and cannot be downgraded',
    spec: `${OAUTH21}, Authorization Code Grant (PKCE)`,
    severity: 'error',
    hint: 'Advertise S256 and refuse an authorization request without code_challenge (probe.pkce_required), a code redeemed without its verifier or with a wrong one, and a verifier for a code issued without a challenge.',
  },
  {
    id: 'oauth21.no_implicit',
    title: 'OAuth 2.1: no implicit grant (no response type with token)',
    spec: `${OAUTH21}, differences from OAuth 2.0 (the implicit grant is omitted)`,
    severity: 'error',
    hint: 'Drop "token" and every combination holding it from response_types_supported.',
  },
  {
    id: 'oauth21.no_password',
    title: 'OAuth 2.1: no resource owner password credentials grant',
    spec: `${OAUTH21}, differences from OAuth 2.0 (the password grant is omitted)`,
    severity: 'error',
    hint: 'Remove "password" from grant_types_supported.',
  },
  {
    id: 'oauth21.redirect_uri',
    title: 'OAuth 2.1: redirect URIs are compared as exact strings',
    spec: `${OAUTH21}, redirect URI (exact string matching)`,
    severity: 'error',
    hint: 'Compare redirect_uri with the registered one as strings (a loopback IP literal\'s port may vary for native apps).',
  },
  {
    id: 'oauth21.refresh_public',
    title: 'OAuth 2.1: a public client\'s refresh tokens are sender-constrained or one-time use',
    spec: `${OAUTH21}, refresh token protection`,
    severity: 'error',
    hint: 'Rotate a public client\'s refresh token on every use and refuse the old one, or bind it to the client\'s DPoP key.',
  },
  {
    id: 'oauth21.query_token',
    title: 'OAuth 2.1: an access token in the query string is refused',
    spec: `${OAUTH21}, bearer token usage (no access token in the URI query)`,
    severity: 'error',
    hint: 'Take access tokens from the Authorization header only: userinfo must refuse ?access_token= (probe.userinfo_query_token).',
  },
] as const satisfies readonly CheckDefinition[];
