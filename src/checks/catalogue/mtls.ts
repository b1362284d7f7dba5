import type { CheckDefinition } from '../types.js';

/** Checks on mutual-TLS client authentication and certificate-bound tokens (RFC 8705). Judged in src/core/mtls.ts. */
export const MTLS_CHECKS = [
  {
    id: 'mtls.aliases',
    title: 'mtls_endpoint_aliases is a JSON object of https URLs',
    spec: 'RFC 8705 §5',
    severity: 'error',
    hint: 'Publish mtls_endpoint_aliases as an object mapping endpoint names (token_endpoint, userinfo_endpoint...) to https URLs where the server asks for a client certificate.',
  },
  {
    id: 'mtls.bound_tokens_advertised',
    title: 'tls_client_certificate_bound_access_tokens is a boolean',
    spec: 'RFC 8705 §3.3',
    severity: 'warning',
    hint: 'Publish tls_client_certificate_bound_access_tokens: true when the server binds access tokens to client certificates.',
  },
  {
    id: 'mtls.cnf_x5t',
    title: 'A JWT access token issued over mTLS carries cnf.x5t#S256, the thumbprint of the client certificate',
    spec: 'RFC 8705 §3.1',
    severity: 'error',
    hint: 'Put base64url(SHA-256(DER of the client certificate)) in cnf.x5t#S256, so a resource can check the TLS client certificate against the token.',
  },
  {
    id: 'mtls.bearer_refused',
    title: 'A certificate-bound token sent without the certificate is refused',
    spec: 'RFC 8705 §3',
    severity: 'error',
    hint: 'A resource must accept a certificate-bound token only over a TLS connection authenticated with that certificate (compare cnf.x5t#S256 with the peer certificate); without it, the binding protects nothing.',
  },
] as const satisfies readonly CheckDefinition[];
