import type { CheckDefinition } from '../types.js';

/** Checks on pushed authorization requests (RFC 9126). Judged in src/core/par.ts. */
export const PAR_CHECKS = [
  {
    id: 'par.status',
    title: 'The pushed authorization request answers 201 Created with JSON',
    spec: 'RFC 9126 §2.2, §2.3',
    severity: 'error',
    hint: 'A successful push is HTTP 201 with request_uri and expires_in; an error is a 400/401 with error and error_description, as at the token endpoint.',
  },
  {
    id: 'par.request_uri',
    title: 'The answer carries a request_uri',
    spec: 'RFC 9126 §2.2',
    severity: 'error',
    hint: 'request_uri is REQUIRED: the browser is sent to the authorization endpoint with client_id and this reference only.',
  },
  {
    id: 'par.expires_in',
    title: 'expires_in is a short positive lifetime',
    spec: 'RFC 9126 §2.2, §7.1',
    severity: 'warning',
    hint: 'expires_in is REQUIRED, in seconds; the request_uri is a one-time reference, so keep it short (5 to 600 seconds).',
  },
  {
    id: 'par.required',
    title: 'PAR is used when the IdP requires it',
    spec: 'RFC 9126 §5',
    severity: 'error',
    hint: 'The metadata says require_pushed_authorization_requests: push the request (login --par is automatic then); the IdP must also name its pushed_authorization_request_endpoint.',
  },
] as const satisfies readonly CheckDefinition[];
