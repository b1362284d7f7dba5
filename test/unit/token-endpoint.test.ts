import { describe, expect, it } from 'vitest';
import { CheckRecorder } from '../../src/checks/recorder.js';
import { classifyToken, describeForm, judgeTokenResponse } from '../../src/core/token-endpoint.js';
import type { HttpResponse } from '../../src/http/types.js';
import { fakeResponse } from '../support/http-response.js';

function response(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return fakeResponse({ url: 'https://idp.example.com/token', status, body: text, headers: { 'content-type': 'application/json', ...headers }, date: new Date(), elapsedMs: 12 });
}

const GOOD = { access_token: 'opaque-access-token-value', token_type: 'Bearer', expires_in: 3600, id_token: 'h.p.s', refresh_token: 'r-1', scope: 'openid' };
const NO_STORE = { 'cache-control': 'no-store' };

function judge(res: HttpResponse, openid = true, basicAuth = false) {
  const checks = new CheckRecorder();
  const judgement = judgeTokenResponse(res, { openid, basicAuth }, checks);
  return { judgement, byId: Object.fromEntries(checks.results.map((c) => [c.id, c])) };
}

describe('judgeTokenResponse (RFC 6749 §5, OIDC Core §3.1.3.3)', () => {
  it('passes a well-formed response and returns the token set', () => {
    const { judgement, byId } = judge(response(200, GOOD, NO_STORE));
    expect(Object.values(byId).map((c) => c.status)).toEqual(Array(9).fill('pass'));
    expect(Object.keys(byId)).toEqual(expect.arrayContaining(['token_response.token_syntax', 'token_response.member_types']));
    expect(judgement.tokens).toMatchObject({ access_token: GOOD.access_token, token_type: 'Bearer', expires_in: 3600, id_token: 'h.p.s', refresh_token: 'r-1' });
    expect(byId['token_response.access_token_kind']?.message).toMatch(/^opaque/);
  });

  it('requires Cache-Control: no-store', () => {
    expect(judge(response(200, GOOD)).byId['token_response.no_store']?.status).toBe('fail');
    expect(judge(response(200, GOOD, { 'cache-control': 'private, max-age=0' })).byId['token_response.no_store']?.message).toBe('Cache-Control is "private, max-age=0", without no-store');
    expect(judge(response(200, GOOD, { 'cache-control': 'private, No-Store' })).byId['token_response.no_store']?.status).toBe('pass');
  });

  it('token_type is case-insensitive Bearer or DPoP, and required', () => {
    expect(judge(response(200, { ...GOOD, token_type: 'bearer' }, NO_STORE)).byId['token_response.token_type']?.status).toBe('pass');
    expect(judge(response(200, { ...GOOD, token_type: 'DPoP' }, NO_STORE)).byId['token_response.token_type']?.status).toBe('pass');
    expect(judge(response(200, { ...GOOD, token_type: 'mac' }, NO_STORE)).byId['token_response.token_type']?.status).toBe('fail');
    expect(judge(response(200, { ...GOOD, token_type: undefined }, NO_STORE)).byId['token_response.token_type']?.status).toBe('fail');
  });

  it('expires_in: missing warns, a string is the accepted quirk, over a year warns, over ten years or negative fails and is not used', () => {
    const status = (expires_in: unknown) => judge(response(200, { ...GOOD, expires_in }, NO_STORE)).byId['token_response.expires_in']?.status;
    expect(status(undefined)).toBe('warn');
    expect(status('3600')).toBe('warn');
    expect(judge(response(200, { ...GOOD, expires_in: '3600' }, NO_STORE)).judgement.tokens?.expires_in).toBe(3600);
    expect(status(2 * 365 * 86400)).toBe('warn');
    expect(status(3_600_000_000)).toBe('fail');
    expect(status(1e300)).toBe('fail');
    expect(status('99999999999999999999')).toBe('fail');
    expect(status({ toString: null })).toBe('fail');
    expect(status(-5)).toBe('fail');
    expect(status(1.5)).toBe('fail');
    for (const bad of [3_600_000_000, 1e300, -5, 'soon', {}]) expect(judge(response(200, { ...GOOD, expires_in: bad }, NO_STORE)).judgement.tokens?.expires_in).toBeUndefined();
  });

  it('id_token is required when openid was asked, and skipped otherwise', () => {
    const { id_token: _id, ...withoutIdToken } = GOOD;
    expect(judge(response(200, withoutIdToken, NO_STORE)).byId['token_response.id_token']?.status).toBe('fail');
    expect(judge(response(200, withoutIdToken, NO_STORE), false).byId['token_response.id_token']?.status).toBe('skip');
  });

  it('a 200 that is not JSON, or has no access_token, gives no tokens', () => {
    expect(judge(response(200, '<html>', { 'content-type': 'text/html' })).byId['token_response.status']?.message).toBe('HTTP 200, but the body is text/html, not JSON');
    const { judgement, byId } = judge(response(200, { token_type: 'Bearer' }, NO_STORE));
    expect(judgement.tokens).toBeUndefined();
    expect(byId['token_response.access_token']?.status).toBe('fail');
  });

  it('errors: 400 JSON passes error_format; invalid_client after Basic must be 401 with WWW-Authenticate', () => {
    const grant = judge(response(400, { error: 'invalid_grant', error_description: 'code expired' }));
    expect(grant.byId['token_response.status']?.message).toBe('HTTP 400: error=invalid_grant ("code expired")');
    expect(grant.byId['token_response.error_format']?.status).toBe('pass');
    expect(grant.judgement.error).toEqual({ error: 'invalid_grant', error_description: 'code expired' });
    expect(judge(response(400, { error: 'invalid_client' }), true, true).byId['token_response.error_format']?.status).toBe('fail');
    expect(judge(response(401, { error: 'invalid_client' }, { 'www-authenticate': 'Basic realm="x"' }), true, true).byId['token_response.error_format']?.status).toBe('pass');
    expect(judge(response(500, 'oops', { 'content-type': 'text/plain' })).byId['token_response.error_format']?.status).toBe('fail');
  });
});

