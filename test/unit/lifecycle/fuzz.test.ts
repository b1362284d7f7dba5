// Hostile answers to the lifecycle judges (issue 8): any JSON from an introspection, device or refresh
// endpoint ends in judged checks with catalogue ids, never an exception.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkDefinition } from '../../../src/checks/catalogue.js';
import { CheckRecorder } from '../../../src/checks/recorder.js';
import { judgeDeviceAuthorization } from '../../../src/core/device.js';
import { judgeAgreement, judgeIntrospection, judgeUnauthenticated, judgeUnknownToken, judgeWrongHint } from '../../../src/core/introspection-checks.js';
import { judgeRefreshedIdToken, judgeReuse, judgeRotation } from '../../../src/core/refresh-checks.js';
import type { HttpResponse } from '../../../src/http/types.js';
import { fakeResponse } from '../../support/http-response.js';

const body = fc.oneof(fc.jsonValue(), fc.dictionary(fc.constantFrom('active', 'iss', 'sub', 'client_id', 'exp', 'scope', 'scp', 'azp', 'error', 'device_code', 'user_code', 'verification_uri', 'verification_uri_complete', 'expires_in', 'interval', 'aud', 'iat', 'auth_time', 'nonce'), fc.jsonValue()));
const object = (value: unknown) => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined);
const status = fc.constantFrom(200, 400, 401, 500, 302);

function wellFormed(c: CheckRecorder): void {
  for (const result of c.results) {
    expect(checkDefinition(result.id).id).toBe(result.id);
    expect(['pass', 'fail', 'warn', 'skip']).toContain(result.status);
    expect(typeof result.message).toBe('string');
  }
}

function response(code: number, value: unknown): HttpResponse {
  return fakeResponse({ url: 'http://127.0.0.1/x', status: code, body: value === undefined ? '' : JSON.stringify(value), headers: { 'content-type': 'application/json' } });
}

describe('lifecycle judges under arbitrary JSON', () => {
  it('introspection', () => {
    fc.assert(
      fc.property(status, body, body, (code, a, b) => {
        const c = new CheckRecorder();
        const active = judgeIntrospection({ status: code, body: object(a) }, c);
        expect(active === undefined || typeof active === 'boolean').toBe(true);
        judgeUnauthenticated({ status: code, body: object(a) }, c);
        judgeUnknownToken({ status: code, body: object(a) }, c);
        judgeWrongHint({ status: code, body: object(a) }, 'access_token', c);
        const rows = judgeAgreement(object(a) ?? {}, object(b), active, c);
        for (const row of rows) expect(row.every((cell) => typeof cell === 'string')).toBe(true);
        wellFormed(c);
      }),
      { numRuns: 300 },
    );
  });

  it('device authorization', () => {
    fc.assert(
      fc.property(status, body, (code, value) => {
        const c = new CheckRecorder();
        const auth = judgeDeviceAuthorization(response(code, value), c);
        if (auth) expect(auth.interval).toBeGreaterThan(0);
        wellFormed(c);
      }),
      { numRuns: 300 },
    );
  });

  it('refresh', () => {
    fc.assert(
      fc.property(body, body, status, fc.option(fc.string()), (a, b, code, newToken) => {
        const c = new CheckRecorder();
        judgeRefreshedIdToken(object(a), object(b), c);
        judgeReuse(code, a, c);
        judgeRotation('old', newToken ?? undefined, true, c);
        wellFormed(c);
      }),
      { numRuns: 300 },
    );
  });
});
