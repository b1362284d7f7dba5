import { describe, expect, it } from 'vitest';
import { CheckRecorder } from '../../../src/checks/recorder.js';
import { judgeAttempt, judgeClientAuthDiagnosis, type AuthAttempt } from '../../../src/core/diagnose/client-auth.js';
import { fakeResponse } from '../../support/http-response.js';

const attempt = (variant: AuthAttempt['variant'], authenticated: boolean): AuthAttempt => ({ variant, authenticated, answer: authenticated ? 'HTTP 400 invalid_grant' : 'HTTP 401 invalid_client' });
function judge(used: 'client_secret_basic' | 'client_secret_post', attempts: AuthAttempt[]) {
  const c = new CheckRecorder();
  judgeClientAuthDiagnosis(used, attempts, c);
  return c.results[0]!;
}

describe('judgeClientAuthDiagnosis (the pure half of the invalid_client diagnosis)', () => {
  it('nothing authenticates: the secret or the registration is wrong', () => {
    const result = judge('client_secret_basic', [attempt('client_secret_basic', false), attempt('client_secret_post', false)]);
    expect(result).toMatchObject({ id: 'diagnosis.client_auth', status: 'fail' });
    expect(result.message).toContain('no way of sending this client_id and secret authenticates');
  });

  it('Basic raw works where RFC 6749 §2.3.1 Basic does not: the IdP does not form-urldecode', () => {
    const result = judge('client_secret_basic', [attempt('client_secret_basic', false), attempt('client_secret_basic without form-urlencoding', true), attempt('client_secret_post', false)]);
    expect(result.message).toMatch(/^this IdP does not form-urldecode client_secret_basic credentials \(RFC 6749 §2\.3\.1\)/);
    expect(result.message).not.toContain('client_secret_post works');
    expect(result.hint).toContain('--client-auth client_secret_post');
  });

  it('another method works: name it and the flag', () => {
    const result = judge('client_secret_post', [attempt('client_secret_basic', true), attempt('client_secret_post', false)]);
    expect(result.message).toContain('the IdP refuses client_secret_post for this client but accepts client_secret_basic');
    expect(result.hint).toBe('Pass --client-auth client_secret_basic, or register the client for client_secret_post.');
  });

  it('the method used does authenticate: the invalid_client came from the code request, and that is said as a pass', () => {
    const result = judge('client_secret_basic', [attempt('client_secret_basic', true), attempt('client_secret_post', true)]);
    expect(result.status).toBe('pass');
    expect(result.message).toContain('the invalid_client came from the code request itself');
  });
});

describe('what one experiment proves (judgeAttempt)', () => {
  const answer = (status: number, error?: string) => judgeAttempt(fakeResponse({ status, body: error === undefined ? 'internal error' : JSON.stringify({ error }), headers: { 'content-type': error === undefined ? 'text/plain' : 'application/json' } }));

  it('invalid_client or a 401 refuses the client; invalid_grant, unauthorized_client and invalid_scope prove it authenticated', () => {
    expect(answer(401, 'invalid_client').authenticated).toBe(false);
    expect(answer(400, 'invalid_client').authenticated).toBe(false);
    expect(answer(401).authenticated).toBe(false);
    for (const error of ['invalid_grant', 'unauthorized_client', 'invalid_scope']) expect([error, answer(400, error).authenticated]).toEqual([error, true]);
  });

  it('a 5xx, unsupported_grant_type or a body without an OAuth error proves nothing', () => {
    expect(answer(500).authenticated).toBeUndefined();
    expect(answer(400, 'unsupported_grant_type').authenticated).toBeUndefined();
    expect(answer(400).authenticated).toBeUndefined();
    expect(answer(503, 'temporarily_unavailable').authenticated).toBeUndefined();
  });

  it('answers that prove nothing give no diagnosis (a skip with them quoted), never a guess', () => {
    const unknown = (variant: AuthAttempt['variant']): AuthAttempt => ({ variant, authenticated: undefined, answer: 'HTTP 500' });
    expect(judge('client_secret_basic', [unknown('client_secret_basic'), unknown('client_secret_post')])).toMatchObject({ status: 'skip', message: expect.stringMatching(/do not tell whether the client authenticated \(client_secret_basic: HTTP 500; client_secret_post: HTTP 500\)/) });
    expect(judge('client_secret_basic', [attempt('client_secret_basic', false), unknown('client_secret_post')])).toMatchObject({ status: 'skip' });
  });
});
