import { describe, expect, it } from 'vitest';
import { CheckRecorder } from '../../src/checks/recorder.js';
import { describeOutcome, gate, type AuthorizationVariant, type FrontChannelOutcome } from '../../src/core/front-channel.js';
import { matches, selection } from '../../src/core/check/select.js';
import { consentDenied, promptNone, responseTypeMissing, unknownParameter } from '../../src/core/probes/authorization-params.js';
import { clientSecretWrong } from '../../src/core/probes/client-secret.js';
import { codeReuse } from '../../src/core/probes/code-reuse.js';
import { PROBES } from '../../src/core/probes/index.js';
import { pkceDowngrade, pkceMissing, pkcePlain } from '../../src/core/probes/pkce.js';
import { redirectUriAltered } from '../../src/core/probes/redirect-uri.js';
import { tokenGet } from '../../src/core/probes/token-method.js';
import { judgeRefused, type Probe, type ProbeEnv } from '../../src/core/probes/types.js';
import { CATALOGUE } from '../../src/checks/catalogue.js';
import type { HttpRequest, HttpResponse } from '../../src/http/types.js';
import { fakeResponse } from '../support/http-response.js';

function response(status: number, body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }): HttpResponse {
  return fakeResponse({ url: 'https://idp.example/token', status, body: typeof body === 'string' ? body : JSON.stringify(body), headers });
}

const tokens = () => response(200, { access_token: 'at-123456789', token_type: 'Bearer', expires_in: 60 });
const invalidGrant = () => response(400, { error: 'invalid_grant' });

const outcome = (params: Array<[string, string]> | undefined, extra: Partial<FrontChannelOutcome> = {}): FrontChannelOutcome => ({
  authorization_url: 'https://idp.example/authorize?x',
  redirect_uri: 'http://127.0.0.1:5000/callback',
  code_verifier: 'v'.repeat(43),
  response: params,
  noResponse: params ? undefined : 'the browser command "node" exited with code 1 before the authorization response arrived',
  ...extra,
});

/** A scripted IdP: front-channel outcomes and token endpoint answers in order; records what was sent. */
function fakeEnv(script: { front?: FrontChannelOutcome[]; control?: FrontChannelOutcome; http?: HttpResponse[]; userinfo_endpoint?: string }, client: ProbeEnv['client'] = { client_id: 'app', method: 'none' }) {
  const variants: AuthorizationVariant[] = [];
  const requests: HttpRequest[] = [];
  const fronts = [...(script.front ?? [])];
  const answers = [...(script.http ?? [])];
  const env: ProbeEnv = {
    token_endpoint: 'https://idp.example/token',
    userinfo_endpoint: script.userinfo_endpoint,
    client,
    scope: undefined,
    front: script.front
      ? {
          async authorize(variant = {}) {
            variants.push(variant);
            return fronts.shift()!;
          },
          // The plain request that tells a refused twist from a front channel that works for nobody.
          control: async () => script.control ?? outcome(code()),
        }
      : undefined,
    http: {
      async request(request) {
        requests.push(request);
        return answers.shift()!;
      },
      addSecret: () => undefined,
      addToken: () => undefined,
      close: async () => undefined,
    },
  };
  return { env, variants, requests };
}

async function run(probe: Probe, script: Parameters<typeof fakeEnv>[0], client?: ProbeEnv['client']) {
  const fake = fakeEnv(script, client);
  const c = new CheckRecorder();
  await probe.run(fake.env, c);
  return { ...fake, results: c.results.map((r) => [r.id, r.status, r.message]) };
}

const code = (value = 'code-1'): Array<[string, string]> => [['code', value], ['state', 's'], ['iss', 'https://idp.example']];

