// runLogin in-process with JWT-secured requests (RFC 9101 JAR) and responses (JARM), against oidc-provider
// with requestObjects and jwtResponseModes on, signed in by the HTTP browser. No binary, no child process.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPrivateKey, type ClientCredentials } from '../../../src/core/client-auth.js';
import { runCheck } from '../../../src/core/check/run.js';
import { selection } from '../../../src/core/check/select.js';
import { runLogin, type LoginSettings } from '../../../src/core/login-flow.js';
import { isOk } from '../../../src/report/model.js';
import { httpBrowser, scriptedBrowser, type HttpBrowser } from '../../support/http-browser-port.js';
import { startIdp, type Idp } from '../../support/idp.js';
import { withScriptedIdp, type Fault } from '../../support/scripted-idp.js';
import { checkSettings, loginSettings, recordingUi, testHttp } from './flow-deps.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let idp: Idp;
let dir: string;
let keyClient: ClientCredentials;
beforeAll(async () => {
  idp = await startIdp({ requestObjects: true, jwtResponseModes: true });
  dir = await mkdtemp(join(tmpdir(), 'oidc-cli-jar-'));
  const file = join(dir, 'client.jwk');
  await writeFile(file, JSON.stringify(idp.clients.privateKeyJwt.privateJwk), { mode: 0o600 });
  keyClient = { client_id: idp.clients.privateKeyJwt.client_id, method: 'private_key_jwt', privateKey: await loadPrivateKey(file) };
});
afterAll(async () => {
  await idp?.close();
  await rm(dir, { recursive: true, force: true });
});

async function login(overrides: Partial<LoginSettings>, browser: HttpBrowser = httpBrowser(), on: Idp = idp) {
  const ui = recordingUi();
  const http = testHttp(ui);
  try {
    const settings = loginSettings(on.issuer, { client_id: on.clients.public.client_id, method: 'none' }, overrides);
    return { result: await runLogin(settings, { http, ui, browser, signal: new AbortController().signal }), ui, browser };
  } finally {
    await http.close();
  }
}

const statuses = (checks: Array<{ id: string; status: string }>, prefix: string) => checks.filter((c) => c.id.startsWith(prefix)).map((c) => [c.id, c.status]);
const failures = (checks: Array<{ id: string; status: string; message: string }>) => checks.filter((c) => c.status === 'fail');

describe('JARM: --response-mode jwt, query.jwt, form_post.jwt', () => {
  it.each(['jwt', 'query.jwt', 'form_post.jwt'] as const)('response_mode=%s: the response JWT is verified, then its code and state are judged and redeemed', async (mode) => {
    const { result, browser } = await login({ request: { response_mode: mode, extra: [] } });
    expect(failures(result.checks)).toEqual([]);
    expect(statuses(result.checks, 'jarm.')).toEqual([['jarm.advertised', 'pass'], ['jarm.response', 'pass'], ['jarm.alg', 'pass'], ['jarm.signature', 'pass'], ['jarm.iss', 'pass'], ['jarm.aud', 'pass'], ['jarm.exp', 'pass']]);
    expect(new URL(browser.opened[0]!).searchParams.get('response_mode')).toBe(mode);
    // The callback carried the JWT alone, masked wherever it is shown; state was judged from inside it.
    expect(result.callback?.map(([name]) => name)).toEqual(['response']);
    expect(result.callback?.[0]?.[1]).toMatch(/…\[redacted \d+ chars\]$/);
    expect(result.checks.find((c) => c.id === 'authorization.state')).toMatchObject({ status: 'pass' });
    // What was inside, for the report: the code masked like any credential.
    expect(result.jarm).toMatchObject({ verified: true, claims: { iss: idp.issuer, aud: idp.clients.public.client_id, code: expect.stringMatching(/…\[redacted \d+ chars\]$/) } });
    expect(result.tokens?.access_token).toEqual(expect.any(String));
    expect(isOk(result, false)).toBe(true);
  });

  it('a refused sign-in: the error comes inside the verified JWT, and authorization.error says so', async () => {
    const { result } = await login({ request: { response_mode: 'jwt', extra: [] } }, httpBrowser({ deny: true }));
    expect(failures(result.checks).map((c) => c.id)).toEqual(['authorization.error']);
    expect(result.jarm).toMatchObject({ verified: true, claims: { error: 'access_denied' } });
    expect(result.stoppedAt).toBe('the IdP answered error=access_denied');
  });

  it('an IdP without JWT response modes: the plain answer fails jarm.response and its code is not redeemed', async () => {
    const plain = await startIdp();
    try {
      const { result } = await login({ request: { response_mode: 'jwt', extra: [] } }, httpBrowser(), plain);
      expect(result.checks.find((c) => c.id === 'jarm.advertised')).toMatchObject({ status: 'warn' });
      expect(failures(result.checks).map((c) => c.id)).toContain('jarm.response');
      expect(result.tokens).toBeUndefined();
    } finally {
      await plain.close();
    }
  });
});

