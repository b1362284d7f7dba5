// The pure parts of RFC 9101 (request objects) and JARM (response JWTs): no network, no IdP.
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { CheckRecorder } from '../../src/checks/recorder.js';
import type { SigningKey } from '../../src/core/client-auth.js';
import { requestObjectAlg, requestObjectClaims, signRequestObject, unsignedRequestObject } from '../../src/core/jar.js';
import { jarmState, judgeJarmMetadata, verifyJarmResponse } from '../../src/core/jarm.js';

const rsa: SigningKey = { key: createPrivateKey(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' })), alg: 'RS256', kid: 'k1' };
const ec: SigningKey = { key: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey, alg: 'ES256', kid: undefined };
const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString());

describe('request objects (RFC 9101)', () => {
  it('picks the key\'s own alg when listed, else one the IdP lists that the key can make, else says it has none', () => {
    expect(requestObjectAlg(rsa, ['RS256', 'PS256'])).toEqual({ alg: 'RS256', advertised: true });
    expect(requestObjectAlg(rsa, ['ES256', 'PS256'])).toEqual({ alg: 'PS256', advertised: true });
    expect(requestObjectAlg(rsa, ['ES256'])).toEqual({ alg: 'RS256', advertised: false });
    expect(requestObjectAlg(ec, undefined)).toEqual({ alg: 'ES256', advertised: undefined });
  });

  it('every parameter a claim (repeated ones as arrays, max_age a number), iss = client_id, aud = issuer, a short exp', () => {
    const params = new URLSearchParams([['response_type', 'code'], ['client_id', 'app'], ['resource', 'https://a/'], ['resource', 'https://b/'], ['max_age', '60'], ['request', 'x']]);
    const claims = requestObjectClaims(params, { client_id: 'app', issuer: 'https://idp.example', now: 1000 });
    expect(claims).toMatchObject({ response_type: 'code', client_id: 'app', resource: ['https://a/', 'https://b/'], max_age: 60, iss: 'app', aud: 'https://idp.example', iat: 1000, nbf: 1000, exp: 1300 });
    expect(claims).not.toHaveProperty('request');
    expect(typeof claims.jti).toBe('string');
  });

  it('signed: typ oauth-authz-req+jwt and the kid; unsigned: alg none and an empty signature', async () => {
    const claims = requestObjectClaims(new URLSearchParams([['scope', 'openid']]), { client_id: 'app', issuer: 'https://idp.example', now: 1000 });
    const signed = await signRequestObject(claims, { key: rsa, alg: 'PS256' });
    expect(decode(signed.split('.')[0]!)).toEqual({ alg: 'PS256', typ: 'oauth-authz-req+jwt', kid: 'k1' });
    const unsigned = unsignedRequestObject(claims);
    expect(unsigned.endsWith('.')).toBe(true);
    expect(decode(unsigned.split('.')[0]!)).toEqual({ alg: 'none', typ: 'oauth-authz-req+jwt' });
    expect(decode(unsigned.split('.')[1]!)).toEqual(claims);
  });
});

describe('JARM response JWTs', () => {
  it('the state is read from inside the JWT, else from a plain error response', () => {
    const jwt = `e30.${Buffer.from('{"state":"s1"}').toString('base64url')}.c2ln`;
    expect(jarmState([['response', jwt]])).toBe('s1');
    expect(jarmState([['error', 'access_denied'], ['state', 's2']])).toBe('s2');
    expect(jarmState([['response', 'garbage']])).toBeUndefined();
  });

  it('jarm.advertised: the mode and authorization_signing_alg_values_supported in the metadata', () => {
    const c = new CheckRecorder();
    judgeJarmMetadata({ response_modes_supported: ['query', 'jwt'], authorization_signing_alg_values_supported: ['RS256'] }, 'jwt', c);
    judgeJarmMetadata({ response_modes_supported: ['query'] }, 'form_post.jwt', c);
    expect(c.results.map((r) => [r.status, r.message])).toEqual([
      ['pass', 'jwt advertised; signing algorithms [RS256]'],
      ['warn', 'response_mode=form_post.jwt is sent, but response_modes_supported [query] does not list form_post.jwt; no authorization_signing_alg_values_supported'],
    ]);
  });

  it('HS256 with the client secret verifies; the parameters come out without the JWT-only claims', async () => {
    const secret = 'a-client-secret-of-at-least-32-bytes!!';
    const now = Math.floor(Date.now() / 1000);
    const response = await new SignJWT({ iss: 'https://idp.example', aud: 'app', exp: now + 60, code: 'c', state: 's' }).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(secret));
    const { privateKey: _unused, publicKey } = await generateKeyPair('RS256');
    const keys = { keys: [{ ...(await exportJWK(publicKey)), kid: 'rsa' }], label: 'jwks_uri test', published: true };
    const outcome = await verifyJarmResponse([['response', response]], { issuer: 'https://idp.example', client_id: 'app', keys, client_secret: secret, advertised: ['RS256', 'HS256'], now, clockSkew: 0 });
    expect(outcome.checks.filter((r) => r.status !== 'pass')).toEqual([]);
    expect(outcome.params).toEqual([['iss', 'https://idp.example'], ['code', 'c'], ['state', 's']]);
  });

  it('a plain answer, a repeated response, a JWE: jarm.response fails and nothing comes out', async () => {
    const keys = { keys: [], label: 'none', published: true };
    const expectations = { issuer: 'https://idp.example', client_id: 'app', keys, advertised: undefined, now: 0, clockSkew: 0 };
    for (const params of [[['code', 'c'], ['state', 's']], [['response', 'a.b.c'], ['response', 'a.b.c']], [['response', 'eyJhbGciOiJkaXIiLCJlbmMiOiJBMTI4R0NNIn0..aXY.Y3Q.dGFn']]] as Array<Array<[string, string]>>) {
      const outcome = await verifyJarmResponse(params, expectations);
      expect(outcome.params).toBeUndefined();
      expect(outcome.checks.map((r) => [r.id, r.status])).toEqual([['jarm.response', 'fail'], ...['jarm.alg', 'jarm.signature', 'jarm.iss', 'jarm.aud', 'jarm.exp'].map((id) => [id, 'skip'])]);
    }
  });
});
