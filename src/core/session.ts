import type { CheckResult } from '../checks/types.js';
import { usageError } from '../errors.js';
import type { HttpClient } from '../http/types.js';
import { chooseClientAuth, type ClientCredentials } from './client-auth.js';
import { advertisedAlgorithms, advertisedEndpoint, discover, requiredMember } from './discovery.js';
import type { KeySource } from './jwt/types.js';
import { metadataRefusal, untrustedStop } from './metadata-trust.js';
import type { Ui } from './ports.js';
import { remoteKeySet } from './remote-keys.js';
import { introspectorFor, mtlsFor, type BindingContext } from './mtls.js';
import type { TokenContext } from './token-judge.js';

/**
 * An issuer as every step after discovery uses it (refresh, client credentials, introspection,
 * revocation, userinfo, device authorization): its metadata, trusted or refused once (OIDC Discovery
 * §4.3, metadata-trust.ts); the client authentication chosen from the client's credentials and the
 * IdP's token_endpoint_auth_methods_supported; and the token judge's context, keys on first use.
 * The lifecycle commands open one with openIssuerSession; `check` builds one from its own discovery.
 */
export interface IssuerSession {
  http: HttpClient;
  ui: Ui;
  issuer: string;
  metadata: Record<string, unknown>;
  discoveryChecks: CheckResult[];
  client: ClientCredentials;
  /** What the token judges need (core/token-judge.ts). */
  tokens: TokenContext;
  showTokens: boolean;
  /** --insecure: plain http endpoints are acted on anywhere. */
  insecure: boolean;
  /** An endpoint the IdP advertises and the session may send to; a usage error naming the member otherwise. */
  endpoint(member: string): string;
  /** The same, or undefined when the IdP does not advertise it. */
  optionalEndpoint(member: string): string | undefined;
}

/** The client as the user gave it: the method is only a wish unless `explicit`. */
export interface SessionClient {
  client_id: string;
  client_secret?: string | undefined;
  privateKey?: ClientCredentials['privateKey'];
  /** --client-auth (or a profile's), when given; otherwise chosen from the credentials and the metadata. */
  explicitMethod?: string | undefined;
  /** ClientCredentials.assertionAudience, carried through. */
  assertionAudience?: string | undefined;
  /** --cert/--key (RFC 8705): tls_client_auth, bound tokens, and the mTLS endpoint aliases. */
  certificate?: ClientCredentials['certificate'];
}

export interface SessionSettings {
  issuer: string;
  client: SessionClient;
  clockSkew: number;
  /** --insecure: plain http endpoints are acted on anywhere, not only on loopback. */
  insecure: boolean;
  showTokens: boolean;
  now?: () => number;
}

/** Discovery, then the session; a document naming another issuer stops here (ReportedStop, exit 1). */
export async function openIssuerSession(settings: SessionSettings, deps: { http: HttpClient; ui: Ui }): Promise<IssuerSession> {
  deps.ui.step(`Discovery of ${settings.issuer}`);
  const discovery = await discover(deps.http, settings.issuer);
  const failing = discovery.checks.filter((check) => check.status === 'fail');
  const session = sessionFromDiscovery(settings, { metadata: discovery.metadata, checks: discovery.checks }, deps);
  if (failing.length) deps.ui.warn(`discovery of ${settings.issuer} has ${failing.length} failing check(s) (${failing.map((c) => c.id).join(', ')}); run oidc-cli discover for details`);
  return session;
}

/** The session over metadata already fetched and audited (check has its own discovery phase). */
export function sessionFromDiscovery(settings: SessionSettings, discovery: { metadata: Record<string, unknown>; checks: CheckResult[] }, deps: { http: HttpClient; ui: Ui }): IssuerSession {
  const { issuer, insecure } = settings;
  // Nothing is sent anywhere a document names when the document is another issuer's (OIDC Discovery §4.3).
  const refused = metadataRefusal(issuer, discovery.metadata, [], insecure);
  if (refused) throw untrustedStop(issuer, refused, discovery.checks, { client_id: settings.client.client_id });
  const client = credentialsFor(settings.client, discovery.metadata);
  deps.ui.detail(`client ${client.client_id}, authentication ${client.method}`);
  // RFC 8705 §5: with a certificate, every endpoint is its mTLS alias where the IdP names one, and only those see the certificate.
  const { metadata, http } = mtlsFor(client.certificate, discovery.metadata, deps.http, deps.ui);

  let keys: Promise<KeySource> | undefined;
  const loadKeys = () => {
    keys ??= remoteKeySet(http, requiredMember(issuer, metadata, 'jwks_uri'));
    return keys;
  };
  const optionalEndpoint = (member: string): string | undefined => {
    const value = advertisedEndpoint(issuer, metadata, member);
    if (value === undefined) return undefined;
    // Checked when first used, before any request: a credential never goes to a plain-http endpoint.
    const endpointRefused = metadataRefusal(issuer, metadata, [member], insecure);
    if (endpointRefused) throw untrustedStop(issuer, endpointRefused, discovery.checks, { client_id: client.client_id });
    return value;
  };
  return {
    http,
    ui: deps.ui,
    issuer,
    metadata,
    discoveryChecks: discovery.checks,
    client,
    showTokens: settings.showTokens,
    insecure,
    tokens: {
      issuer,
      client_id: client.client_id,
      client_secret: client.client_secret,
      keys: loadKeys,
      advertisedAlgorithms: advertisedAlgorithms(metadata),
      clockSkew: settings.clockSkew,
      now: settings.now,
    },
    optionalEndpoint,
    endpoint(member) {
      const value = optionalEndpoint(member);
      if (value === undefined) throw usageError(`${issuer} advertises no ${member} in its discovery document`, 'the IdP may not support this feature, or it is disabled for this deployment');
      return value;
    },
  };
}

/** The one choice of client authentication: the explicit method, else what the credentials and the IdP's list allow. */
export function credentialsFor(client: SessionClient, metadata: Record<string, unknown>): ClientCredentials {
  const method = chooseClientAuth(client.explicitMethod, { secret: Boolean(client.client_secret), key: Boolean(client.privateKey), certificate: client.certificate }, metadata.token_endpoint_auth_methods_supported);
  const credentials: ClientCredentials = { client_id: client.client_id, method };
  if (client.certificate) credentials.certificate = client.certificate;
  if (client.client_secret) credentials.client_secret = client.client_secret;
  if (method === 'private_key_jwt' && client.privateKey) credentials.privateKey = client.privateKey;
  if (method === 'private_key_jwt' && client.assertionAudience) credentials.assertionAudience = client.assertionAudience;
  return credentials;
}


/** Where a session reads the certificate binding of its tokens (core/mtls.ts judgeCertificateBinding). */
export function bindingContext(session: IssuerSession): BindingContext {
  return {
    advertised: session.metadata.tls_client_certificate_bound_access_tokens === true,
    introspect: introspectorFor(session.http, { introspection_endpoint: session.metadata.introspection_endpoint, client: session.client, issuer: session.issuer, insecure: session.insecure }),
  };
}