describe('JARM against a misbehaving IdP: each fault fails its own check, and the code is never redeemed', () => {
  const JARM_METADATA = { response_modes_supported: ['query', 'jwt', 'query.jwt'], authorization_signing_alg_values_supported: ['RS256'] };
  const CASES: Array<[Fault, string[]]> = [
    ['none', []],
    ['jarm_wrong_key', ['jarm.signature']],
    ['jarm_wrong_iss', ['jarm.iss']],
    ['jarm_wrong_aud', ['jarm.aud']],
    ['jarm_expired', ['jarm.exp']],
    ['jarm_alg_none', ['jarm.alg', 'jarm.signature']],
  ];
  it.each(CASES)('%s → failed: %j', async (fault, ids) => {
    await withScriptedIdp(fault, async (scripted) => {
      const ui = recordingUi();
      const http = testHttp(ui);
      try {
        const settings = loginSettings(scripted.issuer, { client_id: scripted.client_id, method: 'none' }, { request: { response_mode: 'jwt', extra: [] } });
        const result = await runLogin(settings, { http, ui, browser: scriptedBrowser(), signal: new AbortController().signal });
        expect(failures(result.checks).map((c) => c.id)).toEqual(ids);
        if (ids.length === 0) return void expect(result.tokens?.access_token).toEqual(expect.any(String));
        // Verified before use: nothing inside the JWT was judged, no token request was made.
        expect(result.checks.some((c) => c.id === 'authorization.state' || c.id === 'authorization.code_in_query')).toBe(false);
        expect(scripted.tokenRequests).toEqual([]);
        expect(result.jarm?.verified).toBe(false);
        expect(result.stoppedAt).toMatch(/the code was not redeemed/);
        expect(ui.lines.warn).toContain('the JWT authorization response failed its checks (jarm.*): its code and state are not used');
      } finally {
        await http.close();
      }
    }, { metadata: JARM_METADATA });
  });
});

describe('JAR: --request-object', () => {
  it('signed with the private_key_jwt key: the browser carries client_id and request only; the login completes', async () => {
    const { result, browser } = await login({ client: keyClient, requestObject: true });
    expect(failures(result.checks)).toEqual([]);
    expect(statuses(result.checks, 'jar.')).toEqual([['jar.required', 'pass'], ['jar.supported', 'pass'], ['jar.alg', 'pass']]);
    const url = new URL(browser.opened[0]!);
    expect([...url.searchParams.keys()].sort()).toEqual(['client_id', 'request']);
    const [header, payload] = url.searchParams.get('request')!.split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()));
    expect(header).toMatchObject({ alg: 'RS256', typ: 'oauth-authz-req+jwt', kid: idp.clients.privateKeyJwt.kid });
    expect(payload).toMatchObject({ iss: keyClient.client_id, aud: idp.issuer, client_id: keyClient.client_id, response_type: 'code', code_challenge_method: 'S256' });
    expect(payload.exp - payload.nbf).toBeLessThanOrEqual(3600);
    expect(typeof payload.jti).toBe('string');
    expect(result.tokens?.access_token).toEqual(expect.any(String));
  });

  it('with PAR: the request object travels inside the push, the browser gets the reference', async () => {
    const { result, browser } = await login({ client: keyClient, requestObject: true, par: true });
    expect(failures(result.checks)).toEqual([]);
    expect(statuses(result.checks, 'par.')).toEqual([['par.required', 'pass'], ['par.status', 'pass'], ['par.request_uri', 'pass'], ['par.expires_in', 'pass']]);
    expect([...new URL(browser.opened[0]!).searchParams.keys()].sort()).toEqual(['client_id', 'request_uri']);
  });

  it('JAR and JARM together: a signed request, a signed response', async () => {
    const { result } = await login({ client: keyClient, requestObject: true, request: { response_mode: 'jwt', extra: [] } });
    expect(failures(result.checks)).toEqual([]);
    expect(result.checks.find((c) => c.id === 'jarm.signature')).toMatchObject({ status: 'pass' });
  });

  it('an IdP that requires signed request objects: signed without being asked; a client without a key stops before the browser', async () => {
    const requiring = await startIdp({ requestObjects: 'required' });
    try {
      const keyed = await login({ client: { ...keyClient, client_id: requiring.clients.privateKeyJwt.client_id, privateKey: await loadPrivateKey(await keyFile(requiring)) } }, httpBrowser(), requiring);
      expect(failures(keyed.result.checks)).toEqual([]);
      expect(keyed.result.checks.find((c) => c.id === 'jar.required')).toMatchObject({ status: 'pass', message: 'required by the IdP (require_signed_request_object), and used' });
      const keyless = await login({}, httpBrowser(), requiring);
      expect(failures(keyless.result.checks).map((c) => c.id)).toEqual(['jar.required']);
      expect(keyless.result.stoppedAt).toBe('no key to sign the request object the IdP requires (jar.required)');
      expect(keyless.browser.opened).toEqual([]);
    } finally {
      await requiring.close();
    }
  });
});

