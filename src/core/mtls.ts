import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import type { CheckRecorder } from '../checks/recorder.js';
import { inputError } from '../errors.js';
import type { HttpClient } from '../http/types.js';
import { readLocalFile } from '../util/local-file.js';
import type { ClientCredentials } from './client-auth.js';
import { introspect } from './introspection.js';
import { readClaims } from './jwt/parse.js';
import { endpointProblem } from './metadata-trust.js';

/**
 * RFC 8705 mutual TLS: a client certificate that authenticates the client (tls_client_auth,
 * self_signed_tls_client_auth, §2) and binds its tokens (cnf.x5t#S256, §3), presented only to the IdP's
 * mTLS endpoints — the `mtls_endpoint_aliases` (§5) when the IdP names them, its regular endpoints otherwise.
 */
export interface ClientCertificate {
  /** The PEM certificate (chain), as read. */
  cert: string;
  /** The PEM private key: a secret, never printed and never sent anywhere but into the TLS handshake. */
  key: string;
  /** RFC 8705 §3.1: base64url(SHA-256(DER of the leaf certificate)), the cnf.x5t#S256 of a bound token. */
  thumbprint: string;
  subject: string;
  /** Issuer and subject are the same and the certificate verifies with its own key. */
  selfSigned: boolean;
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** The x5t#S256 of a DER certificate (RFC 8705 §3.1). */
export function certificateThumbprint(der: Buffer): string {
  return createHash('sha256').update(der).digest('base64url');
}

/** --cert FILE --key FILE, through the bounded reader; the key must be the certificate's. No message quotes the key. */
export async function loadClientCertificate(certFile: string, keyFile: string): Promise<ClientCertificate> {
  const certText = await readLocalFile(certFile, `--cert ${certFile}`);
  const keyText = await readLocalFile(keyFile, `--key ${keyFile}`);
  const pems = certText.match(PEM_CERT);
  if (!pems) throw inputError(`--cert ${certFile} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(pems[0]!);
  } catch (error) {
    throw inputError(`--cert ${certFile}: the first certificate cannot be read (${(error as Error).message})`);
  }
  let key: ReturnType<typeof createPrivateKey>;
  try {
    key = createPrivateKey(keyText);
  } catch {
    // The crypto error says nothing useful and the text must not be quoted: it is a private key.
    throw inputError(`--key ${keyFile} is not a PEM private key (PKCS#8, PKCS#1 or SEC1)`);
  }
  if (!leaf.checkPrivateKey(key)) throw inputError(`--key ${keyFile} is not the private key of the certificate in --cert ${certFile} (${oneLine(leaf.subject)})`, 'pass the key the certificate was issued for');
  const selfSigned = leaf.issuer === leaf.subject && leaf.verify(leaf.publicKey);
  return { cert: pems.join('\n'), key: keyText, thumbprint: certificateThumbprint(leaf.raw), subject: oneLine(leaf.subject), selfSigned };
}

const oneLine = (dn: string) => dn.split('\n').join(', ');

/** The endpoints a client authenticates at or sends a bound token to (RFC 8705 §5 names these among the aliases). */
export const MTLS_ENDPOINTS = [
  'token_endpoint',
  'introspection_endpoint',
  'revocation_endpoint',
  'userinfo_endpoint',
  'pushed_authorization_request_endpoint',
  'device_authorization_endpoint',
] as const;

/** `mtls_endpoint_aliases` as the usable aliases it holds: string values that are https URLs. */
export function mtlsAliases(metadata: Record<string, unknown>): Record<string, string> {
  const raw = metadata.mtls_endpoint_aliases;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return {};
  const aliases: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) if (typeof value === 'string' && URL.canParse(value) && new URL(value).protocol === 'https:') aliases[name] = value;
  return aliases;
}

/**
 * The metadata as a client with a certificate uses it (RFC 8705 §5): each endpoint replaced by its mTLS
 * alias where the IdP names one. The discovery audit judges the document as published; flows act on this.
 */
export function withMtlsAliases(metadata: Record<string, unknown>): { metadata: Record<string, unknown>; aliased: string[] } {
  const aliases = mtlsAliases(metadata);
  const aliased = MTLS_ENDPOINTS.filter((name) => aliases[name] !== undefined && typeof metadata[name] === 'string');
  if (!aliased.length) return { metadata, aliased };
  return { metadata: { ...metadata, ...Object.fromEntries(aliased.map((name) => [name, aliases[name]])) }, aliased };
}

/** The URLs the certificate is presented to: the (aliased) mTLS endpoints, without query or fragment. */
export function mtlsEndpointUrls(effective: Record<string, unknown>): Set<string> {
  const urls = new Set<string>();
  for (const name of MTLS_ENDPOINTS) {
    const value = effective[name];
    if (typeof value === 'string' && URL.canParse(value)) urls.add(bareUrl(value));
  }
  return urls;
}

/** A URL as the certificate's allow-list holds it: no query, no fragment. */
export function bareUrl(value: string): string {
  const url = new URL(value);
  url.search = '';
  url.hash = '';
  return url.href;
}

/**
 * The run's HTTP client, with the certificate presented on requests to `urls` only (RFC 8705 §5): every
 * other request — discovery, keys, the browser's hosts, other servers — goes out without it.
 */
export function mtlsHttp(http: HttpClient, certificate: ClientCertificate, urls: ReadonlySet<string>): HttpClient {
  return {
    ...http,
    request: (request) => {
      const present = !request.withoutClientCertificate && URL.canParse(request.url) && urls.has(bareUrl(request.url));
      return http.request(present ? { ...request, clientCertificate: { cert: certificate.cert, key: certificate.key } } : request);
    },
    addSecret: (value) => http.addSecret(value),
    addToken: (value) => http.addToken(value),
    close: () => http.close(),
  };
}

/**
 * What a flow acts on when the client has a certificate: the metadata with the mTLS aliases in place of
 * the endpoints, and the HTTP client that presents the certificate to those endpoints alone. Without a
 * certificate, both unchanged.
 */
export function mtlsFor(certificate: ClientCertificate | undefined, metadata: Record<string, unknown>, http: HttpClient, ui?: { detail(line: string): void; warn(line: string): void }): { metadata: Record<string, unknown>; http: HttpClient; aliased: string[] } {
  if (!certificate) return { metadata, http, aliased: [] };
  const effective = withMtlsAliases(metadata);
  const urls = mtlsEndpointUrls(effective.metadata);
  ui?.detail(`client certificate ${certificate.subject}, x5t#S256 ${certificate.thumbprint}${certificate.selfSigned ? ' (self-signed)' : ''}`);
  for (const name of effective.aliased) ui?.detail(`${name} → mTLS alias ${String(effective.metadata[name])}`);
  // Plain http (a loopback IdP) has no TLS handshake to carry the certificate: those requests go without it.
  const plain = [...urls].filter((url) => !url.startsWith('https:'));
  if (plain.length) ui?.warn(`the client certificate cannot be presented over plain http: ${plain.join(', ')} ${plain.length === 1 ? 'gets' : 'get'} requests without it`);
  return { metadata: effective.metadata, http: mtlsHttp(http, certificate, new Set([...urls].filter((url) => url.startsWith('https:')))), aliased: effective.aliased };
}

/** The ids judgeMtlsMetadata reports. */
export const MTLS_METADATA_IDS: readonly string[] = ['mtls.aliases', 'mtls.bound_tokens_advertised'];

/**
 * RFC 8705 §5, §3.3: the metadata a certificate-using client reads. `mtls_endpoint_aliases`, when present,
 * is a JSON object whose values are https URLs (TLS is the point); tls_client_certificate_bound_access_tokens a boolean.
 */
export function judgeMtlsMetadata(metadata: Record<string, unknown>, c: CheckRecorder): void {
  const raw = metadata.mtls_endpoint_aliases;
  if (raw === undefined) {
    c.skip('mtls.aliases', 'no mtls_endpoint_aliases: the certificate is presented at the regular endpoints (RFC 8705 §5)');
  } else if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    c.violation('mtls.aliases', `mtls_endpoint_aliases is ${Array.isArray(raw) ? 'an array' : raw === null ? 'null' : `a ${typeof raw}`}, not a JSON object: no alias is used`);
  } else {
    const bad = Object.entries(raw as Record<string, unknown>).filter(([, value]) => !(typeof value === 'string' && URL.canParse(value) && new URL(value).protocol === 'https:'));
    const names = Object.keys(raw as Record<string, unknown>);
    if (bad.length) c.violation('mtls.aliases', `mtls_endpoint_aliases: ${bad.map(([name, value]) => `${name} ${JSON.stringify(value)?.slice(0, 80)}`).join(', ')} ${bad.length === 1 ? 'is' : 'are'} not an https URL: not used`);
    else c.pass('mtls.aliases', `mtls_endpoint_aliases names ${names.length} endpoint(s), all https: ${names.join(', ')}`);
  }
  const bound = metadata.tls_client_certificate_bound_access_tokens;
  if (bound !== undefined && typeof bound !== 'boolean') c.violation('mtls.bound_tokens_advertised', `tls_client_certificate_bound_access_tokens is ${JSON.stringify(bound)?.slice(0, 40)}, not a boolean`);
  else if (bound === true) c.pass('mtls.bound_tokens_advertised', 'tls_client_certificate_bound_access_tokens: true');
  else c.skip('mtls.bound_tokens_advertised', 'tls_client_certificate_bound_access_tokens is not true: the IdP does not say it binds tokens to certificates');
}

