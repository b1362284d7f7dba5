import { describe, expect, it } from 'vitest';
import { CheckRecorder } from '../../src/checks/recorder.js';
import { buildAuthorizationUrl, isFrontChannelCredential, judgeCallback, judgePkce, judgeRedirectUri, judgeStrayCallbacks, type CallbackResponse, type StrayCallbacks } from '../../src/core/authorization.js';
import { createPkce } from '../../src/core/pkce.js';
import { b64u, fakeJwe } from '../support/tokens.js';

const ISSUER = 'https://idp.example.com';
const STATE = 'state-123';
const expectations = { state: STATE, issuer: ISSUER, issParameterSupported: true };

function judge(response: CallbackResponse, expect_ = expectations) {
  const checks = new CheckRecorder();
  const outcome = judgeCallback(response, expect_, checks);
  const status = Object.fromEntries(checks.results.map((c) => [c.id, c.status]));
  return { outcome, checks: checks.results, status };
}
const query = (params: Array<[string, string]>): CallbackResponse => ({ via: 'query', params });

describe('buildAuthorizationUrl', () => {
  const pkce = createPkce('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk');
  const base = { authorization_endpoint: 'https://idp.example.com/authorize?tenant=t1', client_id: 'cli', redirect_uri: 'http://127.0.0.1:5000/callback', scope: 'openid email', state: STATE, nonce: 'n-1', pkce };

  it('carries code, PKCE S256, state and nonce, and keeps the endpoint\'s own query', () => {
    const url = buildAuthorizationUrl(base);
    expect(url.origin + url.pathname).toBe('https://idp.example.com/authorize');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      tenant: 't1', response_type: 'code', client_id: 'cli', redirect_uri: 'http://127.0.0.1:5000/callback', scope: 'openid email',
      state: STATE, nonce: 'n-1', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256',
    });
  });

  it('adds the optional parameters, repeats resource, and lets --param replace or add', () => {
    const url = buildAuthorizationUrl({ ...base, prompt: 'login', login_hint: 'a@b', max_age: 600, acr_values: 'mfa', resource: ['https://a/', 'https://b/'], response_mode: 'form_post', extra: [['ui_locales', 'fr'], ['prompt', 'consent']] });
    expect(url.searchParams.getAll('resource')).toEqual(['https://a/', 'https://b/']);
    expect(url.searchParams.get('max_age')).toBe('600');
    expect(url.searchParams.get('response_mode')).toBe('form_post');
    expect(url.searchParams.get('prompt')).toBe('consent');
    expect(url.searchParams.get('ui_locales')).toBe('fr');
    expect(() => buildAuthorizationUrl({ ...base, extra: [['state', 'x']] })).toThrow(/cannot set state/);
  });
});

