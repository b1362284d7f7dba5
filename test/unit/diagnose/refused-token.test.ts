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

describe('why a resource refused the token, with what its RFC 9728 metadata says (call)', () => {
  const metadata = { resource: 'https://mcp.example.com/mcp', authorization_servers: ['https://as.example.com'] };
  const atMcp = { ...base, resource: 'https://mcp.example.com/mcp' };

  it('a token from an authorization server the resource does not list', () => {
    const foreign = mint(goodClaims({ iss: 'https://other-idp.example', aud: 'https://mcp.example.com/mcp' }), key, { typ: 'at+jwt' });
    expect(refusalCauses({ ...atMcp, access_token: foreign, challenge: 'Bearer error="invalid_token"', metadata })).toEqual([
      'the token comes from "https://other-idp.example", and this resource takes tokens from ["https://as.example.com"] (its RFC 9728 authorization_servers)',
    ]);
  });

  it('an audience that only looks like a prefix of the resource is another resource', () => {
    const lookalike = mint(goodClaims({ iss: 'https://as.example.com', aud: 'https://mcp.example.com/mc' }), key, { typ: 'at+jwt' });
    expect(refusalCauses({ ...atMcp, access_token: lookalike, challenge: 'Bearer error="invalid_token"', metadata })[0]).toMatch(/^the token's aud is \["https:\/\/mcp\.example\.com\/mc"\]: it was minted for that resource/);
    const parent = mint(goodClaims({ iss: 'https://as.example.com', aud: 'https://mcp.example.com/' }), key, { typ: 'at+jwt' });
    expect(refusalCauses({ ...atMcp, access_token: parent, challenge: 'Bearer error="invalid_token"', metadata })).toEqual([]);
  });

  it('an opaque token refused as invalid_token by a resource that names itself: most likely not issued for it', () => {
    expect(refusalCauses({ ...atMcp, access_token: 'opaque-token-value', challenge: 'Bearer error="invalid_token"', metadata })).toEqual([
      'an opaque token that this resource (https://mcp.example.com/mcp) does not take: most likely it was not issued for it; ask for one with resource=https://mcp.example.com/mcp (RFC 8707)',
    ]);
    // Without the metadata there is nothing to go on.
    expect(refusalCauses({ ...atMcp, access_token: 'opaque-token-value', challenge: 'Bearer error="invalid_token"' })).toEqual([]);
  });

  it('RFC 9470 step-up and a DPoP-bound token sent as Bearer', () => {
    const token = mint(goodClaims({ aud: 'https://mcp.example.com/mcp' }), key, { typ: 'at+jwt' });
    expect(refusalCauses({ ...atMcp, access_token: token, challenge: 'Bearer error="insufficient_user_authentication", acr_values="urn:mfa", max_age="60"' })[0]).toBe(
      'the resource wants a stronger or more recent sign-in (acr_values=urn:mfa, max_age=60) (RFC 9470 step-up): sign in again asking for it',
    );
    expect(refusalCauses({ ...atMcp, access_token: token, challenge: 'DPoP algs="ES256"', tokenType: 'DPoP' })).toContain('the token is DPoP-bound (token_type DPoP, RFC 9449): it must be sent with a DPoP proof, not as a Bearer token');
  });
});