/** cnf.x5t#S256 of a JWT access token, or undefined (opaque token, no cnf). */
export function tokenCertificateThumbprint(access_token: string): { jwt: boolean; x5t: unknown } {
  const claims = readClaims(access_token);
  if (!claims) return { jwt: false, x5t: undefined };
  return { jwt: true, x5t: cnfThumbprint(claims.cnf) };
}

const cnfThumbprint = (cnf: unknown): unknown => (cnf !== null && typeof cnf === 'object' && !Array.isArray(cnf) ? (cnf as Record<string, unknown>)['x5t#S256'] : undefined);

/** Where the binding of an opaque token can be read: the IdP's introspection (RFC 7662 §2.2 cnf, RFC 8705 §3.2). */
export interface BindingContext {
  /** tls_client_certificate_bound_access_tokens: the IdP says it binds tokens. */
  advertised: boolean;
  /** The introspection answer for a token, or why there is none (a public client, no endpoint). */
  introspect?: ((token: string) => Promise<Record<string, unknown> | string>) | undefined;
}

/** The BindingContext.introspect of a client at an issuer: its own token, introspected with its own credentials. */
export function introspectorFor(http: HttpClient, target: { introspection_endpoint: unknown; client: ClientCredentials; issuer: string; insecure: boolean }): BindingContext['introspect'] {
  return async (token) => {
    if (typeof target.introspection_endpoint !== 'string') return 'discovery lists no introspection_endpoint';
    const problem = endpointProblem(target.introspection_endpoint, target.insecure);
    if (problem) return `introspection_endpoint ${problem}`;
    if (target.client.method === 'none') return 'a public client cannot introspect, RFC 7662 §2.1';
    const answer = await introspect(http, { introspection_endpoint: target.introspection_endpoint, client: target.client, issuer: target.issuer }, token, 'access_token');
    return answer.status === 200 && answer.body ? answer.body : `introspection answered HTTP ${answer.status}`;
  };
}