describe('the probe list', () => {
  it('every probe id is in the catalogue, under the probe group (or resource, for check --resource), and each is emitted by exactly one probe', () => {
    const ids = PROBES.flatMap((p) => p.ids);
    expect(new Set(ids).size).toBe(ids.length);
    const catalogued = CATALOGUE.filter((d) => d.id.startsWith('probe.')).map((d) => d.id).sort();
    expect(ids.filter((id) => id.startsWith('probe.')).sort()).toEqual(catalogued);
    // The one probe of the resource group needs a fresh code like the others; the rest of resource.* run with the login's token.
    expect(ids.filter((id) => !id.startsWith('probe.'))).toEqual(['resource.reject_other_audience']);
  });
});

describe('judgeRefused', () => {
  it('tokens → fail, the expected error → pass, another refusal → warn', () => {
    const c = new CheckRecorder();
    judgeRefused('probe.code_reuse', tokens(), 'replay', 'invalid_grant', c);
    judgeRefused('probe.code_reuse', invalidGrant(), 'replay', 'invalid_grant', c);
    judgeRefused('probe.code_reuse', response(400, { error: 'invalid_request', error_description: 'nope' }), 'replay', 'invalid_grant', c);
    expect(c.results.map((r) => [r.status, r.message])).toEqual([
      ['fail', 'replay: accepted, HTTP 200 with an access_token; expected invalid_grant'],
      ['pass', 'replay: refused, HTTP 400 invalid_grant'],
      ['warn', 'replay: refused, but with HTTP 400 invalid_request ("nope"); expected invalid_grant'],
    ]);
  });
});

