// The story of issue 14 through the binary: an MCP server (the official SDK) refuses the token of a plain
// login, `call` says why and prints the login that fixes it, and after that login the same call succeeds.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasStackTrace, runCli } from '../support/cli.js';
import { BROWSER_SCRIPT } from '../support/idp-flow.js';
import { startIdp, type Idp } from '../support/idp.js';
import { startMcpServer, type McpResource } from '../support/mcp-server.js';
import { expiredAccessToken } from '../support/tokens.js';

type Doc = { ok: boolean; checks: Array<{ id: string; status: string; message: string }>; next?: string | null; response?: { status: number; body: string } };

let mcp: McpResource;
let idp: Idp;
let dir: string;
beforeAll(async () => {
  mcp = await startMcpServer();
  idp = await startIdp({ resource: mcp.resource, registration: true, otherResource: 'https://other-api.example.com/' });
  await mcp.trust(idp.issuer);
  dir = await mkdtemp(join(tmpdir(), 'oidc-resource-'));
  await writeFile(join(dir, 'basic.secret'), idp.clients.basic.client_secret, { mode: 0o600 });
});
afterAll(async () => {
  await mcp?.close();
  await idp?.close();
  await rm(dir, { recursive: true, force: true });
});

const env = () => ({ XDG_CACHE_HOME: join(dir, 'cache'), XDG_CONFIG_HOME: join(dir, 'config'), BROWSER: undefined, OIDC_CLIENT_SECRET: undefined, OIDC_ISSUER: undefined, OIDC_CLIENT_ID: undefined });
const cli = (args: string[]) => runCli(args, { env: env(), timeoutMs: 60_000 });
const login = (extra: string[]) => cli(['login', '--issuer', idp.issuer, '--client-id', idp.clients.basic.client_id, '--client-secret-file', join(dir, 'basic.secret'), '--browser-command', `node ${BROWSER_SCRIPT}`, '--timeout', '30', ...extra]);
const WHOAMI = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'whoami', arguments: {} } });
const byId = (doc: Doc) => Object.fromEntries(doc.checks.map((c) => [c.id, c]));

