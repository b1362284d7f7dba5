/**
 * A real MCP server as the protected resource of the tests: the official @modelcontextprotocol/sdk's
 * Streamable HTTP server behind its own bearer-auth middleware, with its RFC 9728 protected resource
 * metadata router, on http://127.0.0.1:<port>/mcp, trusting one authorization server (the in-process
 * oidc-provider). Its access tokens are verified with jose against that IdP's JWKS.
 *
 * Each fault makes it misbehave in one way, for the check that must catch it:
 *   no_challenge                — 401 without WWW-Authenticate (RFC 6750 §3)
 *   challenge_without_metadata  — the Bearer challenge has no resource_metadata (RFC 9728 §5.1)
 *   metadata_resource_mismatch  — the metadata's `resource` names another URL (RFC 9728 §3.3)
 *   http_authorization_server   — the metadata names a plain-http, non-loopback authorization server
 *   query_bearer_method         — the metadata lists bearer_methods_supported ["header", "query"]
 *   accepts_any_audience        — any token the IdP signed is taken: an ID token too (no typ, no aud check)
 *   accepts_query_token         — a token in ?access_token= is taken (RFC 6750 §2.3; MCP forbids it)
 *   skips_signature             — the token's claims are read without verifying its signature
 *   accepts_expired             — exp is not checked (a token expired years ago is still taken)
 *   accepts_bound_as_bearer     — a DPoP-bound token (cnf.jkt) is taken as a plain Bearer token
 *   skips_audience              — an access token (typ at+jwt) of this IdP is taken whatever its aud names
 *
 * DPoP (RFC 9449 §7): `Authorization: DPoP <token>` with a DPoP proof (typ dpop+jwt, htm, htu, ath,
 * a fresh iat) is verified here, before the SDK's Bearer middleware; a token whose cnf.jkt names a key
 * is taken only with a proof of that key.
 *
 * Usage: const mcp = await startMcpServer(); const idp = await startIdp({ resource: mcp.resource });
 *        await mcp.trust(idp.issuer); … await mcp.close();
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { requireBearerAuth } from '@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js';
import { InvalidTokenError } from '@modelcontextprotocol/sdk/server/auth/errors.js';
import { getOAuthProtectedResourceMetadataUrl, mcpAuthMetadataRouter } from '@modelcontextprotocol/sdk/server/auth/router.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { createMcpExpressApp } from '@modelcontextprotocol/sdk/server/express.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { createHash } from 'node:crypto';
import { calculateJwkThumbprint, createRemoteJWKSet, decodeJwt, decodeProtectedHeader, importJWK, jwtVerify, type JWTPayload } from 'jose';

export type ResourceFault =
  | 'no_challenge'
  | 'challenge_without_metadata'
  | 'metadata_resource_mismatch'
  | 'http_authorization_server'
  | 'query_bearer_method'
  | 'accepts_any_audience'
  | 'accepts_query_token'
  | 'skips_signature'
  | 'accepts_expired'
  | 'accepts_bound_as_bearer'
  | 'skips_audience';

export interface McpResource {
  /** The resource identifier (RFC 8707, RFC 9728): http://127.0.0.1:PORT/mcp */
  resource: string;
  /** Where its protected resource metadata is served (RFC 9728 §3.1 path insertion). */
  metadataUrl: string;
  /** The scope every tool call needs. */
  scope: string;
  /** Trust this issuer (fetches its metadata); call once, before the first request. */
  trust(issuer: string): Promise<void>;
  close(): Promise<void>;
}

const SCOPE = 'api:read';

