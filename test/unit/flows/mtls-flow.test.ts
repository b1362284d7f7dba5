// RFC 8705 in-process: runLogin and runCheck against oidc-provider's mTLS feature (test/support/idp-mtls.ts),
// its aliases on an https port that asks for a client certificate; faults change the certificate it sees.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCheck, type CheckSettings } from '../../../src/core/check/run.js';
import { selection } from '../../../src/core/check/select.js';
import type { ClientCredentials } from '../../../src/core/client-auth.js';
import { runLogin, type LoginSettings } from '../../../src/core/login-flow.js';
import { loadClientCertificate } from '../../../src/core/mtls.js';
import { createHttpClient } from '../../../src/http/client.js';
import type { HttpExchange } from '../../../src/http/types.js';
import { httpBrowser } from '../../support/http-browser-port.js';
import { startIdp, type Idp, type StartIdpOptions } from '../../support/idp.js';
import type { ClientCertificateFiles } from '../../support/mtls-certs.js';
import { checkSettings, loginSettings, recordingUi } from './flow-deps.js';

let idp: Idp;
beforeAll(async () => {
  idp = await startIdp({ mtls: true });
});
afterAll(async () => {
  await idp?.close();
});

/** The HTTP client of a run, trusting the alias server's certificate, with every request it made. */
function mtlsHttp(target: Idp) {
  const ui = recordingUi();
  const exchanges: HttpExchange[] = [];
  const http = createHttpClient({ timeoutMs: 5_000, caFile: target.mtls!.caFile, insecure: false, verbose: 0, showTokens: false, trace: ui.trace, warn: ui.warn, env: {}, onExchange: (exchange) => void exchanges.push(exchange) });
  return { ui, http, exchanges };
}

async function client(client_id: string, files: ClientCertificateFiles): Promise<ClientCredentials> {
  return { client_id, method: 'none', certificate: await loadClientCertificate(files.certFile, files.keyFile) };
}

async function login(target: Idp, credentials: ClientCredentials, overrides: Partial<LoginSettings> = {}) {
  const { ui, http, exchanges } = mtlsHttp(target);
  try {
    const result = await runLogin(loginSettings(target.issuer, credentials, { clientAuthExplicit: false, ...overrides }), { http, ui, browser: httpBrowser(), signal: new AbortController().signal });
    return { result, exchanges };
  } finally {
    await http.close();
  }
}

async function check(target: Idp, credentials: ClientCredentials, overrides: Partial<CheckSettings> = {}) {
  const { ui, http } = mtlsHttp(target);
  try {
    return await runCheck(checkSettings({ issuer: target.issuer, client: credentials, clientAuthExplicit: false, select: selection(['mtls', 'token_response', 'fapi2.sender_constrained', 'fapi2.client_auth'], undefined), ...overrides }), { http, ui, browser: httpBrowser(), signal: new AbortController().signal });
  } finally {
    await http.close();
  }
}

async function withIdp<T>(options: StartIdpOptions, run: (target: Idp) => Promise<T>): Promise<T> {
  const target = await startIdp(options);
  try {
    return await run(target);
  } finally {
    await target.close();
  }
}

const byId = (checks: Array<{ id: string; status: string; message: string }>) => Object.fromEntries(checks.map((c) => [c.id, c]));
const path = (url: string) => new URL(url).pathname;