describe('judgeCallback', () => {
  it('proceeds on code + exact state + the right iss', () => {
    const { outcome, status } = judge(query([['code', 'c-1'], ['state', STATE], ['iss', ISSUER]]));
    expect(outcome).toEqual({ proceed: true, code: 'c-1', error: undefined });
    expect(status).toEqual({ 'authorization.repeated_params': 'pass', 'authorization.front_channel_tokens': 'pass', 'authorization.error': 'pass', 'authorization.state': 'pass', 'authorization.iss': 'pass', 'authorization.code_in_query': 'pass' });
  });

  it('fails a missing state, and a state that differs by one byte, quoting both', () => {
    expect(judge(query([['code', 'c'], ['iss', ISSUER]])).status['authorization.state']).toBe('fail');
    const wrong = judge(query([['code', 'c'], ['state', `${STATE} `], ['iss', ISSUER]]));
    expect(wrong.outcome.proceed).toBe(false);
    expect(wrong.checks.find((c) => c.id === 'authorization.state')?.message).toBe(`expected "${STATE}", got "${STATE} "`);
  });

  it('RFC 9207 iss: advertised but missing fails; foreign fails; present but unadvertised warns; neither warns (no mix-up defence) and the login goes on', () => {
    expect(judge(query([['code', 'c'], ['state', STATE]])).status['authorization.iss']).toBe('fail');
    expect(judge(query([['code', 'c'], ['state', STATE], ['iss', 'https://idp.example.com/']])).status['authorization.iss']).toBe('fail');
    const unadvertised = { ...expectations, issParameterSupported: false };
    expect(judge(query([['code', 'c'], ['state', STATE], ['iss', ISSUER]]), unadvertised).status['authorization.iss']).toBe('warn');
    const neither = judge(query([['code', 'c'], ['state', STATE]]), unadvertised);
    expect(neither.status['authorization.iss']).toBe('warn');
    expect(neither.checks.find((c) => c.id === 'authorization.iss')?.message).toContain('RFC 9700 §4.4');
    expect(neither.outcome.proceed).toBe(true);
  });

  it('refuses repeated parameters (a second code or state) before anything else', () => {
    const { outcome, checks } = judge(query([['code', 'a'], ['code', 'b'], ['state', STATE], ['iss', ISSUER]]));
    expect(outcome.proceed).toBe(false);
    expect(checks.map((c) => [c.id, c.status])).toEqual([['authorization.repeated_params', 'fail']]);
    expect(checks[0]?.message).toBe('repeated in the callback: code (2×)');
  });

  it('tens of thousands of parameters are counted in one pass and listed in one short line', () => {
    const params: Array<[string, string]> = Array.from({ length: 40_000 }, (_, i) => [`p${i % 20_000}`, 'x']);
    const started = performance.now();
    const { checks } = judge(query(params));
    // A bound that tells linear from quadratic (minutes) on a loaded machine, not a speed target.
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(checks[0]?.message).toMatch(/^repeated in the callback: p0 \(2×\), p1 \(2×\), .*… and 19990 more$/);
  });

  it('a code in the fragment is reported as such and never redeemed', () => {
    const { outcome, checks } = judge({ via: 'fragment', params: [['code', 'c'], ['state', STATE]] });
    expect(outcome.proceed).toBe(false);
    expect(checks.map((c) => [c.id, c.status])).toEqual([['authorization.code_in_query', 'fail']]);
    expect(checks[0]?.message).toBe('the response came in the URL fragment (#code&state), not in the query');
  });

  it('an error response fails authorization.error with the description, and still judges state', () => {
    const { outcome, checks, status } = judge(query([['error', 'access_denied'], ['error_description', 'User said no'], ['state', STATE], ['iss', ISSUER]]));
    expect(outcome).toEqual({ proceed: false, code: undefined, error: { error: 'access_denied', error_description: 'User said no' } });
    expect(checks.find((c) => c.id === 'authorization.error')?.message).toBe('the IdP answered error=access_denied ("User said no")');
    expect(status['authorization.state']).toBe('pass');
    expect(status['authorization.code_in_query']).toBeUndefined();
    expect(judge(query([['error', 'made_up'], ['state', STATE], ['iss', ISSUER]])).checks.find((c) => c.id === 'authorization.error')?.message).toMatch(/not an error code registered/);
  });

  it('form_post responses are judged the same way', () => {
    expect(judge({ via: 'form_post', params: [['code', 'c'], ['state', STATE], ['iss', ISSUER]]}).outcome.proceed).toBe(true);
  });
});

describe('judgeRedirectUri and judgePkce', () => {
  const one = (f: (c: CheckRecorder) => void) => {
    const c = new CheckRecorder();
    f(c);
    return c.results[0]!;
  };
  it('prefers loopback IP literals over localhost (RFC 8252 §8.3)', () => {
    expect(one((c) => judgeRedirectUri('http://127.0.0.1:5000/callback', c)).status).toBe('pass');
    expect(one((c) => judgeRedirectUri('http://[::1]:5000/callback', c)).status).toBe('pass');
    expect(one((c) => judgeRedirectUri('http://localhost:5000/callback', c)).status).toBe('warn');
  });
  it('warns when the IdP lists code_challenge_methods without S256', () => {
    expect(one((c) => judgePkce(['S256'], c)).status).toBe('pass');
    expect(one((c) => judgePkce(['plain'], c)).status).toBe('warn');
    expect(one((c) => judgePkce(undefined, c)).status).toBe('pass');
  });
});

