import type { CheckDefinition } from '../types.js';

/**
 * Checks on JWT-secured authorization responses (JARM). Judged in src/core/jarm.ts; the response's code
 * and state are used only once every one of them has passed (OAuth JARM §2.4).
 */
export const JARM_CHECKS = [
  {
    id: 'jarm.advertised',
    title: 'The IdP advertises the JWT response mode and its signing algorithms',
    spec: 'OAuth JARM §3; RFC 8414 §2',
    severity: 'warning',
    hint: 'List the JWT response modes (jwt, query.jwt, form_post.jwt, fragment.jwt) in response_modes_supported and the algorithms in authorization_signing_alg_values_supported.',
  },
  {
    id: 'jarm.response',
    title: 'The authorization response is one JWT in the response parameter',
    spec: 'OAuth JARM §2.3, §2.1',
    severity: 'error',
    hint: 'With a JWT response mode every response parameter, errors included, goes into one signed JWT sent as "response" (a JWE only if the client registered authorization_encrypted_response_alg, which oidc-cli cannot decrypt).',
  },
  {
    id: 'jarm.alg',
    title: 'The response JWT is signed with an acceptable, advertised algorithm',
    spec: 'OAuth JARM §2.2, §3; RFC 8725 §3.1',
    severity: 'error',
    hint: 'Sign with an asymmetric algorithm the metadata lists in authorization_signing_alg_values_supported (the client\'s authorization_signed_response_alg, RS256 by default); never "none".',
  },
  {
    id: 'jarm.signature',
    title: 'The response JWT\'s signature verifies with the IdP\'s published keys',
    spec: 'OAuth JARM §2.4',
    severity: 'error',
    hint: 'Sign the response with a key published at jwks_uri (with its kid in the header): a response signed by any other key may come from an attacker, and its code must not be redeemed.',
  },
  {
    id: 'jarm.iss',
    title: 'The response JWT\'s iss is the issuer',
    spec: 'OAuth JARM §2.4, §2.1',
    severity: 'error',
    hint: 'iss must equal the issuer of the discovery document byte for byte: it is the mix-up defence of a JWT response (it stands in for RFC 9207\'s iss parameter).',
  },
  {
    id: 'jarm.aud',
    title: 'The response JWT\'s aud is this client',
    spec: 'OAuth JARM §2.4, §2.1',
    severity: 'error',
    hint: 'aud must be (or contain) the client_id the request was made for: a response issued for another client must not be used by this one.',
  },
  {
    id: 'jarm.exp',
    title: 'The response JWT has an exp, and has not expired',
    spec: 'OAuth JARM §2.4, §2.1',
    severity: 'error',
    hint: 'exp is REQUIRED; keep it short (minutes), and if it expired on arrival compare the clocks (--clock-skew widens the tolerance).',
  },
] as const satisfies readonly CheckDefinition[];
