import type { CheckDefinition } from '../types.js';

/**
 * Checks on the token endpoint's answer (CHECKS.md "Token response"): RFC 6749 §5, OIDC Core §3.1.3.3.
 * Judged in src/core/token-endpoint.ts for every grant (authorization_code, refresh_token, client_credentials).
 */
export const TOKEN_RESPONSE_CHECKS = [
  {
    id: 'token_response.status',
    title: 'Token request succeeded with 200 JSON',
    spec: 'RFC 6749 §5.1',
    severity: 'error',
    hint: 'Read the error and error_description: invalid_grant usually means the code expired, was used twice, or the redirect_uri / code_verifier differ from the authorization request.',
  },
  {
    id: 'token_response.error_format',
    title: 'Error response is 400 JSON (401 with WWW-Authenticate for invalid_client)',
    spec: 'RFC 6749 §5.2',
    severity: 'error',
    hint: 'Answer errors with 400 and {"error": ...}; when client authentication used the Authorization header, invalid_client is 401 with a WWW-Authenticate header.',
  },
  {
    id: 'token_response.no_store',
    title: 'Cache-Control: no-store',
    spec: 'RFC 6749 §5.1, OIDC Core §3.1.3.3',
    severity: 'error',
    hint: 'Responses carrying tokens must send Cache-Control: no-store so that no proxy or browser cache keeps them.',
  },
  {
    id: 'token_response.access_token',
    title: 'access_token present',
    spec: 'RFC 6749 §5.1',
    severity: 'error',
  },
  {
    id: 'token_response.token_syntax',
    title: 'Tokens use only the characters RFC 6749 allows',
    spec: 'RFC 6749 Appendix A.12, A.17 (VSCHAR %x20-7E)',
    severity: 'error',
    hint: 'access_token and refresh_token are VSCHAR (printable ASCII) only; a token with control characters or non-ASCII cannot be sent in an Authorization header and can carry terminal escape sequences into whoever prints it.',
  },
  {
    id: 'token_response.access_token_kind',
    title: 'Access token format (opaque, JWS or JWE)',
    spec: 'RFC 9068 §2, RFC 6749 §1.4',
    severity: 'info',
  },
  {
    id: 'token_response.token_type',
    title: 'token_type is Bearer (or DPoP when bound)',
    spec: 'RFC 6749 §5.1, §7.1, RFC 6750 §4',
    severity: 'error',
    hint: 'token_type is required and case-insensitive; clients send the token with the scheme it names.',
  },
  {
    id: 'token_response.expires_in',
    title: 'expires_in is a positive integer of seconds',
    spec: 'RFC 6749 §5.1',
    severity: 'error',
    hint: 'Send expires_in as a JSON number of seconds; without it clients cannot know when to refresh.',
  },
  {
    id: 'token_response.member_types',
    title: 'refresh_token and scope are strings where present',
    spec: 'RFC 6749 §5.1',
    severity: 'error',
    hint: 'Send refresh_token and scope as JSON strings (scope space-delimited); a client cannot use any other type.',
  },
  {
    id: 'token_response.id_token',
    title: 'id_token present when openid was requested',
    spec: 'OIDC Core §3.1.3.3',
    severity: 'error',
    hint: 'A request with scope openid must get an id_token back; check that the client is allowed the openid scope.',
  },
] as const satisfies readonly CheckDefinition[];
