// runCheck in-process against the real oidc-provider: the login, the lifecycle and every active probe,
// each browser run through the HTTP browser of test/support/http-browser-port.ts. No binary, no child process.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckId } from '../../../src/checks/catalogue.js';
import { runCheck, type CheckSettings } from '../../../src/core/check/run.js';
import { selection } from '../../../src/core/check/select.js';
import type { Browser } from '../../../src/core/ports.js';
import { isOk } from '../../../src/report/model.js';
import { httpBrowser } from '../../support/http-browser-port.js';
import { startIdp, type Idp } from '../../support/idp.js';
import { startProbeIdp, type ProbeFault } from '../../support/probe-idp.js';
import { checkSettings, recordingUi, testHttp } from './flow-deps.js';

const ALL_PROBES = ['probe.code_reuse', 'probe.code_reuse_revokes', 'probe.pkce_missing', 'probe.pkce_wrong', 'probe.pkce_required', 'probe.pkce_downgrade', 'probe.pkce_plain', 'probe.redirect_uri_altered', 'probe.loopback_any_port', 'probe.redirect_uri_token', 'probe.client_secret_wrong', 'probe.unknown_parameter', 'probe.response_type_missing', 'probe.prompt_none', 'probe.consent_denied', 'probe.par_required', 'probe.par_reuse', 'probe.jar_unsigned', 'probe.token_get', 'probe.refresh_unknown', 'probe.userinfo_no_token', 'probe.userinfo_bad_token', 'probe.userinfo_query_token'];
// Skipped against an IdP that does not require PAR, with the reason.
const PAR_SKIPPED = { status: 'skip', message: 'the IdP does not require pushed authorization requests (no require_pushed_authorization_requests)' };
const PAR_REUSE_SKIPPED = { status: 'skip', message: 'no pushed requests in this run (the IdP does not require PAR; check --par pushes them)' };
const JAR_SKIPPED = { status: 'skip', message: 'the IdP does not require signed request objects (no require_signed_request_object)' };
// Probes of what this IdP does not require (PAR, signed request objects): skipped, with the reason.
const PAR_PROBES = ['probe.par_required', 'probe.par_reuse', 'probe.jar_unsigned'];
// The probes that need no user flow: they run with client credentials too.
const ANY_FLOW_PROBES = ['probe.client_secret_wrong', 'probe.token_get', 'probe.userinfo_no_token', 'probe.userinfo_bad_token'];
const USER_FLOW_PROBES = ALL_PROBES.filter((id) => !ANY_FLOW_PROBES.includes(id));

let idp: Idp;
beforeAll(async () => {
  idp = await startIdp();
});
afterAll(async () => {
  await idp?.close();
});

function settings(overrides: Partial<CheckSettings> = {}): CheckSettings {
  return checkSettings({ issuer: idp.issuer, client: { client_id: idp.clients.basic.client_id, client_secret: idp.clients.basic.client_secret, method: 'client_secret_basic' }, ...overrides });
}

async function check(browser: Browser | undefined, overrides: Partial<CheckSettings> = {}) {
  const ui = recordingUi();
  const http = testHttp(ui);
  try {
    return { outcome: await runCheck(settings(overrides), { http, ui, browser, signal: new AbortController().signal }), ui };
  } finally {
    await http.close();
  }
}

const byId = (checks: Array<{ id: string; status: string; message: string }>) => Object.fromEntries(checks.map((c) => [c.id, c]));

