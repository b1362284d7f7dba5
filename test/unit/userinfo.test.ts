import { SignJWT, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { KeySource } from '../../src/core/jwt/types.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { CheckRecorder } from '../../src/checks/recorder.js';
import { judgeUserinfo, type UserinfoExpectations } from '../../src/core/userinfo.js';
import type { HttpResponse } from '../../src/http/types.js';
import { fakeResponse } from '../support/http-response.js';

function response(status: number, text: string, headers: Record<string, string>): HttpResponse {
  return fakeResponse({ url: 'https://idp.example.com/userinfo', status, body: text, headers, elapsedMs: 3 });
}
const JSON_TYPE = { 'content-type': 'application/json' };

let privateKey: CryptoKey;
let keys: KeySource;
beforeAll(async () => {
  const pair = await generateKeyPair('ES256');
  privateKey = pair.privateKey;
  keys = { keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256' }], label: 'jwks_uri https://idp.example.com/jwks', published: true };
});

async function judge(res: HttpResponse, overrides: Partial<UserinfoExpectations> = {}) {
  const checks = new CheckRecorder();
  const claims = await judgeUserinfo(res, { sub: 'user-1', issuer: 'https://idp.example.com', client_id: 'cli', keys, ...overrides }, checks);
  return { claims, byId: Object.fromEntries(checks.results.map((c) => [c.id, c])) };
}

describe('judgeUserinfo (OIDC Core §5.3)', () => {
  it('passes when sub equals the ID token\'s', async () => {
    const { claims, byId } = await judge(response(200, JSON.stringify({ sub: 'user-1', email: 'a@b' }), JSON_TYPE));
    expect(claims).toEqual({ sub: 'user-1', email: 'a@b' });
    expect(byId['userinfo.sub']?.status).toBe('pass');
    expect(byId['userinfo.signed']?.status).toBe('skip');
  });

  it('fails a different or missing sub, quoting both', async () => {
    expect((await judge(response(200, JSON.stringify({ sub: 'user-2' }), JSON_TYPE))).byId['userinfo.sub']?.message).toBe('expected the ID token\'s sub "user-1", got "user-2"');
    expect((await judge(response(200, JSON.stringify({ name: 'x' }), JSON_TYPE))).byId['userinfo.sub']?.status).toBe('fail');
  });

  it('a 401 fails userinfo.status with the WWW-Authenticate challenge', async () => {
    const { byId } = await judge(response(401, '', { 'www-authenticate': 'Bearer error="invalid_token"' }));
    expect(byId['userinfo.status']?.message).toBe('HTTP 401 (WWW-Authenticate: Bearer error="invalid_token")');
  });

  it('verifies a signed (application/jwt) response with the issuer\'s keys, iss and aud', async () => {
    const sign = (claims: Record<string, unknown>) => new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).sign(privateKey);
    const good = await sign({ sub: 'user-1', iss: 'https://idp.example.com', aud: 'cli' });
    const ok = await judge(response(200, good, { 'content-type': 'application/jwt' }));
    expect(ok.byId['userinfo.signed']?.status).toBe('pass');
    expect(ok.byId['userinfo.sub']?.status).toBe('pass');
    const wrongAud = await judge(response(200, await sign({ sub: 'user-1', iss: 'https://idp.example.com', aud: 'other' }), { 'content-type': 'application/jwt' }));
    expect(wrongAud.byId['userinfo.signed']?.status).toBe('fail');
    expect(wrongAud.claims).toBeUndefined();
  });

  it('never verifies with a key anyone can forge with: an oct key from jwks_uri, or a JWE', async () => {
    const secret = 'a-published-hmac-key-0123456789abcdef';
    const oct: JWK = { kty: 'oct', kid: 'h1', k: Buffer.from(secret).toString('base64url') };
    const forged = await new SignJWT({ sub: 'user-1', iss: 'https://idp.example.com', aud: 'cli' }).setProtectedHeader({ alg: 'HS256', kid: 'h1' }).sign(new TextEncoder().encode(secret));
    const published = await judge(response(200, forged, { 'content-type': 'application/jwt' }), { keys: { ...keys, keys: [...keys.keys, oct] } });
    expect(published.byId['userinfo.signed']?.status).toBe('fail');
    expect(published.byId['userinfo.signed']?.message).toMatch(/symmetric \(oct\) key published at a URL is public knowledge/);
    expect(published.claims).toBeUndefined();
    const jwe = ['{"alg":"RSA-OAEP","enc":"A256GCM"}', 'k', 'iv', 'ct', 'tag'].map((part) => Buffer.from(part).toString('base64url')).join('.');
    expect((await judge(response(200, jwe, { 'content-type': 'application/jwt' }))).byId['userinfo.signed']?.status).toBe('fail');
  });
});