describe('classifyToken and describeForm', () => {
  it('tells opaque, JWS and JWE apart by shape', () => {
    const header = Buffer.from('{"alg":"RS256"}').toString('base64url');
    expect(classifyToken('abc')).toBe('opaque');
    expect(classifyToken('a.b.c')).toBe('opaque');
    expect(classifyToken(`${header}.e30.sig`)).toBe('JWS');
    expect(classifyToken(`${header}.k.iv.ct.tag`)).toBe('JWE');
  });

  it('redacts credentials in the form unless asked to show them', () => {
    const form: Array<[string, string]> = [['grant_type', 'authorization_code'], ['code', 'abcdefghijklmnopqrstuvwxyz'], ['code_verifier', 'v'.repeat(43)], ['client_secret', 'shh-this-is-secret'], ['redirect_uri', 'http://127.0.0.1:1/callback']];
    expect(describeForm(form, false)).toEqual(['grant_type=authorization_code', 'code=abcdef…[redacted 26 chars]', 'code_verifier=[redacted]', 'client_secret=[redacted]', 'redirect_uri=http://127.0.0.1:1/callback']);
    expect(describeForm(form, true)[1]).toBe('code=abcdefghijklmnopqrstuvwxyz');
  });
});

describe('token_response.token_syntax (RFC 6749 Appendix A, VSCHAR)', () => {
  it('fails a token with an ESC, a C1 control or non-ASCII, naming the code point but not the token', () => {
    for (const bad of ['abc\u001b]52;c;x\u0007', 'abc\u009b2J', 'abcé']) {
      const { byId } = judge(response(200, { ...GOOD, refresh_token: bad }, NO_STORE));
      expect(byId['token_response.token_syntax']?.status).toBe('fail');
      expect(byId['token_response.token_syntax']?.message).toMatch(/refresh_token has a character outside VSCHAR \(U\+[0-9A-F]{4} at character 4\)/);
      expect(byId['token_response.token_syntax']?.message).not.toContain('abc');
    }
    expect(judge(response(200, GOOD, NO_STORE)).byId['token_response.token_syntax']?.status).toBe('pass');
  });
});
