import { createHash } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, jwtVerify, importJWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { CheckRecorder } from '../../src/checks/recorder.js';
import { createDpopKey, dpopKeyFromJwk, dpopProof, exportDpopKey, judgeDpopTokens } from '../../src/core/dpop.js';
import { jwkThumbprint } from '../../src/core/jwt/jwk.js';

const b64u = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const jwt = (claims: object) => `${b64u({ alg: 'RS256', typ: 'at+jwt' })}.${b64u(claims)}.c2ln`;

// The examples of RFC 9449 itself: the public key of its proofs (§4.1) and the cnf.jkt it binds to (§6.1),
// and the access token whose hash is the ath of its resource request (§7.1).
const RFC9449_JWK = { kty: 'EC', x: 'l8tFrhx-34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBFs', y: '9VE4jf_Ok_o64zbTTlcuNJajHmt6v9TDVrU0CdvGRDA', crv: 'P-256' };
const RFC9449_JKT = '0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I';
const RFC9449_TOKEN = 'Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU';
const RFC9449_ATH = 'fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo';

describe('RFC 9449 test vectors', () => {
  it('the example key\'s thumbprint is the example cnf.jkt; a proof for the example token carries the example ath', async () => {
    expect(jwkThumbprint(RFC9449_JWK)).toBe(RFC9449_JKT);
    const proof = await dpopProof(await createDpopKey(), { htm: 'GET', url: 'https://resource.example.org/protectedresource', accessToken: RFC9449_TOKEN });
    expect(decodeJwt(proof).ath).toBe(RFC9449_ATH);
    // A token bound to the example key, judged against a key of that thumbprint, passes; another key's fails.
    const c = new CheckRecorder();
    judgeDpopTokens({ token_type: 'DPoP', access_token: jwt({ cnf: { jkt: RFC9449_JKT } }) }, { thumbprint: RFC9449_JKT } as never, c);
    judgeDpopTokens({ token_type: 'DPoP', access_token: jwt({ cnf: { jkt: RFC9449_JKT } }) }, await createDpopKey(), c);
    expect(c.results.filter((r) => r.id === 'dpop.cnf_jkt').map((r) => r.status)).toEqual(['pass', 'fail']);
  });
});

describe('RFC 9449 proofs', () => {
  it('a proof is an ES256 dpop+jwt with the public key, htm, htu without query or fragment, a fresh jti, and ath at a resource', async () => {
    const key = await createDpopKey();
    const proof = await dpopProof(key, { htm: 'GET', url: 'https://api.example.com/v1/me?x=1#frag', accessToken: 'the-access-token', nonce: 'n-1' });
    const header = decodeProtectedHeader(proof);
    expect(header).toMatchObject({ alg: 'ES256', typ: 'dpop+jwt', jwk: key.publicJwk });
    expect(header.jwk).not.toHaveProperty('d');
    const claims = decodeJwt(proof);
    expect(claims).toMatchObject({ htm: 'GET', htu: 'https://api.example.com/v1/me', nonce: 'n-1', ath: createHash('sha256').update('the-access-token').digest('base64url') });
    expect(typeof claims.jti).toBe('string');
    expect(Math.abs((claims.iat as number) - Date.now() / 1000)).toBeLessThan(5);
    // Signed by the key it carries.
    await expect(jwtVerify(proof, await importJWK(header.jwk!, 'ES256'))).resolves.toBeTruthy();
    expect(decodeJwt(await dpopProof(key, { htm: 'GET', url: 'https://api.example.com/' })).jti).not.toBe(claims.jti);
  });

  it('the key survives the cache: the same thumbprint after export and import', async () => {
    const key = await createDpopKey();
    const again = await dpopKeyFromJwk(await exportDpopKey(key));
    expect(again.thumbprint).toBe(key.thumbprint);
    expect(again.publicJwk).toEqual(key.publicJwk);
  });
});

describe('a token requested with a proof must be bound to its key', () => {
  const judged = async (tokens: { token_type?: string; access_token: string }, thumbprint?: string) => {
    const key = await createDpopKey();
    const c = new CheckRecorder();
    judgeDpopTokens({ ...tokens, access_token: tokens.access_token.replace('THUMB', thumbprint ?? key.thumbprint) }, key, c);
    return Object.fromEntries(c.results.map((r) => [r.id, r.status]));
  };
  it('token_type DPoP and cnf.jkt equal to the thumbprint pass; an opaque token leaves cnf.jkt to the IdP', async () => {
    const key = await createDpopKey();
    const c = new CheckRecorder();
    judgeDpopTokens({ token_type: 'DPoP', access_token: jwt({ cnf: { jkt: key.thumbprint } }) }, key, c);
    expect(c.results.map((r) => [r.id, r.status])).toEqual([['dpop.token_type', 'pass'], ['dpop.cnf_jkt', 'pass']]);
    expect(await judged({ token_type: 'DPoP', access_token: 'opaque-value' })).toEqual({ 'dpop.token_type': 'pass', 'dpop.cnf_jkt': 'skip' });
  });
  it('a Bearer token, a JWT without cnf.jkt, or with another key\'s thumbprint fails', async () => {
    expect((await judged({ token_type: 'Bearer', access_token: 'opaque-value' }))['dpop.token_type']).toBe('fail');
    expect((await judged({ token_type: 'DPoP', access_token: jwt({ sub: 'u' }) }))['dpop.cnf_jkt']).toBe('fail');
    expect((await judged({ token_type: 'DPoP', access_token: jwt({ cnf: { jkt: 'THUMB' } }) }, 'another-key-thumbprint'))['dpop.cnf_jkt']).toBe('fail');
  });
});
