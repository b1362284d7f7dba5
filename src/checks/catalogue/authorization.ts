import type { CheckDefinition } from '../types.js';

/**
 * Checks on the authorization request and its callback (CHECKS.md "Authorization request and callback"):
 * RFC 6749 §4.1, RFC 7636, RFC 8252, RFC 9207, RFC 9700. Judged in src/core/authorization.ts.
 */
export const AUTHORIZATION_CHECKS = [
  {
    id: 'authorization.redirect_uri',
    title: 'Redirect URI is a loopback IP literal',
    spec: 'RFC 8252 §7.3, §8.3',
    severity: 'warning',
    hint: 'Use http://127.0.0.1:{port}/callback (or [::1]): "localhost" may resolve to another interface or be hijacked by a local firewall rule.',
  },
  {
    id: 'authorization.pkce',
    title: 'PKCE S256 code_challenge sent',
    spec: 'RFC 7636 §4.2, RFC 9700 §2.1.1',
    severity: 'warning',
    hint: 'Advertise S256 in code_challenge_methods_supported; PKCE binds the authorization code to the client that asked for it.',
  },
  {
    id: 'authorization.error',
    title: 'Authorization response is not an error',
    spec: 'RFC 6749 §4.1.2.1',
    severity: 'error',
    hint: 'Read error_description; access_denied means the user (or a policy) refused, invalid_request / unauthorized_client usually mean the client registration does not allow this redirect_uri, scope or response_type.',
  },
  {
    id: 'authorization.front_channel_tokens',
    title: 'No token in the front channel of a code-only request',
    spec: 'RFC 9700 §2.1.2, OIDC Core §3.1.2.5',
    severity: 'error',
    hint: 'With response_type=code the authorization response carries code, state and iss only; an id_token or access_token in the redirect leaks into browser history, logs and Referer headers. Check the client registration\'s response_types and the IdP\'s response_type handling.',
  },
  {
    id: 'authorization.code_in_query',
    title: 'Code returned in the query of the redirect',
    spec: 'RFC 6749 §4.1.2, OAuth 2.0 Multiple Response Types §2.1',
    severity: 'error',
    hint: 'With response_type=code the default response_mode is query; a code in the fragment means the IdP used response_mode=fragment, which leaks the code into browser history and scripts.',
  },
  {
    id: 'authorization.repeated_params',
    title: 'No parameter repeated in the callback',
    spec: 'RFC 6749 §3.1',
    severity: 'error',
    hint: 'Request and response parameters must not be included more than once; a repeated code or state lets parsers disagree about which one counts.',
  },
  {
    id: 'authorization.state',
    title: 'state returned byte for byte',
    spec: 'RFC 6749 §4.1.2, §10.12, RFC 9700 §4.7',
    severity: 'error',
    hint: 'The IdP must echo the exact state it received; a missing or different state means the response may be forged (CSRF) and the code must not be redeemed.',
  },
  {
    id: 'authorization.stray_callbacks',
    title: 'No request to the redirect URI but the authorization response',
    spec: 'RFC 6749 §10.12, RFC 8252 §8.1',
    severity: 'warning',
    hint: 'Something other than the browser coming back sent requests to the loopback redirect URI (another local process, or a web page that found the port: other methods, a foreign Host, requests that could not be read); they were refused. If the IdP sent the ones without state, it does not return state unchanged.',
  },
  {
    id: 'authorization.iss',
    title: 'RFC 9207 iss parameter names this issuer',
    spec: 'RFC 9207 §2.4',
    severity: 'error',
    hint: 'A missing or foreign iss when the IdP advertises authorization_response_iss_parameter_supported points at a mix-up attack: the code must not be sent anywhere.',
  },
] as const satisfies readonly CheckDefinition[];