describe('login with a client certificate (RFC 8705)', () => {
  it('tls_client_auth, chosen from the metadata: the token, introspection and userinfo requests go to the mTLS aliases; the token is bound to the certificate', async () => {
    const { result, exchanges } = await login(idp, await client(idp.mtls!.tlsClient.client_id, idp.mtls!.tlsClient.files));
    expect(result.checks.filter((c) => c.status === 'fail' || c.status === 'warn')).toEqual([]);
    expect(result.client_auth).toBe('tls_client_auth');
    const checks = byId(result.checks);
    expect(checks['mtls.aliases']?.status).toBe('pass');
    expect(result.checks.filter((c) => c.id.startsWith('mtls.')).map((c) => c.id)).toEqual(['mtls.aliases', 'mtls.bound_tokens_advertised', 'mtls.cnf_x5t']);
    expect(checks['mtls.cnf_x5t']).toMatchObject({ status: 'pass', message: `cnf.x5t#S256 (from introspection) ${idp.mtls!.tlsClient.files.thumbprint}: the thumbprint of the certificate presented` });
    expect(checks['userinfo.sub']?.status).toBe('pass');
    const alias = exchanges.filter((e) => e.url.startsWith(idp.mtls!.origin)).map((e) => `${e.method} ${path(e.url)} ${e.status}`);
    expect(alias).toEqual(['POST /token 200', 'POST /token/introspection 200', 'GET /me 200']);
    // Discovery, keys and the browser's legs stay on the issuer's own origin.
    expect(exchanges.filter((e) => !e.url.startsWith(idp.mtls!.origin)).every((e) => e.url.startsWith(idp.origin))).toBe(true);
  });

  it('--par: the push goes to the PAR endpoint\'s alias with the certificate (tls_client_auth there too)', async () => {
    const { result, exchanges } = await login(idp, await client(idp.mtls!.tlsClient.client_id, idp.mtls!.tlsClient.files), { par: true });
    expect(result.checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect(exchanges.filter((e) => e.url.startsWith(idp.mtls!.origin)).map((e) => `${e.method} ${path(e.url)} ${e.status}`)[0]).toBe('POST /request 201');
  });

  it('a login without a certificate does not use the aliases; discovery\'s audit judges the published members all the same', async () => {
    const { result, exchanges } = await login(idp, { client_id: idp.clients.public.client_id, method: 'none' });
    expect(result.checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect(exchanges.some((e) => e.url.startsWith(idp.mtls!.origin))).toBe(false);
    const { auditDiscovery } = await import('../../../src/core/discovery-audit.js');
    const audit = byId(auditDiscovery(idp.issuer, { issuer: idp.issuer, mtls_endpoint_aliases: { token_endpoint: 'http://x/token' } }));
    expect(audit['mtls.aliases']?.status).toBe('fail');
    expect(byId(auditDiscovery(idp.issuer, { issuer: idp.issuer }))['mtls.aliases']).toBeUndefined();
  });

  it('a self-signed certificate: self_signed_tls_client_auth, and the token bound to it', async () => {
    const { result } = await login(idp, await client(idp.mtls!.selfSignedClient.client_id, idp.mtls!.selfSignedClient.files));
    expect(result.client_auth).toBe('self_signed_tls_client_auth');
    expect(byId(result.checks)['mtls.cnf_x5t']?.status).toBe('pass');
    expect(result.tokens?.token_type).toBe('Bearer');
  });

  it('a JWT access token for an API carries cnf.x5t#S256 itself', async () => {
    const { result } = await login(idp, await client(idp.mtls!.tlsClient.client_id, idp.mtls!.tlsClient.files), { request: { response_mode: 'query', extra: [], resource: [idp.resource] }, scope: 'openid api:read' });
    expect(byId(result.checks)['mtls.cnf_x5t']).toMatchObject({ status: 'pass', message: expect.stringMatching(/^cnf\.x5t#S256 [\w-]{43}: the thumbprint/) });
  });

  it('an IdP that binds the token to another certificate: mtls.cnf_x5t fails', async () => {
    await withIdp({ mtls: { certificate: 'other' } }, async (target) => {
      const { result } = await login(target, await client(target.mtls!.tlsClient.client_id, target.mtls!.tlsClient.files));
      expect(byId(result.checks)['mtls.cnf_x5t']).toMatchObject({ status: 'fail', message: `cnf.x5t#S256 (from introspection) "${target.mtls!.certificates.other.thumbprint}" is not the presented certificate's thumbprint ${target.mtls!.tlsClient.files.thumbprint}: the token is bound to another certificate` });
    });
  });

  it('mtls_endpoint_aliases with a plain-http alias: mtls.aliases fails, and that endpoint is not used', async () => {
    await withIdp({ mtls: { aliases: (aliases) => ({ ...aliases, userinfo_endpoint: 'http://127.0.0.1:1/me' }) } }, async (target) => {
      const { result, exchanges } = await login(target, await client(target.mtls!.tlsClient.client_id, target.mtls!.tlsClient.files));
      expect(byId(result.checks)['mtls.aliases']).toMatchObject({ status: 'fail', message: 'mtls_endpoint_aliases: userinfo_endpoint "http://127.0.0.1:1/me" is not an https URL: not used' });
      expect(exchanges.some((e) => e.url.startsWith('http://127.0.0.1:1/'))).toBe(false);
    });
  });
});

describe('check with a client certificate (RFC 8705)', () => {
  it('oidc-provider: the bound token is refused at userinfo without the certificate; FAPI 2.0 counts the Bearer token as sender-constrained', async () => {
    const outcome = await check(idp, await client(idp.mtls!.tlsClient.client_id, idp.mtls!.tlsClient.files), { policies: ['fapi2-security'] });
    const checks = byId(outcome.checks);
    for (const id of ['mtls.aliases', 'mtls.bound_tokens_advertised', 'mtls.cnf_x5t', 'mtls.bearer_refused']) expect([id, checks[id]?.status]).toEqual([id, 'pass']);
    expect(outcome.checks.filter((c) => c.id.startsWith('mtls.')).map((c) => c.id)).toEqual(['mtls.aliases', 'mtls.bound_tokens_advertised', 'mtls.cnf_x5t', 'mtls.bearer_refused']);
    expect(checks['mtls.bearer_refused']?.message).toBe(`the bound token without the certificate at ${idp.issuer}/me: refused, HTTP 401`);
    expect(checks['fapi2.sender_constrained']).toMatchObject({ status: 'pass', message: expect.stringContaining('refused without it (mtls.bearer_refused)') });
    // This IdP also lists client_secret_basic (not FAPI), but the run's own tls_client_auth is not held against it.
    expect(checks['fapi2.client_auth']?.message).not.toMatch(/this run authenticated/);
  });

  it('an IdP that takes the bound token without the certificate: mtls.bearer_refused fails, and so does fapi2.sender_constrained', async () => {
    await withIdp({ mtls: { certificate: 'always' } }, async (target) => {
      const outcome = await check(target, await client(target.mtls!.tlsClient.client_id, target.mtls!.tlsClient.files), { policies: ['fapi2-security'] });
      const checks = byId(outcome.checks);
      expect(checks['mtls.cnf_x5t']?.status).toBe('pass');
      expect(checks['mtls.bearer_refused']).toMatchObject({ status: 'fail', message: expect.stringMatching(/^the bound token without the certificate at http:\/\/127\.0\.0\.1:\d+\/me: accepted, HTTP 200/) });
      expect(checks['fapi2.sender_constrained']).toMatchObject({ status: 'fail', message: expect.stringMatching(/^mtls\.bearer_refused: /) });
    });
  });
});