export async function startMcpServer(options: { faults?: ResourceFault[] } = {}): Promise<McpResource> {
  const faults = new Set(options.faults ?? []);
  const app = createMcpExpressApp();
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const resource = `${origin}/mcp`;
  const metadataUrl = getOAuthProtectedResourceMetadataUrl(new URL(resource));

  let verify: ((token: string) => Promise<AuthInfo>) | undefined;

  // The faults that change what the resource says about itself are served before the SDK's router.
  if (faults.has('metadata_resource_mismatch') || faults.has('http_authorization_server') || faults.has('query_bearer_method')) {
    app.get(new URL(metadataUrl).pathname, (_req: unknown, res: any) => {
      res.json({
        resource: faults.has('metadata_resource_mismatch') ? `${origin}/another-api` : resource,
        authorization_servers: [faults.has('http_authorization_server') ? 'http://idp.example.test' : trustedIssuer],
        scopes_supported: [SCOPE],
        ...(faults.has('query_bearer_method') ? { bearer_methods_supported: ['header', 'query'] } : {}),
      });
    });
  }
  if (faults.has('accepts_query_token')) {
    app.use((req: { query?: Record<string, unknown>; headers: Record<string, string | undefined> }, _res: unknown, next: () => void) => {
      const token = req.query?.access_token;
      if (typeof token === 'string' && !req.headers.authorization) req.headers.authorization = `Bearer ${token}`;
      next();
    });
  }
  if (faults.has('no_challenge')) {
    app.use((_req: unknown, res: any, next: () => void) => {
      const set = res.set.bind(res);
      res.set = (name: unknown, value: unknown) => (String(name).toLowerCase() === 'www-authenticate' ? res : set(name, value));
      next();
    });
  }

  // RFC 9449 §7.1: the proof is checked here; the token goes on as Bearer, remembered with its key.
  const proven = new Map<string, string>();
  app.use('/mcp', async (req: any, res: any, next: () => void) => {
    const header = String(req.headers.authorization ?? '');
    if (!/^DPoP /i.test(header)) return next();
    const token = header.slice(5).trim();
    try {
      const jkt = await verifyDpopProof(String(req.headers.dpop ?? ''), { method: req.method, url: resource, token });
      proven.set(token, jkt);
      res.on('finish', () => proven.delete(token));
      req.headers.authorization = `Bearer ${token}`;
      next();
    } catch (error) {
      res.status(401).set('www-authenticate', `DPoP error="invalid_dpop_proof", error_description="${(error as Error).message.replace(/"/g, "'")}"`).json({ error: 'invalid_dpop_proof' });
    }
  });

  let trustedIssuer = '';
  const auth = requireBearerAuth({
    verifier: { verifyAccessToken: (token: string) => (verify ? verify(token) : Promise.reject(new InvalidTokenError('no authorization server trusted yet'))) },
    // A server that checks no audience checks no scope either: the ID token (no scope) gets through.
    requiredScopes: faults.has('accepts_any_audience') ? [] : [SCOPE],
    ...(faults.has('challenge_without_metadata') ? {} : { resourceMetadataUrl: metadataUrl }),
    ...(faults.has('accepts_any_audience') || faults.has('skips_audience') ? {} : { expectedResource: new URL(resource) }),
  });

  // Stateless Streamable HTTP: a fresh server and transport per request, answers as plain JSON.
  app.post('/mcp', auth, async (req: any, res: any) => {
    const mcp = new McpServer({ name: 'oidc-cli-test-mcp', version: '1.0.0' });
    mcp.registerTool('whoami', { description: 'Who the access token says you are' }, async (extra: { authInfo?: AuthInfo }) => ({
      content: [{ type: 'text', text: JSON.stringify({ sub: extra.authInfo?.extra?.sub, client_id: extra.authInfo?.clientId, scopes: extra.authInfo?.scopes }) }],
    }));
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on('close', () => {
      void transport.close();
      void mcp.close();
    });
    await mcp.connect(transport);
    await transport.handleRequest(req, res, req.body);
  });
  // Anything else under /mcp needs a token too, so an unauthenticated GET sees the challenge.
  app.all('/mcp', auth, (_req: unknown, res: any) => res.status(405).set('allow', 'POST').json({ error: 'use POST with a JSON-RPC body' }));

  return {
    resource,
    metadataUrl,
    scope: SCOPE,
    async trust(issuer: string) {
      trustedIssuer = issuer;
      const discovery = await fetch(`${issuer}/.well-known/openid-configuration`);
      const oauthMetadata = (await discovery.json()) as { issuer: string; jwks_uri: string };
      const jwks = createRemoteJWKSet(new URL(oauthMetadata.jwks_uri));
      verify = async (token) => {
        let payload: JWTPayload;
        try {
          if (faults.has('skips_signature')) payload = decodeJwt(token);
          else ({ payload } = await jwtVerify(token, jwks, { issuer, ...(faults.has('accepts_any_audience') ? {} : { typ: 'at+jwt' }), ...(faults.has('accepts_expired') ? { clockTolerance: '100y' } : {}) }));
        } catch (error) {
          throw new InvalidTokenError(`the token does not verify: ${(error as Error).message}`);
        }
        // RFC 9449 §7.2: a bound token only with a proof of its key.
        const cnf = payload.cnf as { jkt?: unknown } | undefined;
        if (typeof cnf?.jkt === 'string' && !faults.has('accepts_bound_as_bearer') && proven.get(token) !== cnf.jkt) {
          throw new InvalidTokenError(proven.has(token) ? 'the DPoP proof is for another key than the token is bound to' : 'a DPoP-bound token needs a DPoP proof');
        }
        // The SDK compares `resource` with expectedResource: the audience check of RFC 8707 / RFC 9068 §4.
        const audiences = [payload.aud ?? []].flat();
        const named = audiences.find((aud) => URL.canParse(aud));
        return {
          token,
          clientId: String(payload.client_id ?? ''),
          scopes: typeof payload.scope === 'string' ? payload.scope.split(' ') : [],
          // The SDK's middleware checks expiresAt itself (and wants one): a resource that ignores exp hands it an hour from now.
          ...(faults.has('accepts_expired') ? { expiresAt: Math.floor(Date.now() / 1000) + 3600 } : payload.exp !== undefined ? { expiresAt: payload.exp } : {}),
          ...(named ? { resource: new URL(named) } : {}),
          extra: { sub: payload.sub },
        };
      };
      if (!faults.has('metadata_resource_mismatch') && !faults.has('http_authorization_server') && !faults.has('query_bearer_method')) {
        app.use(mcpAuthMetadataRouter({ oauthMetadata: oauthMetadata as never, resourceServerUrl: new URL(resource), scopesSupported: [SCOPE], resourceName: 'oidc-cli test MCP server' }));
      }
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** An RFC 9449 §4.3 check of a proof for a request to a resource: the thumbprint of its key when sound. */
async function verifyDpopProof(proof: string, request: { method: string; url: string; token: string }): Promise<string> {
  if (!proof) throw new Error('no DPoP proof');
  const { jwk } = decodeProtectedHeader(proof);
  if (!jwk) throw new Error('the proof has no jwk');
  const { payload, protectedHeader } = await jwtVerify(proof, await importJWK(jwk, decodeProtectedHeader(proof).alg), { typ: 'dpop+jwt', maxTokenAge: '60s' });
  if (protectedHeader.typ !== 'dpop+jwt') throw new Error('typ is not dpop+jwt');
  if (payload.htm !== request.method) throw new Error(`htm ${String(payload.htm)} is not ${request.method}`);
  if (payload.htu !== request.url) throw new Error(`htu ${String(payload.htu)} is not ${request.url}`);
  if (payload.ath !== createHash('sha256').update(request.token).digest('base64url')) throw new Error('ath is not the hash of this token');
  return calculateJwkThumbprint(jwk);
}
