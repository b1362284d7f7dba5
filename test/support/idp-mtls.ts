/**
 * RFC 8705 for the test IdP: oidc-provider's mTLS feature, and an https server on loopback that asks for a
 * client certificate (requestCert, not rejectUnauthorized: oidc-provider decides) and serves the same
 * provider. Its URLs are published as mtls_endpoint_aliases; the issuer itself stays plain http on loopback.
 */
import { X509Certificate } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { TLSSocket } from 'node:tls';
import { LOOPBACK_REDIRECT_URIS } from './idp-config.js';
import { makeMtlsCertificates, type ClientCertificateFiles, type MtlsCertificates } from './mtls-certs.js';
import { makeCertificate } from './tls.js';

export interface MtlsIdpOptions {
  /**
   * A fault: the certificate oidc-provider sees. 'other' binds tokens to another certificate than the one
   * presented (mtls.cnf_x5t must fail); 'always' hands it the client's certificate on every request, even
   * on the plain http port, so a bound token is taken without one (mtls.bearer_refused must fail).
   */
  certificate?: 'presented' | 'other' | 'always';
  /** Leave these endpoints out of mtls_endpoint_aliases, or replace the whole member (a malformed document). */
  aliases?: Record<string, unknown> | ((aliases: Record<string, string>) => unknown);
}

export interface MtlsIdp {
  /** https://127.0.0.1:PORT, the alias server. */
  origin: string;
  /** Its server certificate, as --ca-file. */
  caFile: string;
  aliases: Record<string, string>;
  certificates: MtlsCertificates;
  /** Registered with tls_client_auth (tls_client_auth_subject_dn) and certificate-bound tokens. */
  tlsClient: { client_id: string; files: ClientCertificateFiles };
  /** Registered with self_signed_tls_client_auth (its certificate in jwks x5c) and certificate-bound tokens. */
  selfSignedClient: { client_id: string; files: ClientCertificateFiles };
  close(): Promise<void>;
}

// oidc-provider's default routes (lib/helpers/defaults.js `routes`), under the issuer's path.
const ROUTES: Record<string, string> = {
  token_endpoint: '/token',
  introspection_endpoint: '/token/introspection',
  revocation_endpoint: '/token/revocation',
  userinfo_endpoint: '/me',
  pushed_authorization_request_endpoint: '/request',
  device_authorization_endpoint: '/device/auth',
};

const peerOf = (ctx: any): X509Certificate | undefined => {
  const socket = ctx.req?.socket ?? ctx.socket;
  if (!(socket instanceof TLSSocket)) return undefined;
  const peer = socket.getPeerCertificate();
  return peer?.raw ? new X509Certificate(peer.raw) : undefined;
};

export async function mtlsIdp(handler: (req: IncomingMessage, res: ServerResponse) => void, mountPath: string, configuration: Record<string, any>, options: MtlsIdpOptions): Promise<MtlsIdp> {
  const [certificates, serverCert] = await Promise.all([makeMtlsCertificates(), makeCertificate()]);
  const server = createServer({ key: serverCert.key, cert: serverCert.cert, requestCert: true, rejectUnauthorized: false, ca: [certificates.clientCa.cert] }, handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const aliases = Object.fromEntries(Object.entries(ROUTES).map(([name, path]) => [name, `${origin}${mountPath}${path}`]));

  const fault = options.certificate ?? 'presented';
  configuration.features.mTLS = {
    enabled: true,
    certificateBoundAccessTokens: true,
    tlsClientAuth: true,
    selfSignedTlsClientAuth: true,
    getCertificate(ctx: any) {
      if (fault === 'always') return certificates.tlsClient.cert;
      const peer = peerOf(ctx);
      if (!peer) return undefined;
      return fault === 'other' ? certificates.other.cert : peer.toString();
    },
    certificateAuthorized: (ctx: any) => (ctx.req?.socket ?? ctx.socket)?.authorized === true || fault === 'always',
    certificateSubjectMatches(ctx: any, property: string, expected: string) {
      const peer = fault === 'always' ? new X509Certificate(certificates.tlsClient.cert) : peerOf(ctx);
      return property === 'tls_client_auth_subject_dn' && peer !== undefined && peer.subject.split('\n').join(',') === expected;
    },
  };
  // oidc-provider's default list leaves the RFC 8705 methods out: a client registered with one needs them listed.
  configuration.clientAuthMethods = ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none', 'tls_client_auth', 'self_signed_tls_client_auth'];
  const published = typeof options.aliases === 'function' ? options.aliases(aliases) : options.aliases ?? aliases;
  configuration.discovery = { ...configuration.discovery, mtls_endpoint_aliases: published };

  const user = { redirect_uris: [...LOOPBACK_REDIRECT_URIS], grant_types: ['authorization_code', 'refresh_token', 'client_credentials', 'urn:ietf:params:oauth:grant-type:device_code'], response_types: ['code'], application_type: 'native', tls_client_certificate_bound_access_tokens: true };
  const tlsClient = { client_id: 'oidc-cli-mtls', files: certificates.tlsClient };
  const selfSignedClient = { client_id: 'oidc-cli-mtls-self', files: certificates.selfSigned };
  configuration.clients.push(
    { ...user, client_id: tlsClient.client_id, client_name: 'oidc-cli tls_client_auth client', token_endpoint_auth_method: 'tls_client_auth', tls_client_auth_subject_dn: certificates.tlsClient.subjectDn },
    { ...user, client_id: selfSignedClient.client_id, client_name: 'oidc-cli self_signed_tls_client_auth client', token_endpoint_auth_method: 'self_signed_tls_client_auth', jwks: { keys: [certificates.selfSigned.jwk] } },
  );

  let closed: Promise<void> | undefined;
  return {
    origin,
    caFile: serverCert.caFile,
    aliases,
    certificates,
    tlsClient,
    selfSignedClient,
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }).finally(() => {
        certificates.cleanup();
        serverCert.cleanup();
      });
      return closed;
    },
  };
}