describe('runCheck in-process', () => {
  it('confidential client with the HTTP browser, destructive: the user flow, the lifecycle and every probe pass (exit 0)', async () => {
    const { outcome } = await check(httpBrowser(), { destructive: true });
    expect(outcome.checks.filter((c) => c.status === 'fail' || c.status === 'warn')).toEqual([]);
    expect(isOk(outcome, true)).toBe(true);
    expect(outcome.mode).toBe('authorization_code');
    expect(outcome.noUserFlow).toBeUndefined();
    const checks = byId(outcome.checks);
    for (const id of ['authorization.state', 'id_token.signature', 'refresh.rotation', 'introspection.status', ...ALL_PROBES.filter((id) => !PAR_PROBES.includes(id))]) {
      expect([id, checks[id]?.status]).toEqual([id, 'pass']);
    }
    expect(checks['probe.par_required']).toMatchObject(PAR_SKIPPED);
    expect(checks['probe.par_reuse']).toMatchObject(PAR_REUSE_SKIPPED);
    expect(checks['probe.jar_unsigned']).toMatchObject(JAR_SKIPPED);
    // The destructive part ran: replay refused, revocation confirmed through introspection.
    for (const id of ['refresh.reuse_rejected', 'revocation.status', 'revocation.unknown_token', 'revocation.inactive', 'revocation.refresh_rejected']) expect([id, checks[id]?.status]).toEqual([id, 'pass']);
    expect(checks['probe.redirect_uri_altered']!.message).toMatch(/^no redirect to the unregistered http:\/\/127\.0\.0\.1:\d+\/oidc-cli-probe\/altered or http:\/\/127\.0\.0\.1:\d+\/callback\?oidc_cli_probe=altered, their listeners saw nothing: the browser command ended \(exit code 1\) before any response arrived$/);
    expect(checks['probe.prompt_none']!.message).toContain('error=login_required');
    expect(outcome.probes.every((p) => p.ran)).toBe(true);
    // Nothing failed, so nothing was diagnosed: no diagnosis.* check at all on the sound IdP.
    expect(outcome.checks.filter((c) => c.id.startsWith('diagnosis.'))).toEqual([]);
    expect(outcome.steps.map((s) => s.name)).toEqual(expect.arrayContaining(['discovery + jwks', 'login', 'lifecycle', 'probes', 'total']));
    // The report order is stable: groups stay together, probes in catalogue order.
    const groups = outcome.checks.map((c) => c.id.split('.')[0]);
    expect(groups.filter((g, i) => g !== groups[i - 1])).toEqual(['discovery', 'jwks', 'authorization', 'token_response', 'id_token', 'userinfo', 'refresh', 'introspection', 'revocation', 'probe']);
    expect(outcome.checks.filter((c) => c.id.startsWith('probe.')).map((c) => c.id)).toEqual(ALL_PROBES);
  });

  it('public client: no failure and no warning; the secret probe, introspection and the destructive checks say why they are skipped', async () => {
    const { outcome } = await check(httpBrowser(), { client: { client_id: idp.clients.public.client_id, method: 'none' } });
    expect(outcome.checks.filter((c) => c.status === 'fail' || c.status === 'warn')).toEqual([]);
    expect(isOk(outcome, true)).toBe(true);
    const checks = byId(outcome.checks);
    expect(checks['probe.client_secret_wrong']).toMatchObject({ status: 'skip', message: 'the client authenticates with none: no secret to get wrong' });
    expect(checks['refresh.rotation']!.status).toBe('pass');
    expect(checks['introspection.status']).toMatchObject({ status: 'skip', message: 'a public client cannot authenticate to the introspection endpoint' });
    expect(checks['refresh.reuse_rejected']).toMatchObject({ status: 'skip', message: 'destructive (ends the grant): opt in with --destructive' });
  });

  it('--only and --skip select by id, group or prefix*, and only the selected probes run', async () => {
    const { outcome } = await check(httpBrowser(), { select: selection(['probe'], ['probe.pkce_*', 'probe.redirect_uri_altered']) });
    expect(outcome.checks.map((c) => [c.id, c.status])).toEqual(['probe.code_reuse', 'probe.code_reuse_revokes', 'probe.loopback_any_port', 'probe.redirect_uri_token', 'probe.client_secret_wrong', 'probe.unknown_parameter', 'probe.response_type_missing', 'probe.prompt_none', 'probe.consent_denied', 'probe.par_required', 'probe.par_reuse', 'probe.jar_unsigned', 'probe.token_get', 'probe.refresh_unknown', 'probe.userinfo_no_token', 'probe.userinfo_bad_token', 'probe.userinfo_query_token'].map((id) => [id, PAR_PROBES.includes(id) ? 'skip' : 'pass']));
    expect(outcome.probes.filter((p) => p.ran).map((p) => p.name)).not.toContain('PKCE: plain');
    expect(outcome.probes.filter((p) => p.ran).flatMap((p) => p.ids)).not.toContain('probe.pkce_plain');
    expect(outcome.steps.map((s) => s.name)).not.toContain('login');
  });

  it('no browser: client credentials for a machine client, the user-flow probes skipped with the reason', async () => {
    const { outcome } = await check(undefined, { client: { client_id: idp.clients.machine.client_id, client_secret: idp.clients.machine.client_secret, method: 'client_secret_basic' }, scope: 'api:read', clientCredentialsScope: 'api:read' });
    expect(outcome.mode).toBe('client_credentials');
    expect(outcome.noUserFlow).toEqual(expect.any(String));
    expect(outcome.checks.filter((c) => c.status === 'fail' || c.status === 'warn')).toEqual([]);
    const checks = byId(outcome.checks);
    for (const id of USER_FLOW_PROBES) expect(checks[id]).toMatchObject({ status: 'skip', message: 'no user flow: pass --browser-command CMD (a headless sign-in script) to run it' });
    expect(checks['probe.client_secret_wrong']).toMatchObject({ status: 'pass', message: expect.stringMatching(/^client_credentials with a wrong secret \(client_secret_basic\): refused, HTTP 401 invalid_client/) });
    expect(checks['probe.token_get']!.status).toBe('pass');
    expect(checks['probe.userinfo_no_token']).toMatchObject({ status: 'pass', message: expect.stringMatching(/^without a token: HTTP 401, WWW-Authenticate: Bearer/) });
    expect(checks['probe.userinfo_bad_token']).toMatchObject({ status: 'pass', message: 'with an invalid token: HTTP 401, WWW-Authenticate: Bearer error="invalid_token"' });
    expect(checks['access_token.signature']!.status).toBe('pass');
    expect(checks['client_credentials.refresh_token']!.status).toBe('pass');
    expect(isOk(outcome, false)).toBe(true);
  });

  it('the user denies every sign-in: authorization.error fails and the lifecycle is skipped for want of tokens (exit 1)', async () => {
    const { outcome } = await check(httpBrowser({ deny: true }), { select: selection(['authorization', 'refresh'], undefined) });
    const checks = byId(outcome.checks);
    expect(checks['authorization.error']!.status).toBe('fail');
    expect(checks['refresh.grant']).toMatchObject({ status: 'skip', message: 'no tokens: the grant failed' });
    expect(isOk(outcome, false)).toBe(false);
  });
});

