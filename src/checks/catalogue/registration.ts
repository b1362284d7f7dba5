import type { CheckDefinition } from '../types.js';

/** Checks on dynamic client registration (RFC 7591, RFC 7592). Judged in src/core/registration.ts. */
export const REGISTRATION_CHECKS = [
  {
    id: 'registration.status',
    title: 'Registration answers 201 Created with a JSON object',
    spec: 'RFC 7591 §3.2.1, §3.2.2',
    severity: 'error',
    hint: 'A successful registration is HTTP 201 with the client information as JSON; an error is HTTP 400 with error and error_description (invalid_redirect_uri, invalid_client_metadata…).',
  },
  {
    id: 'registration.client_id',
    title: 'The response has a client_id',
    spec: 'RFC 7591 §3.2.1',
    severity: 'error',
    hint: 'client_id is REQUIRED in the registration response.',
  },
  {
    id: 'registration.echo',
    title: 'Every registered metadata value comes back, as asked or replaced',
    spec: 'RFC 7591 §3.2.1',
    severity: 'warning',
    hint: 'The response must contain all registered metadata; when the server replaced a value (a redirect URI, a grant type), the client has to use the returned one, so a silent change breaks it later.',
  },
  {
    id: 'registration.secret_expiry',
    title: 'A client_secret comes with client_secret_expires_at',
    spec: 'RFC 7591 §3.2.1',
    severity: 'error',
    hint: 'client_secret_expires_at is REQUIRED when a client_secret is issued: 0 for never, or when it expires (seconds since the epoch).',
  },
  {
    id: 'registration.management',
    title: 'registration_access_token and registration_client_uri come together, the URI https',
    spec: 'RFC 7592 §3',
    severity: 'warning',
    hint: 'To let the client read, update or delete its registration, return both; without the pair neither is usable.',
  },
] as const satisfies readonly CheckDefinition[];
