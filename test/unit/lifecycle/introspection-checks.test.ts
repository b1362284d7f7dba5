import { describe, expect, it } from 'vitest';
import { CheckRecorder } from '../../../src/checks/recorder.js';
import { judgeAgreement, judgeIntrospection, judgeUnauthenticated, judgeUnknownToken, judgeWrongHint } from '../../../src/core/introspection-checks.js';

const status = (c: CheckRecorder, id: string) => c.results.find((r) => r.id === id)?.status;

describe('introspection response (RFC 7662 §2.2)', () => {
  it('active must be a JSON boolean', () => {
    for (const [body, expected] of [
      [{ active: true }, true],
      [{ active: false }, false],
      [{ active: 'true' }, undefined],
      [{}, undefined],
    ] as const) {
      const c = new CheckRecorder();
      expect(judgeIntrospection({ status: 200, body }, c)).toBe(expected);
      expect(status(c, 'introspection.active_boolean')).toBe(expected === undefined ? 'fail' : 'pass');
    }
  });

  it('a 401 fails introspection.status and says so', () => {
    const c = new CheckRecorder();
    expect(judgeIntrospection({ status: 401, body: { error: 'invalid_client' } }, c)).toBeUndefined();
    expect(c.results[0]!.message).toBe('answered 401 invalid_client, expected 200 JSON');
  });
});

describe('probes', () => {
  it('unauthenticated: any token data is a failure; a refusal or {active:false} is not', () => {
    const c = new CheckRecorder();
    judgeUnauthenticated({ status: 401, body: { error: 'invalid_client' } }, c);
    judgeUnauthenticated({ status: 200, body: { active: false } }, c);
    judgeUnauthenticated({ status: 200, body: { active: true, sub: 'u1' } }, c);
    judgeUnauthenticated({ status: 200, body: { active: false, sub: 'u1' } }, c);
    expect(c.results.map((r) => r.status)).toEqual(['pass', 'pass', 'fail', 'fail']);
  });

  it('unknown token: only 200 {"active": false} passes', () => {
    const c = new CheckRecorder();
    judgeUnknownToken({ status: 200, body: { active: false } }, c);
    judgeUnknownToken({ status: 400, body: { error: 'invalid_token' } }, c);
    expect(c.results.map((r) => r.status)).toEqual(['pass', 'fail']);
  });

  it('wrong hint: the token must still be found', () => {
    const c = new CheckRecorder();
    judgeWrongHint({ status: 200, body: { active: true } }, 'refresh_token', c);
    judgeWrongHint({ status: 200, body: { active: false } }, 'refresh_token', c);
    expect(c.results.map((r) => r.status)).toEqual(['pass', 'fail']);
  });
});

describe('agreement of introspection and the token', () => {
  const token = { iss: 'https://idp', client_id: 'app', sub: 'u1', exp: 100, scope: 'b a', jti: 'j' };

  it('compares iss, client_id, sub, exp and scope (scope as a set, scp arrays too)', () => {
    const c = new CheckRecorder();
    const rows = judgeAgreement({ active: true, iss: 'https://idp', client_id: 'app', sub: 'u1', exp: 100, scope: 'a b' }, token, true, c);
    expect(c.results.map((r) => r.status)).toEqual(['pass', 'pass', 'pass', 'pass', 'pass']);
    expect(rows.find(([claim]) => claim === 'jti')).toEqual(['jti', '', 'j']);
    const d = new CheckRecorder();
    judgeAgreement({ active: true, scope: 'a b' }, { scp: ['a', 'b'] }, true, d);
    expect(status(d, 'introspection.agree.scope')).toBe('pass');
  });

  it('warns on each claim that differs, quoting both values', () => {
    const c = new CheckRecorder();
    judgeAgreement({ active: true, iss: 'https://other', client_id: 'app', sub: 'u2', exp: 100 }, token, true, c);
    expect(status(c, 'introspection.agree.iss')).toBe('warn');
    expect(c.results.find((r) => r.id === 'introspection.agree.sub')!.message).toBe('introspection says "u2", the token says "u1"');
    expect(status(c, 'introspection.agree.scope')).toBe('skip');
  });

  it('skips everything for an inactive or an opaque token', () => {
    const c = new CheckRecorder();
    judgeAgreement({ active: false }, token, false, c);
    judgeAgreement({ active: true, sub: 'u1' }, undefined, true, c);
    expect(c.results.every((r) => r.status === 'skip')).toBe(true);
  });
});