describe('runCheck in-process: an IdP without the RFC 8252 §7.3 any-port rule', () => {
  it('with the registered --redirect-uri the login passes and probe.loopback_any_port warns (exit 0, 1 under --strict)', async () => {
    const probeIdp = await startProbeIdp({ faults: ['redirect_uri_port_exact'] });
    try {
      const port = Number(new URL(probeIdp.registeredRedirectUri!).port);
      const { outcome } = await check(httpBrowser(), { issuer: probeIdp.issuer, client: { client_id: probeIdp.clients.public.client_id, method: 'none' }, listener: { host: '127.0.0.1', port, path: '/callback' }, concurrency: 1 });
      expect(outcome.checks.filter((c) => c.status === 'fail')).toEqual([]);
      expect(byId(outcome.checks)['probe.loopback_any_port']).toMatchObject({ status: 'warn', message: expect.stringContaining('this IdP compares the port too') });
      expect(byId(outcome.checks)['authorization.state']?.status).toBe('pass');
      expect(isOk(outcome, false)).toBe(true);
      expect(isOk(outcome, true)).toBe(false);
    } finally {
      await probeIdp.close();
    }
  });

  it('with a random port the login cannot reach the redirect URI: diagnosis.redirect_uri fails with the URI to register, the report is complete (exit 1)', async () => {
    const probeIdp = await startProbeIdp({ faults: ['redirect_uri_port_exact'] });
    try {
      const { outcome } = await check(httpBrowser(), { issuer: probeIdp.issuer, client: { client_id: probeIdp.clients.public.client_id, method: 'none' } });
      const checks = byId(outcome.checks);
      expect(checks['diagnosis.redirect_uri']).toMatchObject({ status: 'fail', hint: expect.stringContaining('--redirect-uri http://127.0.0.1:8765/callback') });
      expect(checks['probe.loopback_any_port']?.status).toBe('warn');
      expect(checks['discovery.issuer_match']?.status).toBe('pass');
      expect(checks['refresh.grant']).toMatchObject({ status: 'skip', message: 'no tokens: the grant failed' });
      expect(isOk(outcome, false)).toBe(false);
    } finally {
      await probeIdp.close();
    }
  });
});

