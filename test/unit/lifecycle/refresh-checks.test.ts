import { describe, expect, it } from 'vitest';
import { CheckRecorder } from '../../../src/checks/recorder.js';
import { judgeRefreshedIdToken, judgeReuse, judgeRotation, rotationExpected } from '../../../src/core/refresh-checks.js';

const status = (c: CheckRecorder, id: string) => c.results.find((r) => r.id === id)?.status;
const now = 1_800_000_000;
const original = { iss: 'https://idp', sub: 'u1', aud: 'app', auth_time: now - 600, iat: now - 300, nonce: 'n-1' };

describe('rotation (RFC 9700 §2.2.2)', () => {
  it('is expected for public clients unless switched off, not for confidential ones unless asked', () => {
    expect(rotationExpected(undefined, 'none')).toBe(true);
    expect(rotationExpected(false, 'none')).toBe(false);
    expect(rotationExpected(undefined, 'client_secret_basic')).toBe(false);
    expect(rotationExpected(true, 'private_key_jwt')).toBe(true);
  });

  it('passes a new token, fails the same or a missing one when expected, skips with a note otherwise', () => {
    const c = new CheckRecorder();
    expect(judgeRotation('old', 'new', true, c)).toBe('rotated');
    judgeRotation('old', 'old', true, c);
    judgeRotation('old', undefined, true, c);
    judgeRotation('old', 'old', false, c);
    expect(c.results.map((r) => r.status)).toEqual(['pass', 'fail', 'fail', 'skip']);
    expect(c.results[2]!.message).toMatch(/no new refresh_token/);
  });
});

describe('refreshed ID token (OIDC Core §12.2)', () => {
  it('passes when iss/sub/aud/auth_time are kept, iat is fresh and nonce absent', () => {
    const c = new CheckRecorder();
    judgeRefreshedIdToken(original, { iss: 'https://idp', sub: 'u1', aud: ['app'], auth_time: now - 600, iat: now }, c, now);
    expect(c.results.every((r) => r.status === 'pass')).toBe(true);
  });

  it('fails a changed sub, a changed auth_time, a stale iat and a different nonce, each on its own id', () => {
    const c = new CheckRecorder();
    judgeRefreshedIdToken(original, { iss: 'https://idp', sub: 'u2', aud: 'app', auth_time: now, iat: now - 300, nonce: 'n-2' }, c, now);
    expect(status(c, 'refresh.id_token.subject')).toBe('fail');
    expect(c.results.find((r) => r.id === 'refresh.id_token.subject')!.message).toBe('sub: was "u1", now "u2"');
    expect(status(c, 'refresh.id_token.auth_time')).toBe('fail');
    expect(status(c, 'refresh.id_token.iat')).toBe('fail');
    expect(c.results.find((r) => r.id === 'refresh.id_token.iat')!.message).toMatch(/300 s old \(the original ID token's\)/);
    expect(status(c, 'refresh.id_token.nonce')).toBe('fail');
  });

  it('an iat equal to the original is fine when both are fresh (refresh within the same second)', () => {
    const c = new CheckRecorder();
    judgeRefreshedIdToken({ ...original, iat: now }, { ...original, iat: now, nonce: undefined }, c, now);
    expect(status(c, 'refresh.id_token.iat')).toBe('pass');
  });

  it('an added audience is a change', () => {
    const c = new CheckRecorder();
    judgeRefreshedIdToken(original, { ...original, aud: ['app', 'other'], iat: now }, c, now);
    expect(status(c, 'refresh.id_token.subject')).toBe('fail');
  });

  it('skips every rule when there is no new or no original ID token', () => {
    const a = new CheckRecorder();
    judgeRefreshedIdToken(original, undefined, a, now);
    const b = new CheckRecorder();
    judgeRefreshedIdToken(undefined, original, b, now);
    expect([...a.results, ...b.results].every((r) => r.status === 'skip')).toBe(true);
    expect(a.results).toHaveLength(4);
  });
});

describe('reuse probe', () => {
  it('passes invalid_grant, fails acceptance or another error', () => {
    const c = new CheckRecorder();
    judgeReuse(400, { error: 'invalid_grant' }, c);
    judgeReuse(200, { access_token: 'x' }, c);
    judgeReuse(400, { error: 'invalid_request' }, c);
    expect(c.results.map((r) => r.status)).toEqual(['pass', 'fail', 'fail']);
  });
});
