// Values a server sends are judged, never trusted to be well typed or in range: an object where a
// string belongs, a time of 1e300, an expires_in that is a string or negative. Each is a failed check
// with exit 1 and a report, never "internal error" (issue: "No internal error from anything a server sends").
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasStackTrace, runCli } from '../support/cli.js';
import { startScriptedIdp, type ScriptedValues } from '../support/scripted-idp.js';

const BROWSER = 'node dist/test/support/scripted-idp.js browse';
const HOSTILE = { toString: null, valueOf: null };
let cache: string;
beforeAll(async () => {
  cache = await mkdtemp(join(tmpdir(), 'oidc-cli-values-'));
});
afterAll(() => rm(cache, { recursive: true, force: true }));

type Check = { id: string; status: string; message: string };

async function loginWith(values: ScriptedValues) {
  const idp = await startScriptedIdp('none', values);
  try {
    const result = await runCli(['login', '--issuer', idp.issuer, '--client-id', idp.client_id, '--browser-command', BROWSER, '--timeout', '20', '--json'], { env: { XDG_CACHE_HOME: cache, BROWSER: undefined }, timeoutMs: 25_000 });
    return result;
  } finally {
    await idp.close();
  }
}

// [what, values, the check that catches it, its status: fail unless the catalogue makes it a warning]
const CASES: Array<[string, ScriptedValues, string, ('fail' | 'warn')?]> = [
  // Beyond any date, exp itself is not a usable NumericDate (exp_horizon only warns: absurdly far is a SHOULD).
  ['ID token exp 1e20 (milliseconds gone wrong)', { idTokenClaims: { exp: 1e20 } }, 'id_token.exp'],
  ['ID token exp 1e300', { idTokenClaims: { exp: 1e300 } }, 'id_token.exp'],
  ['ID token exp negative', { idTokenClaims: { exp: -1 } }, 'id_token.exp'],
  ['ID token exp "NaN"', { idTokenClaims: { exp: 'NaN' } }, 'id_token.exp'],
  ['ID token iat 1e300', { idTokenClaims: { iat: 1e300 } }, 'id_token.iat'],
  ['ID token iat -1e300', { idTokenClaims: { iat: -1e300 } }, 'id_token.iat'],
  ['ID token nbf 1e300', { idTokenClaims: { nbf: 1e300 } }, 'id_token.nbf'],
  ['ID token nbf -1e300', { idTokenClaims: { nbf: -1e300 } }, 'id_token.nbf'],
  ['ID token auth_time an object', { idTokenClaims: { auth_time: HOSTILE, exp: 1e20 } }, 'id_token.exp'],
  ['ID token sub an object', { idTokenClaims: { sub: HOSTILE } }, 'id_token.sub'],
  ['ID token iss an object', { idTokenClaims: { iss: HOSTILE } }, 'id_token.iss'],
  ['ID token aud an object', { idTokenClaims: { aud: HOSTILE } }, 'id_token.aud'],
  ['ID token nonce an object', { idTokenClaims: { nonce: HOSTILE } }, 'id_token.nonce'],
  ['ID token kid an object', { idTokenHeader: { kid: HOSTILE } }, 'id_token.kid', 'warn'],
  ['access token exp 1e20', { accessTokenClaims: { exp: 1e20 } }, 'access_token.exp'],
  ['access token sub an object', { accessTokenClaims: { sub: HOSTILE } }, 'access_token.sub', 'warn'],
  ['access token iat "soon"', { accessTokenClaims: { iat: 'soon' } }, 'access_token.iat', 'warn'],
  ['expires_in 1e300', { tokenResponse: { expires_in: 1e300 } }, 'token_response.expires_in'],
  ['expires_in a string', { tokenResponse: { expires_in: 'ten minutes' } }, 'token_response.expires_in'],
  ['expires_in an object', { tokenResponse: { expires_in: HOSTILE } }, 'token_response.expires_in'],
  ['expires_in negative', { tokenResponse: { expires_in: -600 } }, 'token_response.expires_in'],
  ['token_type an object', { tokenResponse: { token_type: HOSTILE } }, 'token_response.token_type'],
  ['scope an object', { tokenResponse: { scope: HOSTILE } }, 'token_response.member_types'],
  ['refresh_token a number', { tokenResponse: { refresh_token: 12 } }, 'token_response.member_types'],
  ['userinfo sub an object', { userinfo: { sub: HOSTILE } }, 'userinfo.sub'],
  ['userinfo sub with a C1 control character', { userinfo: { sub: 'scripted-user\u009b2J' } }, 'userinfo.sub'],
  ['ID token of five garbage parts', { tokenResponse: { id_token: 'a.b.c.d.e' } }, 'id_token.format'],
  ['ID token with a C1 control character', { tokenResponse: { id_token: '\u009b2J.x.y' } }, 'id_token.format'],
  ['ID token sub with a C1 control character', { idTokenClaims: { sub: 'user\u0085name' } }, 'id_token.sub'],
];

describe('login judges every value the IdP sends', () => {
  it.each(CASES)('%s → %s is judged (fail: exit 1), no internal error', async (_name, values, id, status = 'fail') => {
    const result = await loginWith(values);
    expect(result.stderr).not.toMatch(/internal error/);
    expect(hasStackTrace(result.stderr)).toBe(false);
    expect(result.code, result.stderr).toBe(status === 'fail' ? 1 : 0);
    const doc = result.json<{ checks: Check[]; cache: { saved: boolean; flagged: boolean; failed_checks: string[] } }>();
    expect(doc.checks.filter((c) => c.status === status).map((c) => c.id)).toContain(id);
    // Every token response is cached with its verdict; one without a usable access token has nothing to cache.
    if (status !== 'fail') expect(doc.cache).toMatchObject({ saved: true, flagged: false });
    else expect(doc.cache.saved ? doc.cache.failed_checks : [id]).toContain(id);
  });

  it('the human report of an ID token with exp 1e20 shows the value, not a crash', async () => {
    const idp = await startScriptedIdp('none', { idTokenClaims: { exp: 1e20 } });
    try {
      const result = await runCli(['login', '--issuer', idp.issuer, '--client-id', idp.client_id, '--browser-command', BROWSER, '--timeout', '20'], { env: { XDG_CACHE_HOME: cache, BROWSER: undefined }, timeoutMs: 25_000 });
      expect(result.stderr).not.toMatch(/internal error/);
      expect(result.code, result.stderr).toBe(1);
      expect(result.stdout).toMatch(/id_token\.exp_horizon/);
    } finally {
      await idp.close();
    }
  });
});

describe('headers are values too', () => {
  it('a Date header that is not a date: discover reports, no internal error', async () => {
    const { startBadIdp } = await import('../support/bad-idp.js');
    const idp = await startBadIdp({ faults: ['bad_date'] });
    try {
      const result = await runCli(['discover', '--issuer', idp.issuer]);
      expect(result.stderr).not.toMatch(/internal error/);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/server date {2}no Date header/);
    } finally {
      await idp.close();
    }
  });
});