// The fault table, in-process: one fault each, exactly its checks fail (or warn). test/e2e/check-faults.test.ts
// keeps a few rows through the binary, for what only the binary shows (exit codes, the JSON document).
describe('runCheck in-process against a purpose-built IdP with one fault', () => {
  const basic = (probeIdp: Awaited<ReturnType<typeof startProbeIdp>>) => ({ client_id: probeIdp.clients.basic.client_id, client_secret: probeIdp.clients.basic.client_secret, method: 'client_secret_basic' as const });
  const publicClient = (probeIdp: Awaited<ReturnType<typeof startProbeIdp>>) => ({ client_id: probeIdp.clients.public.client_id, method: 'none' as const });
  it('the fixture without a fault is right: public and confidential clients, every probe passes (exit 0)', async () => {
    const probeIdp = await startProbeIdp();
    try {
      for (const client of [publicClient(probeIdp), basic(probeIdp)]) {
        const { outcome } = await check(httpBrowser(), { issuer: probeIdp.issuer, client });
        expect(outcome.checks.filter((c) => c.status === 'fail')).toEqual([]);
        for (const c of outcome.checks.filter((x) => x.id.startsWith('probe.'))) {
          // No consent page to refuse on: the refusal probe says it could not be tried.
          const skipped = (c.id === 'probe.client_secret_wrong' && client.method === 'none') || c.id === 'probe.consent_denied' || PAR_PROBES.includes(c.id);
          expect([client.method, c.id, c.status]).toEqual([client.method, c.id, skipped ? 'skip' : 'pass']);
        }
        expect(isOk(outcome, false)).toBe(true);
      }
    } finally {
      await probeIdp.close();
    }
  });

  it('with a consent page: the browser is asked to refuse and the refusal comes back as error=access_denied; every other probe still signs in', async () => {
    const probeIdp = await startProbeIdp({ faults: ['consent_page'] });
    try {
      const { outcome } = await check(httpBrowser(), { issuer: probeIdp.issuer, client: basic(probeIdp) });
      expect(outcome.checks.filter((c) => c.status === 'fail')).toEqual([]);
      expect(byId(outcome.checks)['probe.consent_denied']).toMatchObject({ status: 'pass', message: expect.stringMatching(/error=access_denied/) });
    } finally {
      await probeIdp.close();
    }
  });

  const cases: Array<{ fault: ProbeFault; failing: string[]; warned?: string[]; confidential?: boolean; message?: RegExp }> = [
    { fault: 'pkce_not_enforced', failing: ['probe.pkce_downgrade', 'probe.pkce_missing', 'probe.pkce_wrong'], warned: ['probe.pkce_plain', 'probe.pkce_required'] },
    { fault: 'code_reusable', failing: ['probe.code_reuse'], message: /second time: accepted, HTTP 200 with an access_token/ },
    { fault: 'redirect_uri_unchecked', failing: ['probe.redirect_uri_altered'], message: /^open redirect: the IdP sent the browser to the unregistered http:\/\/127\.0\.0\.1:\d+\/oidc-cli-probe\/altered with a code/ },
    { fault: 'redirect_uri_query_ignored', failing: ['probe.redirect_uri_altered'], message: /^open redirect: the IdP sent the browser to the unregistered http:\/\/127\.0\.0\.1:\d+\/callback\?oidc_cli_probe=altered with a code \(\d+ characters\)$/ },
    { fault: 'token_ignores_redirect_uri', failing: ['probe.redirect_uri_token'] },
    { fault: 'wrong_secret_accepted', failing: ['probe.client_secret_wrong'], confidential: true, message: /wrong secret \(client_secret_basic\): accepted/ },
    { fault: 'no_rotation', failing: ['refresh.rotation'] },
    { fault: 'state_dropped', failing: ['authorization.state'], message: /^the callback has no state; sent "/ },
    { fault: 'userinfo_open', failing: ['probe.userinfo_no_token'], warned: ['probe.userinfo_query_token'], message: /^without a token: answered HTTP 200/ },
    // The refreshed ID token is verified like the first one (core/refresh.ts, the module `refresh` runs too).
    { fault: 'refresh_id_token_forged', failing: ['refresh.id_token_valid'] },
  ];
  for (const { fault, failing, warned, confidential, message } of cases) {
    it(`${fault}: ${failing.join(', ')} fail, nothing else (exit 1)`, async () => {
      const probeIdp = await startProbeIdp({ faults: [fault] });
      try {
        const { outcome } = await check(httpBrowser(), { issuer: probeIdp.issuer, client: confidential ? basic(probeIdp) : publicClient(probeIdp) });
        expect(outcome.checks.filter((c) => c.status === 'fail').map((c) => c.id).sort()).toEqual(failing);
        for (const id of warned ?? []) expect([id, byId(outcome.checks)[id]?.status]).toEqual([id, 'warn']);
        if (message) expect(byId(outcome.checks)[failing[0]!]!.message).toMatch(message);
        expect(isOk(outcome, false)).toBe(false);
      } finally {
        await probeIdp.close();
      }
    });
  }

  // Refused, but not the way the spec says: warnings only (exit 0), each with its own id.
  const warnings: Array<{ fault: ProbeFault; warned: CheckId; message: RegExp; confidential?: boolean }> = [
    { fault: 'replay_keeps_tokens', warned: 'probe.code_reuse_revokes', message: /still works at userinfo/ },
    { fault: 'refresh_unknown_invalid_request', warned: 'probe.refresh_unknown', message: /refused, but with HTTP 400 invalid_request/ },
    { fault: 'userinfo_no_challenge', warned: 'probe.userinfo_bad_token', message: /HTTP 401, but no WWW-Authenticate header/ },
    { fault: 'userinfo_malformed_challenge', warned: 'probe.userinfo_bad_token', message: /HTTP 401, but/ },
    { fault: 'userinfo_query_token', warned: 'probe.userinfo_query_token', message: /sent as \?access_token= was accepted/ },
    { fault: 'consent_denied_wrong_error', warned: 'probe.consent_denied', message: /came back with error=server_error; expected error=access_denied/ },
    { fault: 'refresh_token_introspects_inactive', warned: 'introspection.refresh_token', message: /introspects as "active": false/, confidential: true },
  ];
  for (const { fault, warned, message, confidential } of warnings) {
    it(`${fault}: ${warned} warns, nothing else (exit 0)`, async () => {
      const probeIdp = await startProbeIdp({ faults: [fault] });
      try {
        const { outcome } = await check(httpBrowser(), { issuer: probeIdp.issuer, client: confidential ? basic(probeIdp) : publicClient(probeIdp), select: selection([warned], undefined) });
        expect(outcome.checks.map((c) => [c.id, c.status])).toEqual([[warned, 'warn']]);
        expect(outcome.checks[0]!.message).toMatch(message);
        expect(isOk(outcome, false)).toBe(true);
      } finally {
        await probeIdp.close();
      }
    });
  }
});

// RFC 7662 §2.2, §4: a second client of the same IdP asks about this client's access token.
describe('runCheck in-process: introspection.other_client', () => {
  const only = selection(['introspection.other_client'], undefined);
  const otherOf = (checks: Array<{ id: string; status: string; message: string }>) => byId(checks)['introspection.other_client'];

  it('oidc-provider answers another client {"active": false}: pass; the same client or no second client: skip with the reason', async () => {
    const machine = { client_id: idp.clients.machine.client_id, client_secret: idp.clients.machine.client_secret };
    const { outcome } = await check(httpBrowser(), { select: only, otherClient: machine });
    expect(otherOf(outcome.checks)).toMatchObject({ status: 'pass', message: 'client "oidc-cli-machine" asking about another client\'s token got 200 {"active": false}' });

    const same = await check(httpBrowser(), { select: only, otherClient: { client_id: idp.clients.basic.client_id, client_secret: idp.clients.basic.client_secret } });
    expect(otherOf(same.outcome.checks)).toMatchObject({ status: 'skip', message: expect.stringMatching(/names this client \(oidc-cli-basic\)/) });

    const wrongSecret = await check(httpBrowser(), { select: only, otherClient: { ...machine, client_secret: 'not-the-secret' } });
    expect(otherOf(wrongSecret.outcome.checks)).toMatchObject({ status: 'skip', message: expect.stringMatching(/does not authenticate \(HTTP 401\)/) });

    const none = await check(httpBrowser(), { select: only });
    expect(otherOf(none.outcome.checks)).toMatchObject({ status: 'skip', message: expect.stringMatching(/--other-client-id ID --other-client-secret-file FILE/) });
  });

  it('an IdP that lets any client introspect any token: warn, naming what it revealed; the same IdP without the fault: pass', async () => {
    for (const [faults, status] of [[['introspection_any_client'], 'warn'], [[], 'pass']] as const) {
      const probeIdp = await startProbeIdp({ faults: [...faults] });
      try {
        const client = { client_id: probeIdp.clients.basic.client_id, client_secret: probeIdp.clients.basic.client_secret, method: 'client_secret_basic' as const };
        const { outcome } = await check(httpBrowser(), { issuer: probeIdp.issuer, client, select: only, otherClient: probeIdp.clients.other });
        expect(outcome.checks.map((c) => [c.id, c.status])).toEqual([['introspection.other_client', status]]);
        if (status === 'warn') {
          expect(outcome.checks[0]!.message).toBe('client "probe-other" introspected a token issued to another client: active, revealing client_id, token_type');
          expect(isOk(outcome, false)).toBe(true);
          expect(isOk(outcome, true)).toBe(false);
        }
      } finally {
        await probeIdp.close();
      }
    }
  });
});

describe('runCheck in-process: an IdP that requires pushed authorization requests (RFC 9126)', () => {
  it('the login and every probe push their request: no failure, no warning; the refusals the probes expect still come', async () => {
    const requiring = await startIdp({ configure: (configuration) => void (configuration.features.pushedAuthorizationRequests = { enabled: true, requirePushedAuthorizationRequests: true }) });
    try {
      const { outcome } = await check(httpBrowser(), { issuer: requiring.issuer, client: { client_id: requiring.clients.basic.client_id, client_secret: requiring.clients.basic.client_secret, method: 'client_secret_basic' } });
      expect(outcome.checks.filter((c) => c.status === 'fail' || c.status === 'warn')).toEqual([]);
      const checks = byId(outcome.checks);
      expect(checks['par.required']).toMatchObject({ status: 'pass', message: 'required by the IdP (require_pushed_authorization_requests), and used' });
      for (const id of ['probe.code_reuse', 'probe.pkce_missing', 'probe.redirect_uri_altered', 'probe.prompt_none', 'probe.consent_denied', 'probe.par_required', 'probe.par_reuse']) expect([id, checks[id]?.status]).toEqual([id, 'pass']);
      expect(checks['probe.par_reuse']!.message).toMatch(/^the same request_uri a second time got no authorization response/);
      expect(checks['probe.par_required']!.message).toMatch(/^an authorization request that was not pushed got error=invalid_request/);
    } finally {
      await requiring.close();
    }
  });

  it('an IdP that says PAR is required but takes a plain request: probe.par_required fails', async () => {
    // Its metadata claims require_pushed_authorization_requests; its authorization endpoint does not enforce it.
    const lying = await startIdp({ configure: (configuration) => void (configuration.discovery = { require_pushed_authorization_requests: true }) });
    try {
      const { outcome } = await check(httpBrowser(), { issuer: lying.issuer, client: { client_id: lying.clients.basic.client_id, client_secret: lying.clients.basic.client_secret, method: 'client_secret_basic' }, select: selection(['probe.par_required'], undefined) });
      expect(outcome.checks.map((c) => [c.id, c.status, c.message])).toEqual([['probe.par_required', 'fail', 'an authorization request that was not pushed got a code, though the metadata says require_pushed_authorization_requests']]);
    } finally {
      await lying.close();
    }
  });

  it('an IdP whose request_uri works again after its first use: probe.par_reuse warns', async () => {
    const reusable = await startIdp({ configure: (configuration) => void (configuration.features.pushedAuthorizationRequests = { enabled: true, requirePushedAuthorizationRequests: true }) });
    // The one fault: a used pushed request is never marked consumed.
    reusable.provider.PushedAuthorizationRequest.prototype.consume = async () => undefined;
    try {
      const { outcome } = await check(httpBrowser(), { issuer: reusable.issuer, client: { client_id: reusable.clients.basic.client_id, client_secret: reusable.clients.basic.client_secret, method: 'client_secret_basic' }, select: selection(['probe.par_reuse'], undefined) });
      expect(outcome.checks.map((c) => [c.id, c.status, c.message])).toEqual([['probe.par_reuse', 'warn', 'the same request_uri a second time: another code (a captured request_uri can be replayed)']]);
    } finally {
      await reusable.close();
    }
  });

  it('check --par where PAR is optional: the login and the probes push; nothing fails', async () => {
    const { outcome } = await check(httpBrowser(), { par: true, select: selection(['par', 'probe.pkce_missing', 'probe.unknown_parameter', 'probe.par_reuse'], undefined) });
    expect(outcome.checks.map((c) => [c.id, c.status])).toEqual([['par.required', 'pass'], ['par.status', 'pass'], ['par.request_uri', 'pass'], ['par.expires_in', 'pass'], ['probe.pkce_missing', 'pass'], ['probe.unknown_parameter', 'pass'], ['probe.par_reuse', 'pass']]);
  });
});

describe('runCheck in-process: --dpop (RFC 9449)', () => {
  const dpopIds = ['dpop.token_type', 'dpop.bearer_refused', 'dpop.replay_refused', 'dpop.htu_checked', 'dpop.htm_checked', 'dpop.iat_checked', 'dpop.refresh_bound'];
  it('oidc-provider binds the login\'s tokens, and its userinfo refuses the token as Bearer, a replayed proof, a proof for another URL or method', async () => {
    const { outcome } = await check(httpBrowser(), { dpop: true, select: selection(['dpop'], undefined) });
    const checks = byId(outcome.checks);
    for (const id of dpopIds.filter((id) => id !== 'dpop.refresh_bound')) expect([id, checks[id]?.status]).toEqual([id, 'pass']);
    // A confidential client's refresh token may stay unbound (RFC 9449 §5 binds a public client's).
    expect(checks['dpop.refresh_bound']?.status).toBe('skip');
  });

  it('a public client: its DPoP-bound refresh token is refused without a proof (dpop.refresh_bound), and the lifecycle still refreshes with the proof', async () => {
    const { outcome } = await check(httpBrowser(), { client: { client_id: idp.clients.public.client_id, method: 'none' }, dpop: true, select: selection(['dpop', 'refresh.grant'], undefined) });
    const checks = byId(outcome.checks);
    expect(checks['dpop.refresh_bound']).toMatchObject({ status: 'pass', message: expect.stringMatching(/^the refresh token without a DPoP proof: refused, HTTP 400/) });
    expect(checks['refresh.grant']?.status).toBe('pass');
  });

  it('an IdP that lets a proof be replayed: dpop.replay_refused warns, the rest passes', async () => {
    const lax = await startIdp({ configure: (configuration) => void (configuration.features.dPoP = { enabled: true, allowReplay: true }) });
    try {
      const { outcome } = await check(httpBrowser(), { issuer: lax.issuer, client: { client_id: lax.clients.basic.client_id, client_secret: lax.clients.basic.client_secret, method: 'client_secret_basic' }, dpop: true, select: selection(['dpop'], undefined) });
      const checks = byId(outcome.checks);
      expect(checks['dpop.replay_refused']).toMatchObject({ status: 'warn', message: expect.stringMatching(/^the same proof \(same jti\) a second time: accepted, HTTP 200$/) });
      for (const id of dpopIds.filter((id) => id !== 'dpop.replay_refused' && id !== 'dpop.refresh_bound')) expect([id, checks[id]?.status]).toEqual([id, 'pass']);
    } finally {
      await lax.close();
    }
  });

  it('an IdP that hands out DPoP nonces may bound a proof\'s age by them: dpop.iat_checked is a skip saying so', async () => {
    const nonce = await startIdp({ dpop: 'nonce' });
    try {
      const nonced = byId((await check(httpBrowser(), { issuer: nonce.issuer, client: { client_id: nonce.clients.basic.client_id, client_secret: nonce.clients.basic.client_secret, method: 'client_secret_basic' }, dpop: true, select: selection(['dpop'], undefined) })).outcome.checks);
      expect(nonced['dpop.iat_checked']).toMatchObject({ status: 'skip', message: expect.stringMatching(/^userinfo hands out DPoP nonces/) });
    } finally {
      await nonce.close();
    }
  });

});
