/**
 * The oidc-provider configuration of the test IdP, and its registered clients. Every default that
 * oidc-provider asks a deployment to change is set here, so it prints no notices.
 */
import { randomBytes } from 'node:crypto';
import type { JWK } from 'jose';
import type { TestKeyPair } from './keys.js';
import type { AdapterFactory } from './idp-store.js';
import type { DemoUser } from './idp-interactions.js';
import {
  deviceAbortedPage, deviceConfirmPage, deviceInputPage, deviceSuccessPage, errorPage, logoutPage, logoutSuccessPage,
} from './idp-pages.js';


export interface IdpTtl {
  accessToken: number; // 3600
  authorizationCode: number; // 60
  clientCredentials: number; // 600
  deviceCode: number; // 600
  idToken: number; // 3600
  refreshToken: number; // 86400
  session: number; // 86400
}

const DEFAULT_TTL: IdpTtl = {
  accessToken: 3600,
  authorizationCode: 60,
  clientCredentials: 600,
  deviceCode: 600,
  idToken: 3600,
  refreshToken: 86400,
  session: 86400,
};

export interface IdpClient {
  client_id: string;
  client_secret?: string;
  token_endpoint_auth_method: 'none' | 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt';
  redirect_uris: string[];
  grant_types: string[];
  scope?: string;
}

export interface IdpClients {
  /** Public native app: no secret, PKCE, any loopback port (RFC 8252 §7.3). Device flow too. */
  public: IdpClient;
  /** Confidential, client_secret_basic; loopback redirects like the public one. Device flow too. */
  basic: IdpClient & { client_secret: string };
  /** Confidential, client_secret_post. */
  post: IdpClient & { client_secret: string };
  /** private_key_jwt (RFC 7523) with an RS256 key; the private half is here for `--private-key`. */
  privateKeyJwt: IdpClient & { privateJwk: JWK; privateKeyPem: string; publicJwk: JWK; kid: string };
  /** Machine client: client_credentials only, client_secret_basic, gets JWT access tokens for the API. */
  machine: IdpClient & { client_secret: string };
}

export const LOOPBACK_REDIRECT_URIS = ['http://127.0.0.1/callback', 'http://[::1]/callback'];

const USER_GRANTS = ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'];

function secret(): string {
  return randomBytes(32).toString('base64url');
}

function buildClients(clientKey: TestKeyPair): IdpClients {
  const user = { redirect_uris: [...LOOPBACK_REDIRECT_URIS], grant_types: [...USER_GRANTS] };
  return {
    public: { client_id: 'oidc-cli-public', token_endpoint_auth_method: 'none', ...user },
    basic: { client_id: 'oidc-cli-basic', client_secret: secret(), token_endpoint_auth_method: 'client_secret_basic', ...user },
    post: { client_id: 'oidc-cli-post', client_secret: secret(), token_endpoint_auth_method: 'client_secret_post', ...user },
    privateKeyJwt: {
      client_id: 'oidc-cli-jwt',
      token_endpoint_auth_method: 'private_key_jwt',
      ...user,
      privateJwk: clientKey.privateJwk,
      privateKeyPem: clientKey.privateKeyPem,
      publicJwk: clientKey.publicJwk,
      kid: clientKey.kid,
    },
    machine: {
      client_id: 'oidc-cli-machine',
      client_secret: secret(),
      token_endpoint_auth_method: 'client_secret_basic',
      redirect_uris: [],
      grant_types: ['client_credentials'],
    },
  };
}

function registration(clients: IdpClients): Record<string, unknown>[] {
  const native = (c: IdpClient, name: string, extra: Record<string, unknown> = {}) => ({
    client_id: c.client_id,
    ...(c.client_secret ? { client_secret: c.client_secret } : {}),
    client_name: name,
    // native: loopback redirect URIs match on any port (RFC 8252 §7.3); web would need the exact port.
    application_type: 'native',
    token_endpoint_auth_method: c.token_endpoint_auth_method,
    redirect_uris: c.redirect_uris,
    grant_types: c.grant_types,
    response_types: ['code'],
    ...extra,
  });
  return [
    native(clients.public, 'oidc-cli public client'),
    native(clients.basic, 'oidc-cli confidential client (client_secret_basic)'),
    native(clients.post, 'oidc-cli confidential client (client_secret_post)'),
    native(clients.privateKeyJwt, 'oidc-cli private_key_jwt client', {
      jwks: { keys: [clients.privateKeyJwt.publicJwk] },
      token_endpoint_auth_signing_alg: 'RS256',
    }),
    {
      client_id: clients.machine.client_id,
      client_secret: clients.machine.client_secret,
      client_name: 'oidc-cli machine client',
      token_endpoint_auth_method: 'client_secret_basic',
      redirect_uris: [],
      response_types: [],
      grant_types: ['client_credentials'],
    },
  ];
}

export interface ConfigInput {
  issuer: string;
  mountPath: string;
  user: DemoUser;
  resource: string;
  /** Another API, minted for like the first (another audience). */
  otherResource?: string | undefined;
  resourceScopes: string[];
  signingKeys: TestKeyPair[];
  clientKey: TestKeyPair;
  adapter: AdapterFactory;
  cookieKeys: string[];
  ttl: Partial<IdpTtl>;
  extraClients: Record<string, unknown>[];
  refreshTokens: 'always' | 'offline_access';
  rotateRefreshTokens: boolean;
}