/**
 * RFC 8705 §3.1, §3.2: a certificate-bound access token carries cnf.x5t#S256, the SHA-256 thumbprint of the
 * certificate the token request presented — in the JWT, or in the introspection answer of an opaque token.
 * A different thumbprint binds it to someone else's certificate. Returns whether it is bound to this one.
 */
export async function judgeCertificateBinding(tokens: { access_token: string }, certificate: ClientCertificate, context: BindingContext, c: CheckRecorder): Promise<boolean> {
  const local = tokenCertificateThumbprint(tokens.access_token);
  let x5t = local.x5t;
  let where = 'the JWT access token';
  if (!local.jwt) {
    const answer = context.introspect ? await context.introspect(tokens.access_token) : 'discovery lists no introspection_endpoint';
    if (typeof answer === 'string' || answer.active !== true) {
      c.skip('mtls.cnf_x5t', typeof answer === 'string' ? `an opaque access token, and introspection cannot tell its cnf.x5t#S256 (${answer})` : 'an opaque access token that introspection calls inactive: its binding cannot be seen');
      return false;
    }
    x5t = cnfThumbprint(answer.cnf);
    where = 'introspection of the opaque access token';
  }
  const from = local.jwt ? 'cnf.x5t#S256' : 'cnf.x5t#S256 (from introspection)';
  if (x5t === certificate.thumbprint) {
    c.pass('mtls.cnf_x5t', `${from} ${certificate.thumbprint}: the thumbprint of the certificate presented`);
    return true;
  }
  if (x5t !== undefined) c.violation('mtls.cnf_x5t', `${from} "${String(x5t).slice(0, 64)}" is not the presented certificate's thumbprint ${certificate.thumbprint}: the token is bound to another certificate`);
  else if (context.advertised) c.warn('mtls.cnf_x5t', `${where} has no cnf.x5t#S256, though the IdP advertises certificate-bound tokens: it is a Bearer token anyone holding it can use`, { hint: 'register the client with tls_client_certificate_bound_access_tokens: true (RFC 8705 §3.4)' });
  else c.skip('mtls.cnf_x5t', `${where} has no cnf.x5t#S256, and the IdP does not advertise certificate-bound tokens`);
  return false;
}
