import { describe, expect, it } from 'vitest';
import { CheckRecorder } from '../../../src/checks/recorder.js';
import { judgeClientAuthDiagnosis, type AuthAttempt } from '../../../src/core/diagnose/client-auth.js';

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
