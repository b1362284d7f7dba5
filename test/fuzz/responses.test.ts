// Issue 8: token responses, introspection responses and callback queries through their judges. Every
// run ends in checks that render; the security-relevant outcomes (tokens accepted, code redeemed,
// `active` trusted) only follow from an answer that earns them.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CheckRecorder } from '../../src/checks/recorder.js';
import { judgeCallback, type CallbackResponse } from '../../src/core/authorization.js';
import { judgeAgreement, judgeIntrospection, judgeUnauthenticated, judgeUnknownToken, judgeWrongHint } from '../../src/core/introspection-checks.js';
import { judgeTokenResponse } from '../../src/core/token-endpoint.js';
import type { HttpResponse } from '../../src/http/types.js';
import { FUZZ_TIMEOUT_MS, expectRenderable, jsonValue, nastyString, params } from './fuzz.js';
import { fakeResponse } from '../support/http-response.js';

function response(status: number, body: Buffer, headers: Record<string, string>): HttpResponse {
  return fakeResponse({ url: 'https://idp.example.com/token', status, body, headers, elapsedMs: 3 });
}

const tokenish = fc.oneof(fc.constantFrom('eyJhbGciOiJSUzI1NiJ9.e30.c2ln', 'a.b.c.d.e', 'opaque-token', ''), nastyString, jsonValue);
const tokenBody = fc.record(
  {
    access_token: tokenish,
    token_type: fc.oneof(fc.constantFrom('Bearer', 'bearer', 'DPoP', 'mac', ''), jsonValue),
    expires_in: fc.oneof(fc.integer(), fc.constantFrom('3600', '-1', '1e3', 3600.5, 31_536_001_000, 0), jsonValue),
    refresh_token: tokenish,
    id_token: tokenish,
    scope: fc.oneof(fc.constant('openid profile'), jsonValue),
    error: fc.oneof(fc.constantFrom('invalid_grant', 'invalid_client', 'invalid_request', 'unauthorized_client'), jsonValue),
    error_description: fc.oneof(nastyString, jsonValue),
  },
  { requiredKeys: [] },
);
const headersArb = fc.record(
  {
    'cache-control': fc.constantFrom('no-store', 'no-cache', 'private, no-store', 'no-storex', 'max-age=0, no-store , private', ''),
    'content-type': fc.constantFrom('application/json', 'text/html', 'application/json; charset=utf-8'),
    'www-authenticate': fc.constantFrom('Basic realm="idp"', ''),
  },
  { requiredKeys: [] },
);
const bodyBytes = fc.oneof(
  tokenBody.map((b) => Buffer.from(JSON.stringify(b))),
  jsonValue.map((v) => Buffer.from(JSON.stringify(v))),
  fc.uint8Array({ maxLength: 120 }).map((b) => Buffer.from(b)),
);

describe('fuzz: token responses through the token-response judge', () => {
  it('any status, headers and body: renderable checks; tokens only from a 200 JSON object with a string access_token', { timeout: FUZZ_TIMEOUT_MS }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(200, 200, 200, 400, 401, 403, 500, 302), headersArb, bodyBytes, fc.boolean(), fc.boolean(), async (status, headers, body, openid, basicAuth) => {
        const checks = new CheckRecorder();
        const judged = judgeTokenResponse(response(status, body, headers), { openid, basicAuth }, checks);
        expectRenderable('login', checks.results, { body: judged.body });
        if (judged.tokens) {
          expect(status).toBe(200);
          expect(typeof judged.tokens.access_token).toBe('string');
          expect(judged.tokens.access_token.length).toBeGreaterThan(0);
        }
        if (status !== 200) expect(checks.results.find((c) => c.id === 'token_response.status')?.status).toBe('fail');
      }),
      params(),
    );
  });
});

const introspectionBody = fc.oneof(
  fc.record({ active: fc.oneof(fc.boolean(), jsonValue), iss: jsonValue, client_id: jsonValue, sub: jsonValue, exp: jsonValue, scope: jsonValue, scp: jsonValue, azp: jsonValue, error: jsonValue }, { requiredKeys: [] }),
  fc.dictionary(nastyString, jsonValue),
);
const answerArb = fc.record({
  status: fc.constantFrom(200, 200, 400, 401, 500),
  body: fc.option(introspectionBody, { nil: undefined }),
});

