/**
 * The real IdP every e2e test and `npm run demo` run against: oidc-provider (OpenID Certified),
 * in-process on http://127.0.0.1:<random port>, configured the way a careful production IdP is
 * (PKCE S256 required, RFC 9207 `iss`, refresh token rotation, RFC 9068 JWT access tokens for an
 * API), with a login form a plain HTTP client can complete (see browser.mjs).
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { Agent, fetch as undiciFetch } from 'undici';
import { generateSigningKey } from './keys.js';
import type { TestKeyPair } from './keys.js';
import { createStore } from './idp-store.js';
import { interactionRoutes } from './idp-interactions.js';
import { jwtAccessTokenLifecycle } from './idp-jwt-tokens.js';
import type { DemoUser } from './idp-interactions.js';
import { buildConfiguration } from './idp-config.js';
import type { IdpClients, IdpTtl } from './idp-config.js';
import { mtlsIdp, type MtlsIdp, type MtlsIdpOptions } from './idp-mtls.js';

export type { DemoUser } from './idp-interactions.js';
export type { IdpClients, IdpClient, IdpTtl } from './idp-config.js';

export interface StartIdpOptions {
  /** Path part of the issuer, e.g. '/realms/demo' (no trailing slash). Default: none. */
  issuerPath?: string;
  /** Token and session lifetimes in seconds (see IdpTtl for defaults). */
  ttl?: Partial<IdpTtl>;
  /** More clients, in oidc-provider's client metadata (snake_case, as in RFC 7591). */
  extraClients?: Record<string, unknown>[];
  /** 'always' (default): every code/device grant of a client allowed refresh_token gets one.
   *  'offline_access': only when offline_access survives (OIDC Core §11 needs prompt=consent). */
  refreshTokens?: 'always' | 'offline_access';
  /** Rotate refresh tokens on every use (default true; RFC 9700 §4.14.2). */
  rotateRefreshTokens?: boolean;
  /** Let introspection and revocation accept this IdP's JWT access tokens (default true; stock
   *  oidc-provider answers unsupported_token_type for them). See idp-jwt-tokens.ts. */
  jwtIntrospection?: boolean;
  /** The RFC 8707 resource this IdP mints JWT access tokens for (default https://api.example.com/):
   *  a test API or MCP server on loopback passes its own URL. */
  resource?: string;
  /** A second API this IdP mints JWT access tokens for (another audience: check --other-resource). */
  otherResource?: string;
  /** RFC 7591 dynamic registration at /reg, open (no initial access token). Default false. */
  registration?: boolean;
  /** Client ID Metadata Documents (draft-02 in oidc-provider): client_ids that are https URLs are fetched,
   *  trusting this CA (the test host's self-signed certificate, see client-metadata-host.ts). */
  clientIdMetadataDocuments?: { ca: string };
  /** RFC 9449 DPoP: on by default (oidc-provider v9); 'nonce': every proof must carry a server nonce
   *  (use_dpop_nonce first); false: off, so a proof is ignored and a Bearer token issued. */
  dpop?: boolean | 'nonce';
  /** RFC 9101 request objects (`request`, request_parameter_supported); 'required': every client must
   *  sign its authorization requests (require_signed_request_object). Default off. */
  requestObjects?: boolean | 'required';
  /** JARM: the JWT response modes (jwt, query.jwt, form_post.jwt, fragment.jwt), signed RS256. Default off. */
  jwtResponseModes?: boolean;
  /** RFC 8705 mutual TLS (see idp-mtls.ts): the mTLS endpoint aliases on an https port of their own,
   *  certificate-bound access tokens, a tls_client_auth client and a self_signed_tls_client_auth client. */
  mtls?: boolean | MtlsIdpOptions;
  /** Koa middleware run before oidc-provider's routes: a fault in front of the real IdP (one per test). */
  middleware?: (ctx: any, next: () => Promise<void>) => Promise<void>;
  /** Last word on the oidc-provider configuration, for tests that need a twist. */
  configure?: (configuration: Record<string, unknown>) => void;
}

export interface Idp {
  /** The issuer identifier, byte-exact as published in discovery. */
  issuer: string;
  /** `http://127.0.0.1:PORT` */
  origin: string;
  /** An absolute URL under the issuer: url('/.well-known/openid-configuration'). */
  url(path: string): string;
  clients: IdpClients;
  users: { demo: DemoUser };
  /** RFC 8707 resource indicator of the demo API: ask for it to get an RFC 9068 JWT access token. */
  resource: string;
  resourceScopes: string[];
  /** The IdP's own signing keys (public and private halves), for tests that forge or compare. */
  signingKeys: { rs256: TestKeyPair; es256: TestKeyPair };
  /** The oidc-provider instance, for tests that need its models. */
  provider: any;
  /** With `mtls`: the alias server, its CA (--ca-file), the clients and their certificate files. */
  mtls?: MtlsIdp;
  close(): Promise<void>;
}

export const DEMO_USER: DemoUser = {
  username: 'demo',
  password: 'demo',
  sub: 'demo-user-0001',
  name: 'Dana Demo',
  given_name: 'Dana',
  family_name: 'Demo',
  email: 'demo@example.com',
  email_verified: true,
};

