import type { CheckDefinition } from '../types.js';

/**
 * Checks on a protected resource — an API or an MCP server — and how it says which authorization
 * server to ask (CHECKS.md "Protected resources and MCP"): RFC 6750 §3, RFC 9728, the MCP authorization
 * specification. Judged in src/core/resource/.
 */
export const RESOURCE_CHECKS = [
  {
    id: 'resource.challenge',
    title: 'A request without a token gets 401 with a Bearer challenge',
    spec: 'RFC 6750 §3, RFC 9110 §11.6.1',
    severity: 'error',
    hint: 'Answer a request without credentials with 401 and "WWW-Authenticate: Bearer …": it is how a client learns that it needs a token, and for which scope.',
  },
  {
    id: 'resource.challenge_metadata',
    title: 'The challenge points at the protected resource metadata (resource_metadata)',
    spec: 'RFC 9728 §5.1',
    severity: 'warning',
    hint: 'Add resource_metadata="<the metadata URL>" to the Bearer challenge; MCP clients rely on it to find the authorization server (otherwise they must guess the well-known URL).',
  },
  {
    id: 'resource.metadata',
    title: 'The protected resource metadata answers 200 with a JSON object',
    spec: 'RFC 9728 §3, §3.1',
    severity: 'error',
    hint: 'Serve the metadata at /.well-known/oauth-protected-resource inserted before the resource\'s path (https://api.example.com/v1 → https://api.example.com/.well-known/oauth-protected-resource/v1), or at the URL the challenge names.',
  },
  {
    id: 'resource.resource_match',
    title: 'The metadata\'s resource is the resource asked about',
    spec: 'RFC 9728 §3.3, §7.3',
    severity: 'error',
    hint: 'The resource member must be identical to the resource identifier the metadata was fetched for; a client must not use metadata that names another resource (an attacker\'s metadata could send it to their authorization server).',
  },
  {
    id: 'resource.authorization_servers',
    title: 'authorization_servers lists issuer URLs, https',
    spec: 'RFC 9728 §2; RFC 8414 §2',
    severity: 'error',
    hint: 'List the issuer identifier of each authorization server whose tokens the resource accepts: https URLs without query or fragment.',
  },
  {
    id: 'resource.bearer_methods',
    title: 'bearer_methods_supported does not offer the query string',
    spec: 'RFC 9728 §2; RFC 6750 §2.3, §5.3',
    severity: 'warning',
    hint: 'Accept the token in the Authorization header only: a token in the URL ends up in logs, history and Referer headers.',
  },
  {
    id: 'resource.scopes_supported',
    title: 'scopes_supported is a list of scope strings',
    spec: 'RFC 9728 §2',
    severity: 'warning',
    hint: 'scopes_supported is an array of the scope values a client may request for this resource.',
  },
  {
    id: 'resource.authorization_server_pkce',
    title: 'The authorization server advertises PKCE S256',
    spec: 'MCP authorization (2025-11-25), Authorization Code Protection; RFC 8414 §2',
    severity: 'error',
    hint: 'Publish code_challenge_methods_supported with "S256" in the authorization server metadata: an MCP client must refuse to go on without it.',
  },
  {
    id: 'resource.client_registration',
    title: 'A client that is not registered yet has a way in: a metadata document or dynamic registration',
    spec: 'MCP authorization (2025-11-25), Client Registration Approaches; RFC 7591 §3',
    severity: 'warning',
    hint: 'MCP clients use a pre-registered client_id when they have one, then a Client ID Metadata Document (client_id_metadata_document_supported: true), then dynamic registration (registration_endpoint). With neither, each client must be registered by hand before it can connect.',
  },
  {
    id: 'resource.token_accepted',
    title: 'The resource takes the access token issued for it',
    spec: 'RFC 8707 §2; RFC 6750 §2.1',
    severity: 'error',
    hint: 'The token was asked for with resource=<this resource>: if the resource still refuses it, its accepted audience or issuer does not match its own metadata (resource, authorization_servers).',
  },
  {
    id: 'resource.reject_id_token',
    title: 'The resource refuses an ID token sent as a Bearer token',
    spec: 'RFC 9068 §4; MCP authorization (2025-11-25), Token Audience Binding and Validation',
    severity: 'error',
    hint: 'Accept only access tokens issued for this resource: check aud (RFC 8707) and typ "at+jwt" (RFC 9068 §2.1), or introspect. An ID token is for the client; a resource that takes it lets any client that sees one act as its user.',
  },
  {
    id: 'resource.reject_query_token',
    title: 'The resource refuses an access token in the query string',
    spec: 'RFC 6750 §2.3, §5.3; MCP authorization (2025-11-25), Access Token Usage',
    severity: 'error',
    hint: 'Read the token from the Authorization header only: a token in the URL ends up in logs, browser history and Referer headers (MCP forbids it).',
  },
  {
    id: 'resource.reject_tampered',
    title: 'The resource refuses the access token with one character changed',
    spec: 'RFC 6750 §3.1; RFC 9068 §4',
    severity: 'error',
    hint: 'Verify the token\'s signature with the authorization server\'s keys (or introspect an opaque token) before using any of its claims.',
  },
  {
    id: 'resource.reject_other_audience',
    title: 'The resource refuses an access token its IdP issued for another resource',
    spec: 'RFC 8707 §2; RFC 9068 §4; MCP authorization (2025-11-25), Token Audience Binding and Validation',
    severity: 'error',
    hint: 'Check that aud names this resource (RFC 8707 resource indicator) before taking a token: one issued for another API of the same IdP must be refused, or a token passed on by that API lets it act here (the confused deputy).',
  },
  {
    id: 'resource.dpop_bearer_refused',
    title: 'The resource refuses a DPoP-bound access token sent as a Bearer token',
    spec: 'RFC 9449 §7.2',
    severity: 'error',
    hint: 'A token whose cnf.jkt names a key is taken only with "Authorization: DPoP" and a proof of that key (htm, htu, ath): as Bearer it is just a stolen token.',
  },
  {
    id: 'resource.reject_expired',
    title: 'The resource refuses an expired access token issued for it',
    spec: 'RFC 9068 §4; RFC 6750 §3.1; MCP authorization (2025-11-25), Token Handling',
    severity: 'error',
    hint: 'Check exp (with at most a small clock skew) on every JWT access token, or introspect an opaque one: an expired token must get 401 with error="invalid_token".',
  },
  {
    id: 'call.status',
    title: 'The API accepted the access token (2xx)',
    spec: 'RFC 6750 §2.1, §3.1',
    severity: 'error',
    hint: 'A 401 or 403 is about the token (see diagnosis.token_refused); another status is the API\'s answer to the request itself.',
  },
  {
    id: 'call.challenge',
    title: 'A 401 carries a Bearer challenge that says why',
    spec: 'RFC 6750 §3, §3.1; RFC 9110 §11.6.1',
    severity: 'error',
    hint: 'Answer 401 (and 403 for insufficient_scope) with "WWW-Authenticate: Bearer error=…": a client cannot tell an expired token from a missing scope without it.',
  },
] as const satisfies readonly CheckDefinition[];