describe('fuzz: introspection responses through their judges', () => {
  it('any answer: renderable checks; `active` trusted only from a 200 JSON object with a boolean', { timeout: FUZZ_TIMEOUT_MS }, async () => {
    await fc.assert(
      fc.asyncProperty(answerArb, answerArb, fc.option(fc.dictionary(fc.constantFrom('iss', 'client_id', 'sub', 'exp', 'scope', 'scp', 'azp'), jsonValue), { nil: undefined }), async (answer, probe, local) => {
        const c = new CheckRecorder();
        const active = judgeIntrospection(answer, c);
        judgeUnauthenticated(probe, c);
        judgeUnknownToken(probe, c);
        judgeWrongHint(probe, 'refresh_token', c);
        const rows = judgeAgreement(answer.body ?? {}, local, active, c);
        expectRenderable('introspect', c.results, { introspection: answer.body, rows });
        if (active !== undefined) {
          expect(answer.status).toBe(200);
          expect(answer.body?.active).toBe(active);
        }
        // An unauthenticated answer that says "active": true is always a leak.
        if (probe.status === 200 && probe.body?.active === true) expect(c.results.find((r) => r.id === 'introspection.requires_auth')?.status).toBe('fail');
      }),
      params(),
    );
  });
});

const STATE = 'st-9f2c1e';
const ISSUER = 'https://idp.example.com';
const paramName = fc.oneof(fc.constantFrom('code', 'state', 'iss', 'error', 'error_description', 'error_uri', 'session_state', 'id_token', 'CODE', 'state '), nastyString);
const paramValue = fc.oneof(fc.constantFrom(STATE, ISSUER, `${ISSUER}/`, 'the-code', '', 'access_denied', 'x'.repeat(3000)), nastyString);
const callbackArb: fc.Arbitrary<CallbackResponse> = fc.record({
  via: fc.constantFrom<CallbackResponse['via']>('query', 'query', 'form_post', 'fragment'),
  params: fc.oneof(
    fc.array(fc.tuple(paramName, paramValue), { maxLength: 8 }),
    // Near-valid responses, so the "proceed" branch is exercised too.
    fc.tuple(fc.constantFrom(STATE, `${STATE} `, STATE.toUpperCase()), fc.constantFrom(ISSUER, `${ISSUER}/`), fc.array(fc.tuple(paramName, paramValue), { maxLength: 2 })).map(([state, iss, extra]): Array<[string, string]> => [['code', 'the-code'], ['state', state], ['iss', iss], ...extra]),
  ),
});

describe('fuzz: callback queries through the callback judge', () => {
  it('any callback: renderable checks; the code is redeemed only with the exact state, one of each, no error, iss right', { timeout: FUZZ_TIMEOUT_MS }, async () => {
    await fc.assert(
      fc.asyncProperty(callbackArb, fc.boolean(), async (callback, issParameterSupported) => {
        const c = new CheckRecorder();
        const outcome = judgeCallback(callback, { state: STATE, issuer: ISSUER, issParameterSupported }, c);
        expectRenderable('login', c.results, { params: callback.params });
        if (outcome.proceed) {
          const all = (name: string) => callback.params.filter(([n]) => n === name).map(([, v]) => v);
          expect(callback.via).not.toBe('fragment');
          expect(all('state')).toEqual([STATE]);
          expect(all('code')).toHaveLength(1);
          expect(outcome.code).toBe(all('code')[0]);
          expect(outcome.code).not.toBe('');
          expect(all('error')).toEqual([]);
          if (issParameterSupported) expect(all('iss')).toEqual([ISSUER]);
          else expect(all('iss').every((iss) => iss === ISSUER)).toBe(true);
          expect(new Set(callback.params.map(([n]) => n)).size).toBe(callback.params.length);
        }
      }),
      params(),
    );
  });
});
