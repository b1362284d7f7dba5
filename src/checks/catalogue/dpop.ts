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
] as const satisfies readonly CheckDefinition[];
