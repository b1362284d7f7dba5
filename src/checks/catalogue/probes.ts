import type { CheckDefinition } from '../types.js';

/**
 * The active probes of `oidc-cli check` (CHECKS.md "Active probes for `check`"): requests a safe IdP
 * must refuse. Each is judged in src/core/probes/<family>.ts. A probe that could not be run (no user
 * flow, no secret, the IdP refused an earlier step) is `skip` with the reason, never `pass`.
 */
export const PROBES_CHECKS = [
  {
    id: 'probe.code_reuse',
    title: 'An authorization code can be redeemed only once',
    spec: 'RFC 6749 §4.1.2, §10.5; RFC 9700 §4.2.4',
    severity: 'error',
    hint: 'Mark a code used on first redemption and refuse any later one with invalid_grant (and revoke the tokens issued from it).',
  },
  {
    id: 'probe.pkce_missing',
    title: 'A code issued with code_challenge is refused without code_verifier',
    spec: 'RFC 7636 §4.6; RFC 9700 §2.1.1',
    severity: 'error',
    hint: 'When the authorization request carried code_challenge, the token request must carry the matching code_verifier.',
  },
  {
    id: 'probe.pkce_wrong',
    title: 'A wrong code_verifier is refused',
    spec: 'RFC 7636 §4.6',
    severity: 'error',
    hint: 'Compare BASE64URL(SHA-256(code_verifier)) with the stored code_challenge and answer invalid_grant when they differ.',
  },
  {
    id: 'probe.pkce_downgrade',
    title: 'A code issued without code_challenge is refused when redeemed with a code_verifier',
    spec: 'RFC 9700 §4.8.2',
    severity: 'error',
    hint: 'A code_verifier for a code that had no code_challenge means the request was tampered with (PKCE downgrade): answer invalid_grant.',
  },
  {
    id: 'probe.pkce_plain',
    title: 'code_challenge_method=plain is not accepted',
    spec: 'RFC 9700 §2.1.1; RFC 7636 §4.2',
    severity: 'warning',
    hint: 'plain exposes the verifier in the authorization request; accept S256 only.',
  },
  {
    id: 'probe.pkce_required',
    title: 'An authorization request without PKCE is refused',
    spec: 'RFC 9700 §2.1.1',
    severity: 'warning',
    hint: 'Require code_challenge (S256) at least for public clients, ideally for every client.',
  },
  {
    id: 'probe.redirect_uri_altered',
    title: 'An unregistered redirect_uri gets an error page, not a redirect',
    spec: 'RFC 6749 §3.1.2.3, §4.1.2.1; RFC 9700 §2.1, §4.1',
    severity: 'error',
    hint: 'Compare redirect_uri exactly with the registered ones (only the port may vary for a loopback native client) and never redirect to an unregistered one, not even with an error.',
  },
  {
    id: 'probe.loopback_any_port',
    title: 'A loopback redirect_uri is accepted on any port',
    spec: 'RFC 8252 §7.3, §8.3',
    severity: 'warning',
    hint: 'Native clients listen on an ephemeral port: allow any port for a registered http://127.0.0.1 or http://[::1] redirect URI, comparing scheme, host and path exactly. Until then, such clients must register and use one fixed port (--redirect-uri).',
  },
  {
    id: 'probe.redirect_uri_token',
    title: 'A token request with another redirect_uri than the authorization request is refused',
    spec: 'RFC 6749 §4.1.3',
    severity: 'error',
    hint: 'The token request must carry the same redirect_uri as the authorization request that issued the code; answer invalid_grant otherwise.',
  },
  {
    id: 'probe.client_secret_wrong',
    title: 'A wrong client secret is refused',
    spec: 'RFC 6749 §2.3.1, §5.2',
    severity: 'error',
    hint: 'Authenticate the client on every token request and answer invalid_client (401 for Basic) when the secret is wrong.',
  },
  {
    id: 'probe.unknown_parameter',
    title: 'An unknown authorization request parameter is ignored',
    spec: 'RFC 6749 §3.1',
    severity: 'error',
    hint: 'The authorization server MUST ignore unrecognized request parameters; refusing them breaks clients that send extensions.',
  },
  {
    id: 'probe.response_type_missing',
    title: 'An authorization request without response_type gets an error',
    spec: 'RFC 6749 §3.1.1, §4.1.2.1',
    severity: 'error',
    hint: 'response_type is REQUIRED: answer invalid_request (or unsupported_response_type) and issue no code.',
  },
  {
    id: 'probe.prompt_none',
    title: 'prompt=none without a session answers login_required',
    spec: 'OIDC Core §3.1.2.1, §3.1.2.6',
    severity: 'error',
    hint: 'With prompt=none the IdP must not show any page: without a session it redirects back with error=login_required.',
  },
  {
    id: 'probe.consent_denied',
    title: 'A refused sign-in comes back as error=access_denied',
    spec: 'RFC 6749 §4.1.2.1; OIDC Core §3.1.2.6',
    severity: 'warning',
    hint: 'When the user or the server refuses, redirect to the redirect_uri with error=access_denied (and state), so the client can tell a refusal from a failure and say so.',
  },
  {
    id: 'probe.token_get',
    title: 'A token request by GET is refused',
    spec: 'RFC 6749 §3.2',
    severity: 'warning',
    hint: 'The token endpoint takes POST only: a GET puts the code and credentials into URLs, logs and proxies.',
  },
  {
    id: 'probe.code_reuse_revokes',
    title: 'Tokens issued from a replayed code are revoked',
    spec: 'RFC 6749 §4.1.2, RFC 9700 §4.2.4',
    severity: 'warning',
    hint: 'When a used code comes back, the code was probably stolen: revoke every token already issued from it (RFC 6749 §4.1.2 SHOULD).',
  },
  {
    id: 'probe.refresh_unknown',
    title: 'An unknown refresh token is refused, with invalid_grant',
    spec: 'RFC 6749 §5.2, §6',
    severity: 'error',
    hint: 'An invalid, expired or revoked refresh token is invalid_grant (HTTP 400); invalid_request or a 5xx tells clients to retry or fix their request instead of signing the user in again.',
  },
  {
    id: 'probe.userinfo_no_token',
    title: 'userinfo without a token answers 401 with a Bearer challenge',
    spec: 'RFC 6750 §3, §3.1; OIDC Core §5.3.3',
    severity: 'error',
    hint: 'Answer a request without credentials with 401 and WWW-Authenticate: Bearer (no error code is needed when no token was sent); never with claims.',
  },
  {
    id: 'probe.userinfo_bad_token',
    title: 'userinfo with an invalid token answers 401, error="invalid_token"',
    spec: 'RFC 6750 §3, §3.1; OIDC Core §5.3.3',
    severity: 'error',
    hint: 'Answer an invalid, expired or revoked access token with 401 and WWW-Authenticate: Bearer error="invalid_token", so clients know to get a new token.',
  },
  {
    id: 'probe.userinfo_query_token',
    title: 'userinfo refuses an access token sent in the query string',
    spec: 'RFC 6750 §2.3, §5.3; RFC 9700 §4.3.2',
    severity: 'warning',
    hint: 'Accept access tokens in the Authorization header (or a form body) only: a token in a URL ends up in server logs, proxies and browser history.',
  },
] as const satisfies readonly CheckDefinition[];