export function buildConfiguration(input: ConfigInput): { configuration: Record<string, any>; clients: IdpClients } {
  const ttl = { ...DEFAULT_TTL, ...input.ttl };
  const clients = buildClients(input.clientKey);
  const { user } = input;
  const algs = ['RS256', 'ES256'];

  const resourceServer = {
    scope: input.resourceScopes.join(' '),
    audience: input.resource,
    accessTokenFormat: 'jwt',
    jwt: { sign: { alg: 'RS256' } },
  };

  const configuration: Record<string, any> = {
    adapter: input.adapter,
    clients: [...registration(clients), ...input.extraClients],
    jwks: { keys: input.signingKeys.map((k) => k.privateJwk) },
    cookies: { keys: input.cookieKeys },
    async findAccount(_ctx: unknown, sub: string) {
      if (sub !== user.sub) return undefined;
      return {
        accountId: sub,
        async claims() {
          const { username, password: _password, ...claims } = user;
          return { ...claims, preferred_username: username, updated_at: 1_700_000_000 };
        },
      };
    },
    claims: {
      openid: ['sub'],
      profile: ['name', 'given_name', 'family_name', 'preferred_username', 'updated_at'],
      email: ['email', 'email_verified'],
    },
    scopes: ['openid', 'offline_access', 'profile', 'email'],
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      introspection: {
        enabled: true,
        // RFC 7662 §2.2, §4: a client learns about its own tokens only, or about tokens meant for it as a
        // resource server (their aud names it); any other caller hears {"active": false}.
        allowedPolicy: async (_ctx: any, client: any, token: any) => token.clientId === client.clientId || [token.aud].flat().includes(client.clientId),
      },
      revocation: {
        enabled: true,
        allowedPolicy: async (_ctx: any, client: any, token: any) => token.clientId === client.clientId,
      },
      userinfo: { enabled: true },
      jwtUserinfo: { enabled: true },
      clientCredentials: { enabled: true },
      deviceFlow: {
        enabled: true,
        async userCodeInputSource(ctx: any, form: string, _out: unknown, err?: { name?: string }) {
          ctx.body = err?.name === 'AbortedError'
            ? deviceAbortedPage()
            : deviceInputPage(form, err ? 'That code is not valid, or has expired. Try again.' : undefined);
        },
        async userCodeConfirmSource(ctx: any, form: string, client: any, _info: unknown, userCode: string) {
          ctx.body = deviceConfirmPage(form, client.clientName ?? client.clientId, userCode);
        },
        async successSource(ctx: any) {
          ctx.body = deviceSuccessPage(ctx.oidc.client.clientName ?? ctx.oidc.client.clientId);
        },
      },
      resourceIndicators: {
        enabled: true,
        // A machine client that names no resource still gets a token for the one API there is.
        async defaultResource(ctx: any, _client: unknown, oneOf?: string[]) {
          if (oneOf) return oneOf;
          if (ctx.oidc.route === 'token' && ctx.oidc.params?.grant_type === 'client_credentials') return input.resource;
          return undefined;
        },
        useGrantedResource: async () => false,
        async getResourceServerInfo(_ctx: unknown, indicator: string) {
          if (indicator === input.resource) return resourceServer;
          if (input.otherResource && indicator === input.otherResource) return { ...resourceServer, audience: input.otherResource };
          const { errors } = await import('oidc-provider');
          throw new errors.InvalidTarget(`unknown resource ${indicator}; this IdP serves ${input.resource}`);
        },
      },
      rpInitiatedLogout: {
        enabled: true,
        async logoutSource(ctx: any, form: string) {
          ctx.body = logoutPage(form, ctx.host);
        },
        async postLogoutSuccessSource(ctx: any) {
          ctx.body = logoutSuccessPage();
        },
      },
    },
    enabledJWA: {
      idTokenSigningAlgValues: algs,
      userinfoSigningAlgValues: algs,
      introspectionSigningAlgValues: algs,
      authorizationSigningAlgValues: algs,
    },
    async issueRefreshToken(_ctx: unknown, client: any, code: any) {
      if (!client.grantTypeAllowed('refresh_token')) return false;
      return input.refreshTokens === 'always' || code.scopes.has('offline_access');
    },
    rotateRefreshToken: () => input.rotateRefreshTokens,
    interactions: {
      url: async (_ctx: unknown, interaction: any) => `${input.mountPath}/interaction/${interaction.uid}`,
    },
    async renderError(ctx: any, out: Record<string, unknown>) {
      ctx.type = 'html';
      ctx.body = errorPage(out);
    },
    clientBasedCORS: () => false,
    ttl: {
      AccessToken: ttl.accessToken,
      AuthorizationCode: ttl.authorizationCode,
      ClientCredentials: ttl.clientCredentials,
      DeviceCode: ttl.deviceCode,
      IdToken: ttl.idToken,
      RefreshToken: ttl.refreshToken,
      Interaction: 600,
      Session: ttl.session,
      Grant: ttl.session,
      BackchannelAuthenticationRequest: 600,
      PreAuthorizedCode: 600,
    },
  };
  return { configuration, clients };
}