describe('an API (MCP server) rejects my token', () => {
  it('discover --resource: the challenge, the RFC 9728 metadata and the authorization server it names, all sound (exit 0)', async () => {
    const result = await cli(['discover', '--resource', mcp.resource, '--json']);
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout) as Doc & { resource: { metadata_url: string; metadata: { authorization_servers: string[] } }; issuer: string };
    expect(doc.resource.metadata_url).toBe(mcp.metadataUrl);
    expect(doc.issuer).toBe(idp.issuer);
    expect(doc.checks.filter((c) => c.id.startsWith('resource.')).map((c) => [c.id, c.status])).toEqual([
      ['resource.challenge', 'pass'],
      ['resource.challenge_metadata', 'pass'],
      ['resource.metadata', 'pass'],
      ['resource.resource_match', 'pass'],
      ['resource.authorization_servers', 'pass'],
      ['resource.bearer_methods', 'pass'],
      ['resource.scopes_supported', 'pass'],
      ['resource.authorization_server_pkce', 'pass'],
      ['resource.client_registration', 'pass'],
    ]);
    expect(doc.checks.filter((c) => c.status === 'fail' || c.status === 'warn')).toEqual([]);
  }, 60_000);

  it('a plain login\'s token is refused: call explains it and prints the login that fixes it; after that login the call succeeds', async () => {
    expect((await login([])).code).toBe(0);
    const refused = await cli(['call', mcp.resource, '-d', WHOAMI]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/✖ call\.status +refused: HTTP 401/);
    expect(refused.stdout).toMatch(/✖ diagnosis\.token_refused +likely cause: an opaque token that this resource \(http:\/\/127\.0\.0\.1:\d+\/mcp\) does not take: most likely it was not issued for it/);
    const next = `oidc-cli login --issuer ${idp.issuer} --client-id ${idp.clients.basic.client_id} --resource ${mcp.resource} --scope ${mcp.scope} && oidc-cli call ${mcp.resource}`;
    expect(refused.stdout).toContain(`Get a token for this resource, then call it again:\n    ${next}`);
    expect(hasStackTrace(refused.stderr)).toBe(false);

    // The suggested login (client secret as before), then the same call.
    expect((await login(['--resource', mcp.resource, '--scope', mcp.scope])).code).toBe(0);
    const accepted = await cli(['call', mcp.resource, '-d', WHOAMI, '--json']);
    expect(accepted.code).toBe(0);
    const doc = JSON.parse(accepted.stdout) as Doc;
    expect(byId(doc)['call.status']).toMatchObject({ status: 'pass' });
    expect(doc.response?.status).toBe(200);
    expect(doc.response?.body).toContain('demo-user-0001');
    expect(doc.next).toBeNull();
  }, 120_000);

  it('login --resource-from-prm: issuer, resource and scope all from the MCP server\'s metadata; the token it gets is taken', async () => {
    const login = await cli(['login', '--resource-from-prm', mcp.resource, '--client-id', idp.clients.public.client_id, '--browser-command', `node ${BROWSER_SCRIPT}`, '--timeout', '30', '--json']);
    expect(login.code).toBe(0);
    const doc = JSON.parse(login.stdout) as Doc & { issuer: string; scope: string; resource: { url: string; indicator: string } };
    expect([doc.issuer, doc.scope, doc.resource]).toEqual([idp.issuer, `openid ${mcp.scope}`, { url: mcp.resource, indicator: mcp.resource }]);
    expect(doc.checks[0]!.id).toBe('resource.challenge');
    expect(byId(doc)['resource.authorization_server_pkce']).toMatchObject({ status: 'pass' });
    expect(byId(doc)['access_token.aud']).toMatchObject({ status: 'pass', message: `aud contains "${mcp.resource}"` });
    const call = await cli(['call', mcp.resource, '--client-id', idp.clients.public.client_id, '-d', WHOAMI]);
    expect(call.code).toBe(0);
  }, 120_000);

  it('check --resource --dpop without --issuer: the metadata names the IdP; the resource checks lead the report, all pass, the bound token refused as Bearer (exit 0)', async () => {
    const expired = await expiredAccessToken(idp, mcp.resource, mcp.scope);
    await writeFile(join(dir, 'expired.jwt'), `${expired}\n`, { mode: 0o600 });
    const result = await cli(['check', '--resource', mcp.resource, '--expired-token', join(dir, 'expired.jwt'), '--other-resource', 'https://other-api.example.com/', '--client-id', idp.clients.basic.client_id, '--client-secret-file', join(dir, 'basic.secret'), '--browser-command', `node ${BROWSER_SCRIPT}`, '--only', 'resource,access_token.aud', '--dpop', '--json', '-vv']);
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout) as Doc & { issuer: string; resource: string };
    expect([doc.issuer, doc.resource]).toEqual([idp.issuer, mcp.resource]);
    expect(doc.checks.map((c) => [c.id, c.status])).toEqual([
      ...['challenge', 'challenge_metadata', 'metadata', 'resource_match', 'authorization_servers', 'bearer_methods', 'scopes_supported', 'authorization_server_pkce', 'client_registration', 'token_accepted', 'reject_id_token', 'reject_query_token', 'reject_tampered', 'dpop_bearer_refused', 'reject_expired', 'reject_other_audience'].map((name) => [`resource.${name}`, 'pass']),
      ['access_token.aud', 'pass'],
    ]);
    expect(result.stdout + result.stderr).not.toContain(idp.clients.basic.client_secret);
    // The expired token is a token like any other: never printed whole, even in the -vv trace.
    expect(result.stdout + result.stderr).not.toContain(expired);
    const alone = await cli(['check', '--issuer', idp.issuer, '--client-id', idp.clients.basic.client_id, '--expired-token', join(dir, 'expired.jwt')]);
    expect([alone.code, alone.stderr.trim()]).toEqual([2, 'oidc-cli: --expired-token goes with --resource: it is sent to that API to see that it refuses it']);
  }, 120_000);

  it('the token is never printed in full, not even when the API echoes it back', async () => {
    const token = 'opaque-access-token-that-must-not-leak-0123456789';
    const refused = await cli(['call', mcp.resource, '--token', token, '-vv', '--json']);
    expect(refused.code).toBe(1);
    expect(refused.stdout + refused.stderr).not.toContain(token);
    // An API that answers with the request's Authorization header, in JSON and as plain text.
    const echo = createServer((req, res) => {
      res.setHeader('content-type', req.url === '/json' ? 'application/json' : 'text/plain');
      res.end(req.url === '/json' ? JSON.stringify({ you_sent: req.headers.authorization, access_token: token }) : `you sent ${req.headers.authorization}`);
    });
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    try {
      const origin = `http://127.0.0.1:${(echo.address() as AddressInfo).port}`;
      for (const path of ['/json', '/text']) {
        for (const json of [[], ['--json']]) {
          const result = await cli(['call', `${origin}${path}`, '--token', token, '-vv', ...json]);
          expect(result.code).toBe(0);
          expect(result.stdout + result.stderr).not.toContain(token);
          // Shown redacted, the way every report names a token; what the API echoed is masked.
          expect(result.stdout).toContain('opaque…[redacted');
          expect(result.stdout).toContain('Bearer [redacted]');
        }
      }
    } finally {
      echo.close();
    }
  }, 60_000);

  it('mistakes: -H Authorization, a URL that is not one, no token at all (exit 2); a closed port (exit 3); one line each', async () => {
    const cases: Array<[string[], number, RegExp]> = [
      [['call', mcp.resource, '--token', 'x', '-H', 'Authorization: Bearer y'], 2, /^oidc-cli: -H Authorization: call sends the token itself\n {2}hint: pass the token with --token/],
      [['call', 'not a url', '--token', 'x'], 2, /^oidc-cli: call: "not a url" is not a URL/],
      [['call', mcp.resource, '--token', 'x', '-X', 'BREW'], 2, /^oidc-cli: -X BREW: not a method call sends/],
      [['call', 'http://127.0.0.1:9/api', '--token', 'x'], 3, /^oidc-cli: .*127\.0\.0\.1:9.*\n( {2}hint: .*\n)?$/m],
    ];
    for (const [args, code, stderr] of cases) {
      const result = await runCli(args, { env: { ...env(), XDG_CACHE_HOME: join(dir, 'empty-cache') } });
      expect([args.join(' '), result.code]).toEqual([args.join(' '), code]);
      expect(result.stderr).toMatch(stderr);
      expect(hasStackTrace(result.stderr)).toBe(false);
    }
    const none = await runCli(['call', mcp.resource], { env: { ...env(), XDG_CACHE_HOME: join(dir, 'empty-cache') } });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^oidc-cli: no access token: none given and no cached login\n {2}hint: pass --token TOKEN \(or - for stdin\), or log in for this API first/);
  }, 60_000);
});