describe('probes against a scripted IdP', () => {
  it('code reuse: redeems the same code twice with the same inputs; a second 200 fails', async () => {
    const { results, requests } = await run(codeReuse, { front: [outcome(code())], http: [tokens(), tokens()] });
    expect(results).toEqual([
      ['probe.code_reuse', 'fail', 'the same code redeemed a second time: accepted, HTTP 200 with an access_token; expected invalid_grant'],
      ['probe.code_reuse_revokes', 'skip', 'the replay was accepted (probe.code_reuse): there is no refusal to revoke on'],
    ]);
    expect(requests.map((r) => String(r.body))).toEqual([String(requests[0]!.body), String(requests[0]!.body)]);
    expect(String(requests[0]!.body)).toContain('code=code-1');
  });

  it('code reuse: skipped, not passed, when no code or the first redemption fails', async () => {
    expect((await run(codeReuse, { front: [outcome([['error', 'access_denied'], ['state', 's']])] })).results).toEqual([
      ['probe.code_reuse', 'skip', 'could not get an authorization code for the probe: the IdP answered error=access_denied'],
      ['probe.code_reuse_revokes', 'skip', 'could not get an authorization code for the probe: the IdP answered error=access_denied'],
    ]);
    const failedFirst = await run(codeReuse, { front: [outcome(code())], http: [invalidGrant()] });
    expect(failedFirst.results.map((r) => r.slice(0, 2))).toEqual([['probe.code_reuse', 'skip'], ['probe.code_reuse_revokes', 'skip']]);
  });

  it('code reuse: userinfo before and after the refused replay tells whether the first tokens were revoked', async () => {
    const userinfo_endpoint = 'https://idp.example/userinfo';
    const ok = () => response(200, { sub: 'u' });
    const refused = () => response(401, { error: 'invalid_token' }, { 'www-authenticate': 'Bearer error="invalid_token"' });
    const revoked = await run(codeReuse, { front: [outcome(code())], http: [tokens(), ok(), invalidGrant(), refused()], userinfo_endpoint });
    expect(revoked.results.map((r) => r.slice(0, 2))).toEqual([['probe.code_reuse', 'pass'], ['probe.code_reuse_revokes', 'pass']]);
    expect(revoked.requests[1]!.headers?.authorization).toBe('Bearer at-123456789');
    const kept = await run(codeReuse, { front: [outcome(code())], http: [tokens(), ok(), invalidGrant(), ok()], userinfo_endpoint });
    expect(kept.results[1]).toEqual(['probe.code_reuse_revokes', 'warn', 'after the refused replay, the access token issued from the first redemption still works at userinfo']);
    // userinfo never took the token: nothing to compare, so a skip and not a pass
    const never = await run(codeReuse, { front: [outcome(code())], http: [tokens(), refused(), invalidGrant()], userinfo_endpoint });
    expect(never.results[1]!.slice(0, 2)).toEqual(['probe.code_reuse_revokes', 'skip']);
  });

  it('PKCE downgrade: asks without code_challenge; a code then means pkce_required warns and the verifier redemption is judged', async () => {
    const refused = await run(pkceDowngrade, { front: [outcome(code())], http: [invalidGrant()] });
    expect(refused.variants).toEqual([{ pkce: 'none' }]);
    expect(refused.results.map((r) => r.slice(0, 2))).toEqual([['probe.pkce_required', 'warn'], ['probe.pkce_downgrade', 'pass']]);
    expect(String(refused.requests[0]!.body)).toMatch(/code_verifier=[A-Za-z0-9_-]{43}/);
    const accepted = await run(pkceDowngrade, { front: [outcome(code())], http: [tokens()] });
    expect(accepted.results.map((r) => r.slice(0, 2))).toEqual([['probe.pkce_required', 'warn'], ['probe.pkce_downgrade', 'fail']]);
    const error = await run(pkceDowngrade, { front: [outcome([['error', 'invalid_request'], ['state', 's']])] });
    expect(error.results.map((r) => r.slice(0, 2))).toEqual([['probe.pkce_required', 'pass'], ['probe.pkce_downgrade', 'pass']]);
    expect(error.requests).toEqual([]);
  });

  it('a probe whose token request the IdP refuses with invalid_client cannot tell: skipped, pointing at diagnosis.client_auth, never a warning about what it changed', async () => {
    const refused = response(401, { error: 'invalid_client' }, { 'content-type': 'application/json', 'www-authenticate': 'Basic' });
    const [id, status, message] = (await run(pkceMissing, { front: [outcome(code())], http: [refused] }, { client_id: 'web', method: 'client_secret_basic', client_secret: 'a-wrong-secret-value' })).results[0]!;
    expect([id, status]).toEqual(['probe.pkce_missing', 'skip']);
    expect(message).toMatch(/the client does not authenticate at the token endpoint, so this probe cannot tell \(see diagnosis\.client_auth\)$/);
  });

  it('PKCE plain: redeemed with code_verifier = code_challenge; accepted → warn', async () => {
    const { variants, results, requests } = await run(pkcePlain, { front: [outcome(code())], http: [tokens()] });
    expect(variants).toEqual([{ pkce: 'plain' }]);
    expect(results[0]!.slice(0, 2)).toEqual(['probe.pkce_plain', 'warn']);
    expect(String(requests[0]!.body)).toContain(`code_verifier=${'v'.repeat(43)}`);
  });

  it('redirect_uri altered: another path and an added query, each on its own listener; any arrival is an open redirect', async () => {
    const path = 'http://127.0.0.1:6000/oidc-cli-probe/altered';
    const query = 'http://127.0.0.1:6001/callback?oidc_cli_probe=altered';
    const open = await run(redirectUriAltered, { front: [outcome([['error', 'invalid_request'], ['state', 's']], { redirect_uri: path }), outcome(undefined, { redirect_uri: query })] });
    expect(open.variants).toEqual([{ altered: 'path', expectRefusal: true }, { altered: 'query', expectRefusal: true }]);
    expect(open.results).toEqual([['probe.redirect_uri_altered', 'fail', `open redirect: the IdP sent the browser to the unregistered ${path} with error=invalid_request`]]);
    const queryOnly = await run(redirectUriAltered, { front: [outcome(undefined, { redirect_uri: path }), outcome(code(), { redirect_uri: query })] });
    expect(queryOnly.results).toEqual([['probe.redirect_uri_altered', 'fail', `open redirect: the IdP sent the browser to the unregistered ${query} with a code (6 characters)`]]);
    const closed = await run(redirectUriAltered, { front: [outcome(undefined, { redirect_uri: path }), outcome(undefined, { redirect_uri: query })] });
    expect(closed.results[0]!.slice(0, 2)).toEqual(['probe.redirect_uri_altered', 'pass']);
    expect(closed.results[0]![2]).toBe(`no redirect to the unregistered ${path} or ${query}, their listeners saw nothing: the browser command "node" exited with code 1 before the authorization response arrived`);
  });

  it('unknown parameter, missing response_type, prompt=none: each outcome judged', async () => {
    expect((await run(unknownParameter, { front: [outcome([['error', 'invalid_request'], ['state', 's']])] })).results[0]!.slice(0, 2)).toEqual(['probe.unknown_parameter', 'fail']);
    const missing = await run(responseTypeMissing, { front: [outcome(code())] });
    expect(missing.variants).toEqual([{ omit: ['response_type'], expectRefusal: true }]);
    expect(missing.results[0]!.slice(0, 2)).toEqual(['probe.response_type_missing', 'fail']);
    expect((await run(responseTypeMissing, { front: [outcome(undefined)] })).results[0]!.slice(0, 2)).toEqual(['probe.response_type_missing', 'pass']);
    const judge = async (params: Array<[string, string]> | undefined) => (await run(promptNone, { front: [outcome(params)] })).results[0]!;
    expect((await run(promptNone, { front: [outcome(undefined)] })).variants).toEqual([{ extra: [['prompt', 'none']] }]);
    expect(await judge([['error', 'login_required'], ['state', 's']])).toEqual(['probe.prompt_none', 'pass', 'prompt=none without a session got error=login_required']);
    expect((await judge([['error', 'consent_required']]))[2]).toBe('prompt=none without a session got error=consent_required; expected error=login_required');
    expect((await judge(code()))[1]).toBe('fail');
    expect((await judge(undefined))[2]).toMatch(/^prompt=none without a session did not come back to the redirect_uri/);
  });

  it('a refused sign-in: access_denied passes, another error warns, a code means the refusal could not be tried', async () => {
    const judge = async (params: Array<[string, string]> | undefined, control?: FrontChannelOutcome) => (await run(consentDenied, { front: [outcome(params)], ...(control ? { control } : {}) })).results[0]!.slice(0, 2);
    expect((await run(consentDenied, { front: [outcome(undefined)] })).variants).toEqual([{ refuse: true }]);
    expect(await judge([['error', 'access_denied'], ['state', 's']])).toEqual(['probe.consent_denied', 'pass']);
    expect(await judge([['error', 'server_error']])).toEqual(['probe.consent_denied', 'warn']);
    expect(await judge(code())).toEqual(['probe.consent_denied', 'skip']);
    expect(await judge(undefined)).toEqual(['probe.consent_denied', 'warn']);
    expect(await judge(undefined, outcome(undefined))).toEqual(['probe.consent_denied', 'skip']);
  });

  it('no answer at all where the plain request gets none either: the probe cannot judge, skipped with the reason', async () => {
    const dead = outcome(undefined);
    for (const probe of [unknownParameter, promptNone]) {
      const [id, status, message] = (await run(probe, { front: [dead], control: dead })).results[0]!;
      expect([id, status]).toEqual([probe.ids[0], 'skip']);
      expect(message).toMatch(/^not even a plain authorization request came back .*the front channel does not work here/);
    }
  });

  it('wrong secret: skipped for a public or private_key_jwt client; without a user flow it uses client_credentials', async () => {
    expect((await run(clientSecretWrong, {})).results).toEqual([['probe.client_secret_wrong', 'skip', 'the client authenticates with none: no secret to get wrong']]);
    const cc = await run(clientSecretWrong, { http: [response(401, { error: 'invalid_client' }, { 'content-type': 'application/json', 'www-authenticate': 'Basic' })] }, { client_id: 'svc', method: 'client_secret_basic', client_secret: 'right-secret-value' });
    expect(cc.results).toEqual([['probe.client_secret_wrong', 'pass', 'client_credentials with a wrong secret (client_secret_basic): refused, HTTP 401 invalid_client']]);
    expect(String(cc.requests[0]!.body)).toBe('grant_type=client_credentials');
    expect(cc.requests[0]!.headers!.authorization).not.toBe(`Basic ${Buffer.from('svc:right-secret-value').toString('base64')}`);
  });

  it('token by GET: a GET with the grant in the query; a client_secret_post secret goes in a header, never the URL', async () => {
    const client = { client_id: 'web', method: 'client_secret_post' as const, client_secret: 'post-secret-value' };
    const { requests, results } = await run(tokenGet, { front: [outcome(code())], http: [tokens()] }, client);
    expect(results[0]!.slice(0, 2)).toEqual(['probe.token_get', 'warn']);
    expect(requests[0]!.method).toBe('GET');
    expect(requests[0]!.url).toMatch(/^https:\/\/idp\.example\/token\?grant_type=authorization_code&code=code-1&/);
    expect(requests[0]!.url).not.toContain('post-secret-value');
    expect(requests[0]!.headers!.authorization).toMatch(/^Basic /);
  });
});

