import { describe, expect, it } from 'vitest';
import { CheckRecorder } from '../../../src/checks/recorder.js';
import { judgeRefusal, refusalCauses } from '../../../src/core/diagnose/refused-token.js';
import { goodClaims, mint, nowSeconds, rsaKey } from '../../support/tokens.js';

const key = rsaKey('k');
const base = { client_id: 'my-app', resource: 'https://idp.test/me', now: nowSeconds() };

describe('why a resource refused the access token (the token is read for clues, never trusted)', () => {
  it('an ID token sent as the access token', () => {
    const idToken = mint(goodClaims({ aud: 'my-app', nonce: 'n-1' }), key);
    expect(refusalCauses({ ...base, access_token: idToken, challenge: 'Bearer error="invalid_token"' })[0]).toMatch(/^this looks like an ID token, not an access token/);
  });

  it('an access token minted for another API (RFC 8707 resource)', () => {
    const forApi = mint(goodClaims({ aud: 'https://api.example.com/' }), key, { typ: 'at+jwt' });
    expect(refusalCauses({ ...base, access_token: forApi, challenge: 'Bearer error="invalid_token"' })).toEqual([
      'the token\'s aud is ["https://api.example.com/"]: it was minted for that resource (RFC 8707 resource, RFC 9068 §4), not for https://idp.test/me',
    ]);
  });

  it('expired, or a clock that disagrees with the server\'s Date', () => {
    const expired = mint(goodClaims({ aud: 'https://idp.test', exp: base.now - 120 }), key, { typ: 'at+jwt' });
    expect(refusalCauses({ ...base, access_token: expired, challenge: undefined })).toEqual(['the token expired 120 s ago (exp)']);
    const skewed = refusalCauses({ ...base, access_token: expired, challenge: undefined, serverNow: base.now - 600 });
    expect(skewed[0]).toContain("the token expired by this machine's clock but not by the server's Date: the clocks disagree by 600 s");
  });

  it('insufficient_scope is a cause; the resource\'s own description is quoted beside it', () => {
    const c = new CheckRecorder();
    judgeRefusal({ ...base, access_token: 'opaque-token-value', challenge: 'Bearer error="insufficient_scope", scope="openid profile", error_description="needs openid"' }, c);
    expect(c.results[0]).toMatchObject({ status: 'fail', message: 'likely cause: the resource wants more scope (openid profile) than the token carries (RFC 6750 §3.1 insufficient_scope); the resource says: "needs openid"' });
  });

  it('nothing to go on: a skip that says so, never a guess', () => {
    const c = new CheckRecorder();
    judgeRefusal({ ...base, access_token: 'opaque-token-value', challenge: 'Bearer error="invalid_token"' }, c);
    expect(c.results[0]).toMatchObject({ id: 'diagnosis.token_refused', status: 'skip' });
  });
});
