import type { CheckDefinition } from '../types.js';

/**
 * Token lifecycle (CHECKS.md "Refresh", "Introspection and revocation", and the device and client
 * credentials grants): judged in src/core/{refresh,introspection,revocation,device,client-credentials}.ts.
 * The token endpoint's answer itself is judged by the token_response.* checks.
 */
export const LIFECYCLE_CHECKS = [
  // Refresh (RFC 6749 §6, RFC 9700 §2.2.2, §4.14, OIDC Core §12.2)
  {
    id: 'refresh.grant',
    title: 'Refresh token grant returns a new access token',
    spec: 'RFC 6749 §6',
    severity: 'error',
    hint: 'invalid_grant means the refresh token expired, was revoked, was already used (rotation), or belongs to another client.',
  },
  {
    id: 'refresh.rotation',
    title: 'Refresh token rotated for a public client',
    spec: 'RFC 9700 §2.2.2, §4.14.2',
    severity: 'error',
    hint: 'A public client\'s refresh token must be sender-constrained or rotated on every use, so a stolen one is detected on reuse. FAPI 2.0 forbids rotation: use --no-expect-rotation for such profiles.',
  },
  // Where a refresh runs after a login (check), its token_response.*, id_token.* and access_token.*
  // checks would repeat the login's ids: these three carry their verdict into the refresh group.
  {
    id: 'refresh.token_response',
    title: 'The refresh answer passes the token response checks',
    spec: 'RFC 6749 §5.1, §6',
    severity: 'error',
    hint: 'The refresh answer is a token response like the first one: 200 JSON, Cache-Control: no-store, access_token, token_type, a positive expires_in (oidc-cli refresh shows each token_response check).',
  },
  {
    id: 'refresh.id_token_valid',
    title: 'The refreshed ID token is validated like the first one',
    spec: 'OIDC Core §12.2, §3.1.3.7',
    severity: 'error',
    hint: 'An ID token returned by a refresh must be signed with a key from jwks_uri and pass every check of the original (oidc-cli refresh shows each id_token check).',
  },
  {
    id: 'refresh.access_token_valid',
    title: 'A refreshed JWT access token passes RFC 9068',
    spec: 'RFC 9068 §4',
    severity: 'error',
    hint: 'A JWT access token from a refresh is judged like the first one (oidc-cli refresh shows each access_token check).',
  },
  {
    id: 'refresh.id_token.subject',
    title: 'Refreshed ID token keeps iss, sub and aud',
    spec: 'OIDC Core §12.2',
    severity: 'error',
    hint: 'An ID token from a refresh must describe the same end-user for the same client: iss, sub and aud must equal those of the original ID token.',
  },
  {
    id: 'refresh.id_token.auth_time',
    title: 'Refreshed ID token keeps auth_time',
    spec: 'OIDC Core §12.2',
    severity: 'error',
    hint: 'auth_time records the original authentication; a refresh is not a new authentication and must not change it.',
  },
  {
    id: 'refresh.id_token.iat',
    title: 'Refreshed ID token has a new iat',
    spec: 'OIDC Core §12.2',
    severity: 'error',
    hint: 'iat must be the time the new ID token was issued.',
  },
  {
    id: 'refresh.id_token.nonce',
    title: 'Refreshed ID token has no nonce, or the original one',
    spec: 'OIDC Core §12.2',
    severity: 'error',
    hint: 'A nonce in a refreshed ID token should be absent; if present it must be the one of the original authentication.',
  },
  {
    id: 'refresh.reuse_rejected',
    title: 'A rotated refresh token cannot be used again',
    spec: 'RFC 9700 §4.14.2, RFC 6749 §10.4',
    severity: 'error',
    hint: 'After rotation the IdP must refuse the previous refresh token with invalid_grant (and should revoke the whole grant).',
  },
  // Introspection (RFC 7662)
  {
    id: 'introspection.status',
    title: 'Introspection answers 200 with a JSON object',
    spec: 'RFC 7662 §2.2',
    severity: 'error',
    hint: 'A 401 means the introspection endpoint did not accept the client authentication; most IdPs allow only confidential clients to introspect.',
  },
  {
    id: 'introspection.active_boolean',
    title: '"active" is a JSON boolean',
    spec: 'RFC 7662 §2.2',
    severity: 'error',
    hint: '"active" is REQUIRED and is true or false, never "true", 1 or absent.',
  },
  {
    id: 'introspection.member_types',
    title: 'Members of the introspection response have their types',
    spec: 'RFC 7662 §2.2',
    severity: 'error',
    hint: 'exp, iat and nbf are integer NumericDates (seconds since 1970); scope, client_id, username, token_type, sub, iss and jti are strings; aud a string or an array of strings.',
  },
  {
    id: 'introspection.active',
    title: 'The token is active',
    spec: 'RFC 7662 §2.2',
    severity: 'error',
    hint: 'Inactive means expired, revoked, never issued by this IdP, or not for this client to see.',
  },
  {
    id: 'introspection.requires_auth',
    title: 'Unauthenticated introspection returns no token data',
    spec: 'RFC 7662 §2.1, §4',
    severity: 'error',
    hint: 'Require client authentication (or a bearer token) at the introspection endpoint; otherwise anyone can scan tokens and read their claims.',
  },
  {
    id: 'introspection.other_client',
    title: 'Another client cannot read this client\'s tokens by introspection',
    spec: 'RFC 7662 §2.2, §4',
    severity: 'warning',
    hint: 'Answer {"active": false} (or refuse) when the caller is neither the client the token was issued to nor a resource server it is meant for; otherwise any client that can authenticate reads who signed in to every other client, and with what scope.',
  },
  {
    id: 'introspection.unknown_token',
    title: 'An unknown token gives 200 {"active": false}',
    spec: 'RFC 7662 §2.2',
    severity: 'error',
    hint: 'An invalid, expired or unknown token is not an error: answer 200 with {"active": false} and nothing else.',
  },
  {
    id: 'introspection.token_type_hint',
    title: 'A wrong token_type_hint still finds the token',
    spec: 'RFC 7662 §2.1',
    severity: 'error',
    hint: 'token_type_hint is only a hint: if the token is not found under the hinted type the server must extend its search to all types.',
  },
  {
    id: 'introspection.refresh_token',
    title: 'A refresh token that works introspects as active',
    spec: 'RFC 7662 §2.2',
    severity: 'warning',
    hint: 'Answer for refresh tokens too: a resource or a client that introspects a working refresh token and hears "inactive" will throw away a valid grant (or, the other way round, trust a revoked one).',
  },
  ...(['iss', 'client_id', 'sub', 'exp', 'scope'] as const).map(
    (claim) => ({
      id: `introspection.agree.${claim}` as const,
      title: `Introspection and the token agree on ${claim}`,
      spec: 'RFC 7662 §2.2, RFC 9068 §2.2',
      severity: 'warning',
      hint: `The introspection response and the JWT itself should describe the same token; a different ${claim} means one of them is stale or the token is not what it seems.`,
    }) satisfies CheckDefinition,
  ),
  // Revocation (RFC 7009)
  {
    id: 'revocation.status',
    title: 'Revocation answers 200',
    spec: 'RFC 7009 §2.2',
    severity: 'error',
    hint: 'A 401 means the revocation endpoint did not accept the client authentication; public clients authenticate with client_id only.',
  },
  {
    id: 'revocation.unknown_token',
    title: 'Revoking an invalid token still answers 200',
    spec: 'RFC 7009 §2.2',
    severity: 'error',
    hint: 'An invalid token is not an error at the revocation endpoint: the client cannot act on it, so answer 200.',
  },
  {
    id: 'revocation.inactive',
    title: 'A revoked token introspects inactive',
    spec: 'RFC 7009 §2, RFC 7662 §2.2',
    severity: 'error',
    hint: 'After revocation the token must be invalid at once; a cached introspection result or a replicated store lagging behind keeps it alive.',
  },
  {
    id: 'revocation.refresh_rejected',
    title: 'A revoked refresh token no longer refreshes',
    spec: 'RFC 7009 §2.1',
    severity: 'error',
    hint: 'Revoking a refresh token must invalidate it (and should invalidate the access tokens of the same grant).',
  },
  // Client credentials (RFC 6749 §4.4)
  {
    id: 'client_credentials.refresh_token',
    title: 'No refresh token with client credentials',
    spec: 'RFC 6749 §4.4.3',
    severity: 'warning',
    hint: 'A machine client can ask for a new token at any time; a refresh token "SHOULD NOT be included" and is one more secret to leak.',
  },
  // Device authorization (RFC 8628)
  {
    id: 'device.authorization_response',
    title: 'Device authorization response has device_code, user_code, verification_uri, expires_in',
    spec: 'RFC 8628 §3.2',
    severity: 'error',
    hint: 'The response must carry device_code, user_code, verification_uri and expires_in (interval defaults to 5 seconds).',
  },
  {
    id: 'device.verification_uri_complete',
    title: 'verification_uri_complete offered',
    spec: 'RFC 8628 §3.3.1',
    severity: 'info',
    hint: 'A verification_uri_complete (with the user code inside) lets the user scan or click instead of typing the code.',
  },
  {
    id: 'device.verification_uri_https',
    title: 'verification_uri is https',
    spec: 'RFC 8628 §3.2, §5.1',
    severity: 'error',
    hint: 'The user types this address on another device: serve it over https (loopback http is tolerated for tests).',
  },
  {
    id: 'device.poll_errors',
    title: 'Polling errors are the RFC 8628 codes',
    spec: 'RFC 8628 §3.5',
    severity: 'error',
    hint: 'While the user has not finished, answer 400 with authorization_pending (or slow_down); end with access_denied or expired_token.',
  },
] as const satisfies readonly CheckDefinition[];
