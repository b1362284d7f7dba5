import type { CheckDefinition } from '../types.js';

/**
 * Diagnoses (issue 13): when a step fails, the cheap and harmless experiments that find the cause,
 * each reported as a check of its own. Judged in src/core/diagnose/; `--no-diagnose` turns them off.
 */
export const DIAGNOSIS_CHECKS = [
  {
    id: 'diagnosis.client_auth',
    title: 'Why the token endpoint answered invalid_client',
    spec: 'RFC 6749 §2.3.1, §5.2',
    severity: 'error',
    hint: 'Send the client credentials the way this IdP accepts them (--client-auth), or fix the secret.',
  },
  {
    id: 'diagnosis.redirect_uri',
    title: 'Why the sign-in never reached the redirect URI',
    spec: 'RFC 6749 §3.1.2, RFC 8252 §7.3, RFC 9700 §2.1',
    severity: 'error',
    hint: 'Register the exact redirect URI for the client (scheme, host, port and path), and pass it with --redirect-uri (or --port); RFC 8252 §7.3 asks IdPs to allow any port on loopback, but many compare the whole URI.',
  },
  {
    id: 'diagnosis.token_refused',
    title: 'Why a resource refused the access token',
    spec: 'RFC 6750 §3.1, RFC 9068 §4, RFC 8707 §2',
    severity: 'error',
    hint: 'Request the token for this resource (scope, --resource/--audience), send the access token rather than the ID token, or get a fresh one.',
  },
] as const satisfies readonly CheckDefinition[];