describe('authorization.front_channel_tokens (RFC 9700 §2.1.2)', () => {
  it('fails when a code-only request gets tokens back, passes when the response_type asked for them', () => {
    const tokens: Array<[string, string]> = [['code', 'c-1'], ['state', STATE], ['iss', ISSUER], ['id_token', 'x.y.z'], ['access_token', 'at-1']];
    const codeOnly = judge(query(tokens));
    expect(codeOnly.status['authorization.front_channel_tokens']).toBe('fail');
    expect(codeOnly.outcome.proceed).toBe(false);
    const hybrid = judge(query(tokens), { ...expectations, responseType: 'code id_token token' });
    expect(hybrid.status['authorization.front_channel_tokens']).toBe('pass');
  });
});

describe('authorization.front_channel_tokens in a fragment', () => {
  it('is judged before the fragment is refused, so both failures are named', () => {
    const { status } = judge({ via: 'fragment', params: [['access_token', 'at-123456'], ['state', STATE]] });
    expect(status['authorization.front_channel_tokens']).toBe('fail');
    expect(status['authorization.code_in_query']).toBe('fail');
  });
});

describe('authorization.stray_callbacks (RFC 6749 §10.12)', () => {
  const none: StrayCallbacks = { state: 0, body: 0, method: 0, host: 0, unreadable: 0, late: 0 };
  const stray = (strays: Partial<StrayCallbacks>) => {
    const checks = new CheckRecorder();
    judgeStrayCallbacks({ ...none, ...strays }, '/callback', checks);
    return checks.results.find((c) => c.id === 'authorization.stray_callbacks');
  };

  it('passes when nothing but the response came', () => {
    expect(stray({})).toMatchObject({ status: 'pass', message: 'no request to /callback other than the authorization response' });
  });

  it('names every kind of refused request with its count, and points at authorization.state only when some lacked it', () => {
    expect(stray({ method: 3, host: 1, unreadable: 2, late: 1, body: 1 })?.message).toBe(
      "8 requests to /callback were not the authorization response and were refused: 1 with a body over 64 KiB (HTTP 413), 3 with a method other than GET or POST (HTTP 405), 1 addressed to a host other than the listener's own (HTTP 421), 2 the listener could not read (HTTP 400 or 431), 1 after the response had come (HTTP 404)",
    );
    expect(stray({ state: 1 })).toMatchObject({
      status: 'warn',
      message: '1 request to /callback was not the authorization response and was refused: 1 without the state that was sent (HTTP 400) (authorization.state says whether the response that was judged carried the state)',
    });
  });
});

describe('a credential in the front channel, by name or by value', () => {
  const jws = `${b64u('{"alg":"HS256"}')}.${b64u('{"sub":"u"}')}.c2ln`;
  const unsigned = `${b64u('{"alg":"none"}')}.${b64u('{"sub":"u"}')}.`;

  it('is the code, anything named like a token, response (JARM), jwt or an assertion, and any compact JWS or JWE', () => {
    for (const name of ['code', 'access_token', 'session_token', 'idToken', 'response', 'jwt', 'assertion', 'client_assertion', 'logout_token']) expect(isFrontChannelCredential(name, 'opaque-value'), name).toBe(true);
    for (const value of [jws, unsigned, fakeJwe()]) expect(isFrontChannelCredential('result', value)).toBe(true);
  });

  it('is not a state, an iss, token_type, or a dotted value without a JSON header', () => {
    for (const [name, value] of [['state', 'abc.def.ghi'], ['iss', 'https://idp.example.com'], ['token_type', 'Bearer'], ['version', '1.2.3'], ['host', 'www.example.com'], ['session_state', 'a1b2.c3d4'], ['blob', `${b64u('[1]')}.e30.x`]]) {
      expect(isFrontChannelCredential(name!, value!), `${name}=${value}`).toBe(false);
    }
  });

  it('fails authorization.front_channel_tokens for a JWT under any name in a code-only response, naming each', () => {
    const { status, outcome, checks } = judge(query([['code', 'c-1'], ['state', STATE], ['iss', ISSUER], ['response', jws], ['blob', fakeJwe()], ['note', 'a.b.c']]));
    expect(status['authorization.front_channel_tokens']).toBe('fail');
    expect(outcome.proceed).toBe(false);
    expect(checks.find((c) => c.id === 'authorization.front_channel_tokens')?.message).toMatch(/carries response, blob$/);
  });
});
