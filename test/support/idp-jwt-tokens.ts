/**
 * oidc-provider refuses JWT access tokens at its introspection and revocation endpoints
 * (unsupported_token_type: "Structured JWT Tokens cannot be introspected"), and does not store
 * them. Keycloak, Okta and Entra answer RFC 7662 for their JWTs, and oidc-cli's lesson — a token
 * that verifies locally but is inactive at the IdP once revoked — needs that. So for a JWT this
 * IdP signed, oidc-provider still parses the request and authenticates the client (it is handed a
 * placeholder token), and this module then answers from what it recorded when the token was issued:
 * signature, expiry, revocation of the token itself (RFC 7009) and of its grant.
 */
import { Readable } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { compactVerify, createLocalJWKSet, decodeProtectedHeader } from 'jose';
import type { JWK } from 'jose';


interface Issued {
  clientId: string;
  grantId?: string;
  revoked: boolean;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The same request with a new body, handed to oidc-provider in place of the consumed one. */
function replaceBody(req: IncomingMessage, body: string): IncomingMessage {
  const headers = { ...req.headers, 'content-length': String(Buffer.byteLength(body)) };
  delete headers['transfer-encoding'];
  return Object.assign(Readable.from([Buffer.from(body)]), {
    headers,
    rawHeaders: req.rawHeaders,
    method: req.method,
    url: req.url,
    originalUrl: (req as IncomingMessage & { originalUrl?: string }).originalUrl,
    socket: req.socket,
    httpVersion: req.httpVersion,
    httpVersionMajor: req.httpVersionMajor,
    httpVersionMinor: req.httpVersionMinor,
  }) as unknown as IncomingMessage;
}

export function jwtAccessTokenLifecycle(provider: any, publicKeys: JWK[]) {
  const keys = createLocalJWKSet({ keys: publicKeys });
  const issued = new Map<string, Issued>();
  const revokedGrants = new Set<string>();
  const record = (token: any) => {
    if (token.format === 'jwt') issued.set(token.jti, { clientId: token.clientId, grantId: token.grantId, revoked: false });
  };
  provider.on('access_token.issued', record);
  provider.on('client_credentials.issued', record);
  provider.on('grant.revoked', (_ctx: unknown, grantId: string) => revokedGrants.add(grantId));

  const introspection = provider.pathFor('introspection', { mountPath: '' });
  const revocation = provider.pathFor('revocation', { mountPath: '' });

  async function ourJwt(token: string | null): Promise<Record<string, any> | undefined> {
    if (!token) return undefined;
    try {
      if (decodeProtectedHeader(token).typ !== 'at+jwt') return undefined;
      const { payload } = await compactVerify(token, keys);
      const claims = JSON.parse(new TextDecoder().decode(payload));
      return claims.iss === provider.issuer && issued.has(claims.jti) ? claims : undefined;
    } catch {
      return undefined;
    }
  }

  return async function jwtAccessTokens(ctx: any, next: () => Promise<void>): Promise<void> {
    const route = ctx.path === introspection ? 'introspection' : ctx.path === revocation ? 'revocation' : undefined;
    if (!route || ctx.method !== 'POST' || !ctx.is('application/x-www-form-urlencoded')) return next();
    const raw = (await readBody(ctx.req)).toString('utf8');
    const params = new URLSearchParams(raw);
    const claims = params.getAll('token').length === 1 ? await ourJwt(params.get('token')) : undefined;
    if (claims) params.set('token', `jwt-placeholder-${claims.jti}`);
    const replacement = replaceBody(ctx.req, claims ? params.toString() : raw);
    ctx.req = replacement;
    ctx.request.req = replacement;
    await next();
    // Anything but a 200 (client authentication failed, bad request) stands as oidc-provider said.
    if (!claims || ctx.status !== 200) return;

    const record = issued.get(claims.jti)!;
    const caller = ctx.oidc.client;
    const own = record.clientId === caller.clientId;
    if (route === 'revocation') {
      if (own) record.revoked = true;
      return;
    }
    const active = !record.revoked
      && !(record.grantId && revokedGrants.has(record.grantId))
      && claims.exp > Date.now() / 1000
      // RFC 7662 §4: a public client may only learn about its own tokens.
      && (own || caller.clientAuthMethod !== 'none');
    ctx.body = active
      ? {
        active: true,
        iss: claims.iss,
        sub: claims.sub,
        aud: claims.aud,
        client_id: claims.client_id,
        scope: claims.scope,
        exp: claims.exp,
        iat: claims.iat,
        jti: claims.jti,
        token_type: 'Bearer',
      }
      : { active: false };
  };
}
