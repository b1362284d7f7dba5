// A protected resource in-process: the real MCP server of test/support/mcp-server.ts (the official SDK's
// bearer auth and RFC 9728 router) trusting the real oidc-provider, judged by core/resource. Each fault of
// the server is caught by its own id; the sound server passes every check.
import { importJWK, SignJWT, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callResource } from '../../../src/core/resource/call.js';
import { auditResource } from '../../../src/core/resource/protected-resource.js';
import { startIdp, type Idp } from '../../support/idp.js';
import { startMcpServer, type McpResource, type ResourceFault } from '../../support/mcp-server.js';
import { recordingUi, testHttp } from './flow-deps.js';

let mcp: McpResource;
let idp: Idp;
beforeAll(async () => {
  mcp = await startMcpServer();
  idp = await startIdp({ resource: mcp.resource });
  await mcp.trust(idp.issuer);
});
afterAll(async () => {
  await mcp?.close();
  await idp?.close();
});

const statuses = (checks: Array<{ id: string; status: string }>) => Object.fromEntries(checks.map((c) => [c.id, c.status]));

async function withHttp<T>(fn: (http: ReturnType<typeof testHttp>, ui: ReturnType<typeof recordingUi>) => Promise<T>): Promise<T> {
  const ui = recordingUi();
  const http = testHttp(ui);
  try {
    return await fn(http, ui);
  } finally {
    await http.close();
  }
}

/** A client-credentials token of the machine client for the MCP server (the IdP's default resource). */
async function machineToken(): Promise<string> {
  const { client_id, client_secret } = idp.clients.machine;
  const response = await fetch(idp.url('/token'), {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${client_id}:${client_secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', resource: mcp.resource, scope: mcp.scope }),
  });
  return ((await response.json()) as { access_token: string }).access_token;
}

/** A token signed with the IdP's own key (so only its claims can be wrong), typ at+jwt unless told. */
async function signed(claims: JWTPayload, typ = 'at+jwt'): Promise<string> {
  const { rs256 } = idp.signingKeys;
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ iss: idp.issuer, aud: mcp.resource, sub: 'demo-user-0001', client_id: 'oidc-cli-basic', scope: mcp.scope, iat: now, exp: now + 600, jti: `j-${now}`, ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: rs256.kid, typ })
    .sign(await importJWK(rs256.privateJwk, 'RS256'));
}

const call = (token: string) => withHttp((http, ui) => callResource(http, { url: mcp.resource, method: 'POST', headers: { accept: 'application/json, text/event-stream', 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'whoami', arguments: {} } }), token, client_id: 'oidc-cli-basic' }, { ui }));

describe('discover --resource in-process: the MCP SDK server and oidc-provider', () => {
  it('the sound server: a 401 challenge with resource_metadata, metadata about itself naming the IdP — every resource check passes', async () => {
    const audit = await withHttp((http, ui) => auditResource(http, mcp.resource, { ui }));
    expect(audit.checks.filter((c) => c.status !== 'pass')).toEqual([]);
    expect(audit.authorizationServers).toEqual([idp.issuer]);
    expect(audit.attempts).toEqual([{ url: mcp.metadataUrl, source: 'challenge', outcome: 200 }]);
    expect(audit.challenge?.params.scope).toBe(mcp.scope);
  });

  const faults: Array<{ fault: ResourceFault; id: string; status: 'fail' | 'warn'; message: RegExp; source: string }> = [
    { fault: 'no_challenge', id: 'resource.challenge', status: 'fail', message: /HTTP 401, but no WWW-Authenticate header$/, source: 'well-known' },
    { fault: 'challenge_without_metadata', id: 'resource.challenge_metadata', status: 'warn', message: /no resource_metadata/, source: 'well-known' },
    { fault: 'metadata_resource_mismatch', id: 'resource.resource_match', status: 'fail', message: /^the metadata is about "http:\/\/127\.0\.0\.1:\d+\/another-api"/, source: 'challenge' },
    { fault: 'http_authorization_server', id: 'resource.authorization_servers', status: 'fail', message: /^http:\/\/idp\.example\.test is http, not https$/, source: 'challenge' },
    { fault: 'query_bearer_method', id: 'resource.bearer_methods', status: 'warn', message: /offers the query string/, source: 'challenge' },
  ];
  for (const { fault, id, status, message, source } of faults) {
    it(`${fault}: ${id} ${status}s, every other resource check as on the sound server`, async () => {
      const faulty = await startMcpServer({ faults: [fault] });
      try {
        await faulty.trust(idp.issuer);
        const audit = await withHttp((http, ui) => auditResource(http, faulty.resource, { ui }));
        const found = statuses(audit.checks);
        expect(found[id]).toBe(status);
        expect(audit.checks.find((c) => c.id === id)!.message).toMatch(message);
        // The metadata was still found, where the fault leaves it.
        expect(audit.attempts.at(-1)).toMatchObject({ source, outcome: 200 });
        const others = audit.checks.filter((c) => c.id !== id && c.status !== 'pass' && !(fault === 'no_challenge' && c.id === 'resource.challenge_metadata'));
        expect(others).toEqual([]);
      } finally {
        await faulty.close();
      }
    });
  }
});

describe('call in-process: what the MCP server says to each token, and why', () => {
  it('a token the IdP issued for this resource: 200, and nothing to diagnose', async () => {
    const result = await call(await machineToken());
    expect(statuses(result.checks)).toEqual({ 'call.status': 'pass', 'call.challenge': 'skip', 'resource.metadata': 'skip', 'diagnosis.token_refused': 'skip' });
    expect(JSON.parse(result.response.text()).result.content[0].text).toContain('"client_id":"oidc-cli-machine"');
    expect(result.next).toBeUndefined();
  });

  it('a token for another resource (the confused deputy): 401, the aud named as the cause, and the login that fixes it', async () => {
    const result = await call(await signed({ aud: 'https://api.example.com/' }));
    expect(statuses(result.checks)).toEqual({ 'call.status': 'fail', 'call.challenge': 'pass', 'resource.metadata': 'pass', 'diagnosis.token_refused': 'fail' });
    expect(result.checks.find((c) => c.id === 'diagnosis.token_refused')!.message).toBe(
      `likely cause: the token's aud is ["https://api.example.com/"]: it was minted for that resource (RFC 8707 resource, RFC 9068 §4), not for ${mcp.resource}; the resource says: "Token was not issued for this resource"`,
    );
    expect(result.next).toBe(`oidc-cli login --issuer ${idp.issuer} --client-id oidc-cli-basic --resource ${mcp.resource} --scope ${mcp.scope} && oidc-cli call ${mcp.resource}`);
  });

  it('an expired token, and one without the scope the server needs (403 insufficient_scope)', async () => {
    const expired = await call(await signed({ exp: Math.floor(Date.now() / 1000) - 120 }));
    expect(expired.checks.find((c) => c.id === 'diagnosis.token_refused')!.message).toMatch(/^likely cause: the token expired 1[12]\d s ago \(exp\)/);
    const narrow = await call(await signed({ scope: 'profile' }));
    expect(narrow.response.status).toBe(403);
    expect(narrow.checks.find((c) => c.id === 'diagnosis.token_refused')!.message).toMatch(/^likely cause: the resource wants more scope \(api:read\) than the token carries/);
  });

  it('an ID token sent as the access token', async () => {
    const result = await call(await signed({ aud: 'oidc-cli-basic', nonce: 'n-1' }, 'JWT'));
    expect(result.checks.find((c) => c.id === 'diagnosis.token_refused')!.message).toMatch(/^likely cause: this looks like an ID token, not an access token/);
  });
});