async function keyFile(on: Idp): Promise<string> {
  const file = join(dir, `${on.origin.replace(/\W/g, '')}.jwk`);
  await writeFile(file, JSON.stringify(on.clients.privateKeyJwt.privateJwk), { mode: 0o600 });
  return file;
}

/**
 * The fault of a lax IdP: it claims require_signed_request_object, and its authorization endpoint reads an
 * unsigned request object (alg none) as if it were plain parameters.
 */
async function readsUnsignedRequestObjects(ctx: { path: string; query: Record<string, unknown>; querystring: string }, next: () => Promise<void>): Promise<void> {
  const json = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString());
  const request = ctx.query.request;
  if (ctx.path === '/auth' && typeof request === 'string' && json(request.split('.')[0]!).alg === 'none') {
    ctx.querystring = new URLSearchParams(Object.entries(json(request.split('.')[1]!)).map(([name, value]) => [name, String(value)])).toString();
  }
  await next();
}

describe('check: probe.jar_unsigned (RFC 9101 §10.5)', () => {
  async function checkJar(on: Idp, only: string[], requestObject = false, browser: HttpBrowser = httpBrowser()) {
    const ui = recordingUi();
    const http = testHttp(ui);
    try {
      const client = { ...keyClient, client_id: on.clients.privateKeyJwt.client_id, privateKey: await loadPrivateKey(await keyFile(on)) };
      return await runCheck(checkSettings({ issuer: on.issuer, client, requestObject, select: selection(only, undefined) }), { http, ui, browser, signal: new AbortController().signal });
    } finally {
      await http.close();
    }
  }

  it('oidc-provider requiring signed request objects: the login and the probes sign, and alg none is refused', async () => {
    const requiring = await startIdp({ requestObjects: 'required' });
    try {
      const outcome = await checkJar(requiring, ['jar', 'authorization.state', 'probe.jar_unsigned', 'probe.pkce_missing', 'probe.redirect_uri_altered']);
      expect(outcome.checks.map((c) => [c.id, c.status])).toEqual([['jar.required', 'pass'], ['jar.supported', 'pass'], ['jar.alg', 'pass'], ['authorization.state', 'pass'], ['probe.pkce_missing', 'pass'], ['probe.redirect_uri_altered', 'pass'], ['probe.jar_unsigned', 'pass']]);
      expect(outcome.checks.find((c) => c.id === 'probe.jar_unsigned')?.message).toMatch(/^an unsigned request object \(alg none\) got no authorization response/);
    } finally {
      await requiring.close();
    }
  });

  it('check --request-object where signing is optional: the login and the probes sign; the probe is skipped with the reason', async () => {
    const browser = httpBrowser();
    const outcome = await checkJar(idp, ['jar', 'probe.pkce_missing', 'probe.unknown_parameter', 'probe.jar_unsigned'], true, browser);
    expect(outcome.checks.map((c) => [c.id, c.status])).toEqual([['jar.required', 'pass'], ['jar.supported', 'pass'], ['jar.alg', 'pass'], ['probe.pkce_missing', 'pass'], ['probe.unknown_parameter', 'pass'], ['probe.jar_unsigned', 'skip']]);
    // The login and both probes: each browser run carried client_id and a signed request only.
    expect(browser.opened).toHaveLength(3);
    for (const url of browser.opened) expect([...new URL(url).searchParams.keys()].sort()).toEqual(['client_id', 'request']);
  });

  it('an IdP that claims the requirement but reads an unsigned request object: probe.jar_unsigned fails', async () => {
    const lax = await startIdp({ requestObjects: true, middleware: readsUnsignedRequestObjects, configure: (configuration) => void (configuration.discovery = { require_signed_request_object: true }) });
    try {
      const outcome = await checkJar(lax, ['probe.jar_unsigned']);
      expect(outcome.checks.map((c) => [c.id, c.status, c.message])).toEqual([['probe.jar_unsigned', 'fail', 'an unsigned request object (alg none) got a code, though the metadata says require_signed_request_object']]);
    } finally {
      await lax.close();
    }
  });
});
