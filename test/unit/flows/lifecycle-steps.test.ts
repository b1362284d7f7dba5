// The lifecycle step modules of src/core (refresh, introspection, revocation, client credentials) in-process
// against the real oidc-provider, on an issuer session (core/session.ts) as `refresh`, `introspect`,
// `revoke`, `token` and `check` all open one. Tokens come from a real login through the HTTP browser.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientCredentialsTokens } from '../../../src/core/client-credentials.js';
import { introspectToken } from '../../../src/core/introspection.js';
import { runLogin } from '../../../src/core/login-flow.js';
import { refreshTokens, refreshVerdicts } from '../../../src/core/refresh.js';
import { revokeToken } from '../../../src/core/revocation.js';
import { openIssuerSession, type IssuerSession } from '../../../src/core/session.js';
import type { TokenSet } from '../../../src/core/token-endpoint.js';
import { httpBrowser } from '../../support/http-browser-port.js';
import { startIdp, type Idp } from '../../support/idp.js';
import { loginSettings, recordingUi, testHttp } from './flow-deps.js';

let idp: Idp;
const closers: Array<() => Promise<void>> = [];
beforeAll(async () => {
  idp = await startIdp();
});
afterAll(async () => {
  for (const close of closers) await close();
  await idp?.close();
});

const byId = (checks: Array<{ id: string; status: string; message: string }>) => Object.fromEntries(checks.map((c) => [c.id, c]));

/** A session for the basic (confidential) client, method implied: chosen from the IdP's metadata. */
async function session(client: { client_id: string; client_secret?: string } = idp.clients.basic): Promise<IssuerSession> {
  const ui = recordingUi();
  const http = testHttp(ui);
  closers.push(() => http.close());
  return openIssuerSession({ issuer: idp.issuer, client, clockSkew: 60, insecure: false, showTokens: false }, { http, ui });
}

async function signedIn(s: IssuerSession): Promise<TokenSet> {
  const result = await runLogin(
    loginSettings(idp.issuer, s.client),
    { http: s.http, ui: s.ui, browser: httpBrowser(), signal: new AbortController().signal },
  );
  expect(result.tokens).toBeDefined();
  return result.tokens!;
}

describe('lifecycle steps in-process', () => {
  it('the session chooses client_secret_basic from the credentials and token_endpoint_auth_methods_supported', async () => {
    const s = await session();
    expect(s.client.method).toBe('client_secret_basic');
    expect(s.endpoint('token_endpoint')).toBe(idp.url('/token'));
    expect(() => s.endpoint('no_such_endpoint')).toThrow(/advertises no no_such_endpoint/);
  });

  it('refresh: the grant, rotation, the refreshed ID token verified and compared (OIDC Core §12.2); the summary for check', async () => {
    const s = await session();
    const tokens = await signedIn(s);
    const result = await refreshTokens(s, { refresh_token: tokens.refresh_token!, original_id_token: tokens.id_token, expectRotation: true });
    const checks = byId(result.checks);
    expect(result.checks.filter((c) => c.status === 'fail')).toEqual([]);
    for (const id of ['refresh.grant', 'refresh.rotation', 'token_response.no_store', 'id_token.signature', 'id_token.aud', 'refresh.id_token.subject', 'refresh.id_token.iat']) expect([id, checks[id]?.status]).toEqual([id, 'pass']);
    expect(result.rotation).toBe('rotated');
    expect(result.refreshedClaims?.sub).toBe(result.originalClaims?.sub);
    const summary = byId(refreshVerdicts(result));
    expect(summary['refresh.token_response']?.status).toBe('pass');
    expect(summary['refresh.id_token_valid']).toMatchObject({ status: 'pass', message: expect.stringMatching(/^the refreshed ID token passes all \d+ checks/) });
    expect(summary['refresh.access_token_valid']?.status).toBe('skip');
    // The summary holds no token_response.* / id_token.* ids: in check they would repeat the login's.
    expect(refreshVerdicts(result).every((c) => c.id.startsWith('refresh.'))).toBe(true);
  });

  it('refresh with a spent refresh token: refresh.grant fails with invalid_grant; what was asked is skipped with the reason', async () => {
    const s = await session();
    const tokens = await signedIn(s);
    await refreshTokens(s, { refresh_token: tokens.refresh_token! });
    let kept = 0;
    const again = await refreshTokens(s, { refresh_token: tokens.refresh_token! }, async () => void kept++);
    expect(byId(again.checks)['refresh.grant']).toMatchObject({ status: 'fail', message: expect.stringContaining('invalid_grant') });
    expect(byId(refreshVerdicts(again))['refresh.id_token_valid']).toMatchObject({ status: 'skip', message: 'the refresh failed' });
    expect(kept).toBe(0);
  });

  it('introspection: active, the claims agree with the token, and the RFC 7662 probes', async () => {
    const s = await session();
    const tokens = await signedIn(s);
    const result = await introspectToken(s, { token: tokens.access_token, hint: 'access_token', probes: true });
    expect(result.active).toBe(true);
    const checks = byId(result.checks);
    for (const id of ['introspection.status', 'introspection.active', 'introspection.requires_auth', 'introspection.unknown_token', 'introspection.token_type_hint']) expect([id, checks[id]?.status]).toEqual([id, 'pass']);
    const off = byId((await introspectToken(s, { token: tokens.access_token, hint: 'access_token', probes: false })).checks);
    expect(off['introspection.unknown_token']).toMatchObject({ status: 'skip', message: 'probes off (--no-probes)' });
  });

  it('revocation of the refresh token: 200, then inactive at introspection and refused by the token endpoint', async () => {
    const s = await session();
    const tokens = await signedIn(s);
    const result = await revokeToken(s, { token: tokens.refresh_token!, hint: 'refresh_token', probes: true });
    expect(result.revoked).toBe(true);
    const checks = byId(result.checks);
    for (const id of ['revocation.unknown_token', 'revocation.status', 'revocation.inactive', 'revocation.refresh_rejected']) expect([id, checks[id]?.status]).toEqual([id, 'pass']);
    const refreshed = await refreshTokens(s, { refresh_token: tokens.refresh_token! });
    expect(byId(refreshed.checks)['refresh.grant']?.status).toBe('fail');
  });

  it('client credentials: the token response, no refresh token, and the JWT access token for the API judged by RFC 9068', async () => {
    const s = await session(idp.clients.machine);
    const result = await clientCredentialsTokens(s, { scope: 'api:read' });
    const checks = byId(result.checks);
    expect(result.checks.filter((c) => c.status === 'fail')).toEqual([]);
    for (const id of ['token_response.status', 'client_credentials.refresh_token', 'access_token.signature', 'access_token.iss']) expect([id, checks[id]?.status]).toEqual([id, 'pass']);
    expect(result.accessToken?.payload?.aud).toBe(idp.resource);
  });
});
