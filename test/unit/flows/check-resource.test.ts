// check --resource in-process: the real MCP server (official SDK) and the real oidc-provider minting
// tokens for it. The sound pair passes every resource.* check; each fault of the server is caught by its
// own id; without a user flow, client credentials get the token and the ID-token probe says why it is skipped.
import { describe, expect, it } from 'vitest';
import { runCheck, type CheckSettings } from '../../../src/core/check/run.js';
import { resourcePkce, type ResourcePhase } from '../../../src/core/resource/resource-phase.js';
import { selection } from '../../../src/core/check/select.js';
import { isOk } from '../../../src/report/model.js';
import { httpBrowser } from '../../support/http-browser-port.js';
import { startIdp } from '../../support/idp.js';
import { startMcpServer, type ResourceFault } from '../../support/mcp-server.js';
import { checkSettings, recordingUi, testHttp } from './flow-deps.js';
import { expiredAccessToken } from '../../support/tokens.js';

/** Another API of the same IdP: a token asked for it must be refused by the MCP server. */
const OTHER_API = 'https://other-api.example.com/';

async function withPair<T>(faults: ResourceFault[], fn: (pair: { resource: string; issuer: string; clients: Awaited<ReturnType<typeof startIdp>>['clients']; expired: string }) => Promise<T>): Promise<T> {
  const mcp = await startMcpServer({ faults });
  // Open dynamic registration, as the authorization servers MCP clients meet offer (resource.client_registration).
  const idp = await startIdp({ resource: mcp.resource, registration: true, otherResource: OTHER_API });
  try {
    await mcp.trust(idp.issuer);
    return await fn({ resource: mcp.resource, issuer: idp.issuer, clients: idp.clients, expired: await expiredAccessToken(idp, mcp.resource, mcp.scope) });
  } finally {
    await mcp.close();
    await idp.close();
  }
}

async function check(settings: Partial<CheckSettings> & Pick<CheckSettings, 'issuer' | 'client'>, browser = true) {
  const ui = recordingUi();
  const http = testHttp(ui);
  try {
    return await runCheck(checkSettings(settings), { http, ui, browser: browser ? httpBrowser() : undefined, signal: new AbortController().signal });
  } finally {
    await http.close();
  }
}

const resourceChecks = (checks: Array<{ id: string; status: string }>) => checks.filter((c) => c.id.startsWith('resource.')).map((c) => [c.id, c.status]);
const RESOURCE_IDS = ['resource.challenge', 'resource.challenge_metadata', 'resource.metadata', 'resource.resource_match', 'resource.authorization_servers', 'resource.bearer_methods', 'resource.scopes_supported', 'resource.authorization_server_pkce', 'resource.client_registration', 'resource.token_accepted', 'resource.reject_id_token', 'resource.reject_query_token', 'resource.reject_tampered', 'resource.reject_expired'];