describe('describeOutcome', () => {
  it('names the error, the code length, or why nothing came back', () => {
    expect(describeOutcome(outcome([['error', 'access_denied'], ['error_description', 'no']]))).toBe('error=access_denied ("no")');
    expect(describeOutcome(outcome(code('abc')))).toBe('a code (3 characters)');
    expect(describeOutcome(outcome(undefined, { noResponse: 'timed out' }))).toBe('no authorization response (timed out)');
  });
});

describe('--only / --skip', () => {
  it('matches an id, a group or dotted prefix, and a trailing *', () => {
    expect(matches('probe', 'probe.code_reuse')).toBe(true);
    expect(matches('probe.', 'probe.code_reuse')).toBe(true);
    expect(matches('probe.code_reuse', 'probe.code_reuse')).toBe(true);
    expect(matches('probe.code', 'probe.code_reuse')).toBe(false);
    expect(matches('refresh.id_token', 'refresh.id_token.iat')).toBe(true);
    expect(matches('id_token', 'refresh.id_token.iat')).toBe(false);
    expect(matches('probe.pkce_*', 'probe.pkce_plain')).toBe(true);
  });

  it('combines: only minus skip; comma lists; an unknown pattern is a usage error', () => {
    const select = selection(['probe,discovery.issuer_match'], ['probe.pkce_*']);
    expect(['probe.code_reuse', 'discovery.issuer_match', 'probe.pkce_plain', 'id_token.aud'].filter(select)).toEqual(['probe.code_reuse', 'discovery.issuer_match']);
    expect(selection(undefined, undefined)('anything.at_all')).toBe(true);
    expect(() => selection(['probes'], undefined)).toThrow(/--only probes: no check id or group matches/);
    expect(() => selection(undefined, ['nope.*'])).toThrow(/--skip nope\.\*/);
  });
});

describe('gate', () => {
  it('never runs more than its size at once, and runs everything', async () => {
    const run = gate(2);
    let active = 0;
    let peak = 0;
    const release: Array<() => void> = [];
    const jobs = Array.from({ length: 5 }, (_, i) =>
      run(async () => {
        active += 1;
        peak = Math.max(peak, active);
        await new Promise<void>((resolve) => release.push(resolve));
        active -= 1;
        return i;
      }),
    );
    while (release.length || active) {
      await new Promise((resolve) => setImmediate(resolve));
      release.shift()?.();
    }
    expect(await Promise.all(jobs)).toEqual([0, 1, 2, 3, 4]);
    expect(peak).toBe(2);
  });
});