export const DEMO_RESOURCE = 'https://api.example.com/';
export const DEMO_RESOURCE_SCOPES = ['api:read', 'api:write'];

let providerClass: Promise<any> | undefined;

// oidc-provider warns on import when Node is not v22+ LTS; the warning says nothing about our
// configuration, so it is dropped (only lines it prefixes with "oidc-provider ").
function loadProvider(): Promise<any> {
  providerClass ??= (async () => {
    const warn = console.warn;
    console.warn = (...args: unknown[]) => {
      if (typeof args[0] === 'string' && args[0].startsWith('oidc-provider ')) return;
      warn(...args);
    };
    try {
      return (await import('oidc-provider')).default;
    } finally {
      console.warn = warn;
    }
  })();
  return providerClass;
}

function listen(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const server = createServer(handler);
  return new Promise<typeof server>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

function notFound(res: ServerResponse): void {
  res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
}

export async function startIdp(options: StartIdpOptions = {}): Promise<Idp> {
  const Provider = await loadProvider();
  const mountPath = (options.issuerPath ?? '').replace(/\/+$/, '');
  if (mountPath && !mountPath.startsWith('/')) throw new Error('issuerPath must start with "/"');

  const [rs256, es256, clientKey] = await Promise.all([
    generateSigningKey('RS256'),
    generateSigningKey('ES256'),
    generateSigningKey('RS256'),
  ]);

  let app: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    // Serve the provider under the issuer's path, as a reverse proxy in front of an IdP would.
    const url = req.url ?? '/';
    if (!app || (mountPath && url !== mountPath && !url.startsWith(`${mountPath}/`) && !url.startsWith(`${mountPath}?`))) {
      notFound(res);
      return;
    }
    // oidc-provider derives its endpoint URLs from the part of originalUrl that was cut off.
    (req as IncomingMessage & { originalUrl?: string }).originalUrl = url;
    req.url = url.slice(mountPath.length) || '/';
    app(req, res);
  };
  const server = await listen(handler);
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  const issuer = `${origin}${mountPath}`;

  const { configuration, clients } = buildConfiguration({
    issuer,
    mountPath,
    user: DEMO_USER,
    resource: options.resource ?? DEMO_RESOURCE,
    otherResource: options.otherResource,
    resourceScopes: DEMO_RESOURCE_SCOPES,
    signingKeys: [rs256, es256],
    clientKey,
    adapter: createStore(),
    cookieKeys: [randomBytes(32).toString('base64url')],
    ttl: options.ttl ?? {},
    extraClients: options.extraClients ?? [],
    refreshTokens: options.refreshTokens ?? 'always',
    rotateRefreshTokens: options.rotateRefreshTokens ?? true,
  });
  if (options.registration) configuration.features.registration = { enabled: true };
  if (options.clientIdMetadataDocuments) {
    configuration.features.clientIdMetadataDocument = { enabled: true, ack: 'draft-02' };
    // oidc-provider fetches through a dispatcher that refuses loopback addresses (SSRF protection); the
    // test host is on loopback with its own CA, so this one IdP fetches with an agent that trusts it.
    const agent = new Agent({ connect: { ca: options.clientIdMetadataDocuments.ca } });
    configuration.fetch = (url: string, init: Record<string, unknown>) => undiciFetch(url, { ...init, dispatcher: agent } as Parameters<typeof undiciFetch>[1]);
  }
  if (options.dpop !== undefined) {
    configuration.features.dPoP = options.dpop === 'nonce' ? { enabled: true, nonceSecret: randomBytes(32), requireNonce: () => true } : { enabled: options.dpop };
  }
  if (options.requestObjects !== undefined) {
    configuration.features.requestObjects = { enabled: options.requestObjects !== false, requireSignedRequestObject: options.requestObjects === 'required' };
  }
  if (options.jwtResponseModes !== undefined) configuration.features.jwtResponseModes = { enabled: options.jwtResponseModes };
  // The same provider also answers on an https port that asks for client certificates: its mTLS aliases.
  const mtls = options.mtls ? await mtlsIdp(handler, mountPath, configuration, options.mtls === true ? {} : options.mtls) : undefined;
  options.configure?.(configuration);

  const provider = new Provider(issuer, configuration);
  if (options.middleware) provider.use(options.middleware);
  provider.use(interactionRoutes(provider, mountPath, DEMO_USER));
  if (options.jwtIntrospection ?? true) provider.use(jwtAccessTokenLifecycle(provider, [rs256.publicJwk, es256.publicJwk]));
  app = provider.callback();

  let closed: Promise<void> | undefined;
  return {
    issuer,
    origin,
    url: (path: string) => `${issuer}${path.startsWith('/') ? path : `/${path}`}`,
    clients,
    users: { demo: DEMO_USER },
    resource: options.resource ?? DEMO_RESOURCE,
    resourceScopes: DEMO_RESOURCE_SCOPES,
    signingKeys: { rs256, es256 },
    provider,
    ...(mtls ? { mtls } : {}),
    close() {
      closed ??= Promise.all([
        new Promise<void>((resolve, reject) => {
          server.close((err) => (err ? reject(err) : resolve()));
          // Keep-alive sockets from fetch would otherwise hold the port until they time out.
          server.closeAllConnections();
        }),
        mtls?.close(),
      ]).then(() => undefined);
      return closed;
    },
  };
}