describe('check --resource in-process', () => {
  it('the sound MCP server and IdP: every resource check passes, the token asked for it carries its aud, nothing fails or warns (exit 0)', async () => {
    await withPair([], async ({ resource, issuer, clients, expired }) => {
      const outcome = await check({ issuer, client: { client_id: clients.basic.client_id, client_secret: clients.basic.client_secret, method: 'client_secret_basic' }, resource: { url: resource, scopeFromResource: true, expiredToken: expired, otherResource: OTHER_API }, register: true });
      // --register: the way in for a new MCP client, tried for real (the registration is judged, not used).
      expect(outcome.checks.filter((c) => c.id.startsWith('registration.')).map((c) => [c.id, c.status])).toEqual([
        ['registration.status', 'pass'],
        ['registration.client_id', 'pass'],
        ['registration.echo', 'pass'],
        ['registration.secret_expiry', 'skip'],
        ['registration.management', 'pass'],
      ]);
      // Without --dpop the token is a Bearer token: the DPoP probe says so.
      expect(resourceChecks(outcome.checks)).toEqual([...RESOURCE_IDS.slice(0, -1).map((id) => [id, 'pass']), ['resource.dpop_bearer_refused', 'skip'], ['resource.reject_expired', 'pass'], ['resource.reject_other_audience', 'pass']]);
      expect(outcome.checks.find((c) => c.id === 'resource.reject_other_audience')?.message).toBe(`GET with a token issued for ${OTHER_API}: refused, HTTP 401`);
      expect(outcome.checks.filter((c) => c.status === 'fail' || c.status === 'warn')).toEqual([]);
      expect(outcome.checks.find((c) => c.id === 'access_token.aud')).toMatchObject({ status: 'pass', message: `aud contains "${resource}"` });
      // The resource group leads the report.
      expect(outcome.checks[0]!.id).toBe('resource.challenge');
      expect(isOk(outcome, true)).toBe(true);
    });
  });

  // accepts_any_audience takes any token of its IdP: the other resource's too, which that probe catches as well.
  const faults: Array<{ fault: ResourceFault; id: string; message: RegExp; also?: string[] }> = [
    { fault: 'accepts_any_audience', id: 'resource.reject_id_token', also: ['resource.reject_other_audience'], message: /^the ID token as a Bearer token: accepted, HTTP 200 — the resource does not check that a token was issued for it$/ },
    { fault: 'accepts_query_token', id: 'resource.reject_query_token', message: /^the access token as \?access_token= \(no Authorization header\): accepted, HTTP 200$/ },
    { fault: 'skips_signature', id: 'resource.reject_tampered', message: /^the access token with one character changed in its signature: accepted, HTTP 200 — the resource does not verify it$/ },
    { fault: 'skips_audience', id: 'resource.reject_other_audience', message: /^POST with a token issued for https:\/\/other-api\.example\.com\/: accepted, HTTP 200 — the resource does not check that a token was issued for it$/ },
    { fault: 'accepts_expired', id: 'resource.reject_expired', message: /^the expired access token \(--expired-token\): accepted, HTTP 200 — the resource does not check exp$/ },
  ];
  for (const { fault, id, message, also = [] } of faults) {
    it(`${fault}: ${id} fails, and no other check (exit 1)`, async () => {
      await withPair([fault], async ({ resource, issuer, clients, expired }) => {
        const outcome = await check({ issuer, client: { client_id: clients.basic.client_id, client_secret: clients.basic.client_secret, method: 'client_secret_basic' }, resource: { url: resource, scopeFromResource: true, expiredToken: expired, otherResource: OTHER_API }, select: selection(['resource'], undefined) });
        const unbound = (c: { id: string; status: string }) => c.id === 'resource.dpop_bearer_refused' && c.status === 'skip';
        expect(outcome.checks.filter((c) => c.status !== 'pass' && !unbound(c)).map((c) => c.id)).toEqual([id, ...also]);
        expect(outcome.checks.find((c) => c.id === id)!.message).toMatch(message);
        expect(isOk(outcome, false)).toBe(false);
      });
    });
  }

  it('--dpop: every call to the resource carries a proof of the bound key; the bound token as Bearer must be refused', async () => {
    await withPair([], async ({ resource, issuer, clients, expired }) => {
      const outcome = await check({ issuer, client: { client_id: clients.basic.client_id, client_secret: clients.basic.client_secret, method: 'client_secret_basic' }, resource: { url: resource, scopeFromResource: true, expiredToken: expired, otherResource: OTHER_API }, dpop: true, select: selection(['resource', 'dpop.token_type'], undefined) });
      expect(outcome.checks.find((c) => c.id === 'dpop.token_type')?.status).toBe('pass');
      expect(resourceChecks(outcome.checks).filter(([, status]) => status !== 'pass')).toEqual([]);
      expect(outcome.checks.find((c) => c.id === 'resource.dpop_bearer_refused')?.message).toBe('the DPoP-bound token as Bearer: refused, HTTP 401');
    });
    await withPair(['accepts_bound_as_bearer'], async ({ resource, issuer, clients, expired }) => {
      const outcome = await check({ issuer, client: { client_id: clients.basic.client_id, client_secret: clients.basic.client_secret, method: 'client_secret_basic' }, resource: { url: resource, scopeFromResource: true, expiredToken: expired, otherResource: OTHER_API }, dpop: true, select: selection(['resource'], undefined) });
      expect(outcome.checks.filter((c) => c.status !== 'pass').map((c) => [c.id, c.message])).toEqual([['resource.dpop_bearer_refused', 'the DPoP-bound token as Bearer, without a proof: accepted, HTTP 200 — anyone holding the token can use it']]);
    });
  });

  it('no user flow: client credentials get the token for the resource (its scope asked for); the ID-token probe is skipped with the reason', async () => {
    await withPair([], async ({ resource, issuer, clients }) => {
      const outcome = await check({ issuer, client: { client_id: clients.machine.client_id, client_secret: clients.machine.client_secret, method: 'client_secret_basic' }, resource: { url: resource, scopeFromResource: true }, select: selection(['resource', 'client_credentials'], undefined) }, false);
      expect(outcome.mode).toBe('client_credentials');
      const byId = Object.fromEntries(outcome.checks.map((c) => [c.id, c]));
      expect(byId['resource.token_accepted']).toMatchObject({ status: 'pass' });
      expect(byId['resource.reject_id_token']).toMatchObject({ status: 'skip', message: 'no ID token (the scope had no openid, or no user flow)' });
      expect(byId['resource.reject_query_token']).toMatchObject({ status: 'pass' });
      expect(byId['resource.reject_tampered']).toMatchObject({ status: 'pass' });
      // No --expired-token: the probe says how to give one, never a pass.
      expect(byId['resource.reject_expired']).toMatchObject({ status: 'skip', message: expect.stringMatching(/^no expired token to send: pass --expired-token FILE/) });
    });
  });

  it('an authorization server without PKCE S256 ends the user flow there, as an MCP client must', () => {
    const phase: ResourcePhase = { url: 'https://mcp.example.com/mcp', indicator: 'https://mcp.example.com/mcp', checks: [], scope: () => undefined };
    expect(resourcePkce(phase, 'https://as.example.com', { code_challenge_methods_supported: ['S256'] })).toBeUndefined();
    expect(resourcePkce(phase, 'https://as.example.com', {})).toBe('https://as.example.com does not advertise PKCE S256: an MCP client must not go on (resource.authorization_server_pkce)');
    // Without a way for an unregistered client in, a warning: it does not stop the flow.
    expect(phase.checks.map((c) => [c.id, c.status])).toEqual([
      ['resource.authorization_server_pkce', 'pass'],
      ['resource.client_registration', 'warn'],
      ['resource.authorization_server_pkce', 'fail'],
      ['resource.client_registration', 'warn'],
    ]);
  });
});
