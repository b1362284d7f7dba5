import type { CheckDefinition } from '../types.js';

/** Checks on DPoP-bound tokens (RFC 9449). Judged in src/core/dpop.ts. */
export const DPOP_CHECKS = [
  {
    id: 'dpop.token_type',
    title: 'A token requested with a DPoP proof comes back as token_type DPoP',
    spec: 'RFC 9449 §5',
    severity: 'error',
    hint: 'Bind the access token to the proof\'s key and say so with token_type DPoP; a Bearer token issued to a DPoP request can be replayed by anyone who sees it.',
  },
  {
    id: 'dpop.cnf_jkt',
    title: 'A JWT access token carries cnf.jkt, the thumbprint of the proof\'s key',
    spec: 'RFC 9449 §6.1, RFC 7638',
    severity: 'error',
    hint: 'Put the SHA-256 JWK thumbprint of the DPoP key in cnf.jkt, so a resource can check the proof against the token.',
  },
  {
    id: 'dpop.nonce',
    title: 'A DPoP nonce the server asks for is honoured on the retry',
    spec: 'RFC 9449 §8, §9',
    severity: 'error',
    hint: 'Answer use_dpop_nonce with a DPoP-Nonce header, then accept the proof that carries it.',
  },
  {
    id: 'dpop.bearer_refused',
    title: 'A DPoP-bound token sent as a Bearer token is refused',
    spec: 'RFC 9449 §7.1, §7.2',
    severity: 'error',
    hint: 'A resource must accept a token whose cnf binds it to a key only with a valid proof of that key; taken as Bearer, the binding protects nothing.',
  },
  {
    id: 'dpop.replay_refused',
    title: 'A DPoP proof used a second time is refused',
    spec: 'RFC 9449 §4.3, §11.1',
    severity: 'warning',
    hint: 'Remember the jti of the proofs seen within their acceptance window (or require a fresh server nonce) and refuse one seen before.',
  },
  {
    id: 'dpop.htu_checked',
    title: 'A proof made for another URL is refused',
    spec: 'RFC 9449 §4.3',
    severity: 'error',
    hint: 'Compare htu with the URL of the request (without query and fragment): a proof captured at one endpoint must not work at another.',
  },
  {
    id: 'dpop.htm_checked',
    title: 'A proof made for another HTTP method is refused',
    spec: 'RFC 9449 §4.3',
    severity: 'error',
    hint: 'Compare htm with the method of the request.',
  },
  {
    id: 'dpop.iat_checked',
    title: 'A proof issued long ago is refused',
    spec: 'RFC 9449 §4.3 (step 11), §11.1',
    severity: 'error',
    hint: 'Accept a proof only when its iat is within a short window of now (seconds to a few minutes), or bound its age with a server nonce: otherwise a proof seen once can be replayed later.',
  },
  {
    id: 'dpop.refresh_bound',
    title: 'A public client\'s DPoP-bound refresh token is refused without a proof',
    spec: 'RFC 9449 §5',
    severity: 'error',
    hint: 'Bind the refresh tokens issued to public clients to the DPoP key of the request that got them, and refuse a refresh without a proof of that key.',
  },
] as const satisfies readonly CheckDefinition[];
