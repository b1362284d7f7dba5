import type { CheckDefinition } from '../types.js';

/** Checks on JWT-secured authorization requests (RFC 9101). Judged in src/core/jar.ts. */
export const JAR_CHECKS = [
  {
    id: 'jar.required',
    title: 'Signed request objects are used when the IdP requires them',
    spec: 'RFC 9101 §10.5',
    severity: 'error',
    hint: 'The metadata says require_signed_request_object: the client signs its authorization parameters (login --request-object is then automatic, with the private_key_jwt key or --request-object-key FILE).',
  },
  {
    id: 'jar.supported',
    title: 'The IdP advertises request objects by value',
    spec: 'OIDC Discovery §3; RFC 9101 §5.1',
    severity: 'warning',
    hint: 'Publish request_parameter_supported: true when the authorization endpoint reads the request parameter; a client cannot otherwise tell whether its signed request will be read or ignored.',
  },
  {
    id: 'jar.alg',
    title: 'The request object is signed with an advertised algorithm',
    spec: 'RFC 9101 §4, §10.1; OIDC Discovery §3',
    severity: 'error',
    hint: 'Sign with an algorithm listed in request_object_signing_alg_values_supported that fits the key (RS256/PS256 for RSA, ES256 for P-256, EdDSA for Ed25519); register that key with the IdP (jwks or jwks_uri).',
  },
] as const satisfies readonly CheckDefinition[];
