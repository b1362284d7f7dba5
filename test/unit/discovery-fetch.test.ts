import { describe, expect, it } from 'vitest';
import { discover, fetchDiscovery } from '../../src/core/discovery.js';
import { CliError } from '../../src/errors.js';
import type { HttpClient, HttpRequest, HttpResponse } from '../../src/http/types.js';

/** A scripted HttpClient: the flow of discovery is tested without a network (the e2e tests add one). */
function fakeHttp(routes: Record<string, { status: number; body?: unknown; location?: string }>): HttpClient & { seen: string[] } {
  const seen: string[] = [];
  return {
    seen,
    addSecret: () => undefined,
    addToken: () => undefined,
    close: async () => undefined,
    async request(req: HttpRequest): Promise<HttpResponse> {
      seen.push(req.url);
      const route = routes[req.url] ?? { status: 404, body: { error: 'not_found' } };
      const text = route.body === undefined ? '' : JSON.stringify(route.body);
      return {
        url: req.url, status: route.status, headers: {}, body: Buffer.from(text), date: undefined, location: route.location, elapsedMs: 1,
        text: () => text,
        json: () => JSON.parse(text) as unknown,
      };
    },
  };
}

const ISSUER = 'https://idp.example.com/tenant';
const OPENID = 'https://idp.example.com/tenant/.well-known/openid-configuration';
const OAUTH = 'https://idp.example.com/.well-known/oauth-authorization-server/tenant';
const document = {
  issuer: ISSUER,
  authorization_endpoint: `${ISSUER}/authorize`,
  token_endpoint: `${ISSUER}/token`,
  jwks_uri: `${ISSUER}/jwks`,
  response_types_supported: ['code'],
  subject_types_supported: ['public'],
  id_token_signing_alg_values_supported: ['RS256'],
};

describe('fetchDiscovery', () => {
  it('reads the OpenID document first and does not try the fallback', async () => {
    const http = fakeHttp({ [OPENID]: { status: 200, body: document } });
    const result = await fetchDiscovery(http, ISSUER);
    expect(http.seen).toEqual([OPENID]);
    expect(result.usedFallback).toBe(false);
    expect(result.checks.find((c) => c.id === 'discovery.issuer_match')?.status).toBe('pass');
  });

  it('tells the judge when certificates were not checked (--insecure): other hosts are then not called vouched for', async () => {
    const foreign = { ...document, token_endpoint: 'https://api.tokens.example/token' };
    const verified = await fetchDiscovery(fakeHttp({ [OPENID]: { status: 200, body: foreign } }), ISSUER);
    expect(verified.checks.find((c) => c.id === 'discovery.endpoint_host_vouched')?.status).toBe('pass');
    const insecure = await fetchDiscovery({ ...fakeHttp({ [OPENID]: { status: 200, body: foreign } }), insecure: true }, ISSUER);
    expect(insecure.checks.find((c) => c.id === 'discovery.endpoint_host_vouched')).toMatchObject({ status: 'skip', message: expect.stringContaining('--insecure') });
  });

  it('falls back to the RFC 8414 URL (well-known before the path) and warns', async () => {
    const http = fakeHttp({ [OAUTH]: { status: 200, body: document } });
    const result = await fetchDiscovery(http, ISSUER);
    expect(http.seen).toEqual([OPENID, OAUTH]);
    expect(result.usedFallback).toBe(true);
    expect(result.url).toBe(OAUTH);
    expect(result.checks.find((c) => c.id === 'discovery.fallback')).toMatchObject({ status: 'warn' });
  });

  it('reports both statuses when neither URL has a document', async () => {
    const result = await fetchDiscovery(fakeHttp({}), ISSUER);
    expect(result.metadata).toBeUndefined();
    const failed = result.checks.find((c) => c.id === 'discovery.document');
    expect(failed?.status).toBe('fail');
    expect(failed?.message).toContain('answered 404 and');
  });

  it('reports a redirect without following it', async () => {
    const http = fakeHttp({ [OPENID]: { status: 301, location: 'https://login.example.com/.well-known/openid-configuration' } });
    const result = await fetchDiscovery(http, ISSUER);
    expect(http.seen).toEqual([OPENID]);
    expect(result.checks.find((c) => c.id === 'discovery.redirect')).toMatchObject({ status: 'fail', message: expect.stringContaining('https://login.example.com/') });
  });
});

describe('discover', () => {
  it('returns the metadata of a usable document', async () => {
    const result = await discover(fakeHttp({ [OPENID]: { status: 200, body: document } }), ISSUER);
    expect(result.metadata.jwks_uri).toBe(`${ISSUER}/jwks`);
  });

  it('throws PROTOCOL naming the reason when there is no usable document', async () => {
    const error = await discover(fakeHttp({ [OPENID]: { status: 302, location: 'https://x/' } }), ISSUER).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    expect(error).toMatchObject({ code: 'PROTOCOL', message: expect.stringContaining('redirect to https://x/') });
  });
});
