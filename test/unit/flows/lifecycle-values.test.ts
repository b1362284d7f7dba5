// The lifecycle step modules judge every value an IdP sends (issue: "No internal error from anything a
// server sends"): odd types and out-of-range numbers are failed checks, never a crash. In-process against
// the misbehaving IdP of test/support/lifecycle-bad-idp.ts; what the binary adds (exit 1, the rotated
// refresh token saved before anything can fail, --device's browser rule) is test/e2e/lifecycle-values.test.ts.
import { afterEach, describe, expect, it } from 'vitest';
import { clientCredentialsTokens } from '../../../src/core/client-credentials.js';
import { runDeviceLogin } from '../../../src/core/device-flow.js';
import { introspectToken } from '../../../src/core/introspection.js';
import { refreshTokens } from '../../../src/core/refresh.js';
import type { TokenSet } from '../../../src/core/token-endpoint.js';
import { openIssuerSession, type IssuerSession } from '../../../src/core/session.js';
import { startBadLifecycleIdp, type BadLifecycleIdp, type LifecycleFaults } from '../../support/lifecycle-bad-idp.js';
import { recordingUi, testHttp } from './flow-deps.js';

const HOSTILE = { toString: null, valueOf: null };
let idp: BadLifecycleIdp | undefined;
let closeHttp: (() => Promise<void>) | undefined;
afterEach(async () => {
  await closeHttp?.();
  await idp?.close();
  idp = undefined;
});

async function sessionWith(faults: LifecycleFaults, confidential = true): Promise<IssuerSession> {
  idp = await startBadLifecycleIdp(faults);
  const ui = recordingUi();
  const http = testHttp(ui);
  closeHttp = () => http.close();
  const client = confidential ? { client_id: idp.client_id, client_secret: idp.client_secret } : { client_id: 'cli-public' };
  return openIssuerSession({ issuer: idp.issuer, client, clockSkew: 60, insecure: false, showTokens: false }, { http, ui });
}

const failed = (checks: Array<{ id: string; status: string }>) => checks.filter((c) => c.status === 'fail').map((c) => c.id);

const JOSE_HEADER = Buffer.from(JSON.stringify({ alg: 'RSA-OAEP', enc: 'A256GCM' })).toString('base64url');

describe('refresh: every value judged, and the rotated refresh token handed to the caller to keep', () => {
  const CASES: Array<[string, LifecycleFaults, string]> = [
    ['expires_in 1e300', { refreshResponse: { expires_in: 1e300 } }, 'token_response.expires_in'],
    ['expires_in a string', { refreshResponse: { expires_in: 'NaN' } }, 'token_response.expires_in'],
    ['expires_in an object', { refreshResponse: { expires_in: HOSTILE } }, 'token_response.expires_in'],
    ['expires_in negative', { refreshResponse: { expires_in: -300 } }, 'token_response.expires_in'],
    ['scope an object', { refreshResponse: { scope: HOSTILE } }, 'token_response.member_types'],
    ['ID token exp 1e20', { refreshIdTokenClaims: { exp: 1e20 } }, 'id_token.exp'],
    ['ID token iat 1e300', { refreshIdTokenClaims: { iat: 1e300 } }, 'id_token.iat'],
    ['ID token sub an object', { refreshIdTokenClaims: { sub: HOSTILE } }, 'id_token.sub'],
    ['ID token aud an object', { refreshIdTokenClaims: { aud: HOSTILE, iss: HOSTILE } }, 'id_token.iss'],
    // An ID token is never "opaque": whatever its shape, it is judged and fails.
    ['ID token of 6 parts', { refreshResponse: { id_token: `${JOSE_HEADER}.YQ.YQ.YQ.YQ.YQ` } }, 'id_token.format'],
    ['ID token not a token at all', { refreshResponse: { id_token: 'garbage' } }, 'id_token.format'],
    ['ID token with an object alg', { refreshResponse: { id_token: `${Buffer.from(JSON.stringify({ alg: { x: 1 }, enc: 'A256GCM' })).toString('base64url')}.YQ.YQ.YQ.YQ` } }, 'id_token.jwe'],
    ['ID token with a number alg', { refreshResponse: { id_token: `${Buffer.from(JSON.stringify({ alg: 123 })).toString('base64url')}.e30.YQ` } }, 'id_token.alg'],
    // No usable access token in a 200 answer: the IdP has rotated all the same, so the new refresh token is kept.
    ['access_token null', { refreshResponse: { access_token: null } }, 'token_response.access_token'],
    ['access_token empty', { refreshResponse: { access_token: '' } }, 'token_response.access_token'],
    ['access_token an object', { refreshResponse: { access_token: { a: 1 } } }, 'token_response.access_token'],
  ];
  it.each(CASES)('%s → %s fails; the rotated refresh token is kept', async (_name, faults, id) => {
    const session = await sessionWith(faults, false);
    const before = idp!.issue('cli-public');
    const kept: TokenSet[] = [];
    const result = await refreshTokens(session, { refresh_token: before.refresh_token, original_id_token: before.id_token }, async (tokens) => void kept.push(tokens));
    expect(failed(result.checks)).toContain(id);
    expect(kept).toHaveLength(1);
    expect(kept[0]!.refresh_token).toEqual(expect.any(String));
    expect(kept[0]!.refresh_token).not.toBe(before.refresh_token);
  });
});

describe('client credentials', () => {
  it.each([
    ['expires_in 1e300', { expires_in: 1e300 }, 'token_response.expires_in'],
    ['expires_in a string', { expires_in: 'soon' }, 'token_response.expires_in'],
    ['expires_in an object', { expires_in: HOSTILE }, 'token_response.expires_in'],
    ['expires_in negative', { expires_in: -1 }, 'token_response.expires_in'],
    ['token_type an object', { token_type: HOSTILE }, 'token_response.token_type'],
    ['access_token an object', { access_token: HOSTILE }, 'token_response.access_token'],
  ] as Array<[string, Record<string, unknown>, string]>)('%s (%j) → %s fails', async (_name, clientCredentialsResponse, id) => {
    const session = await sessionWith({ clientCredentialsResponse });
    const result = await clientCredentialsTokens(session, {});
    expect(failed(result.checks)).toContain(id);
  });
});

describe('introspection', () => {
  it.each([
    ['exp 1e300', { exp: 1e300 }, 'introspection.member_types'],
    ['exp a string', { exp: 'tomorrow' }, 'introspection.member_types'],
    ['iat an object', { iat: HOSTILE }, 'introspection.member_types'],
    ['sub an object', { sub: HOSTILE, client_id: HOSTILE }, 'introspection.member_types'],
    ['active the string "true"', { active: 'true' }, 'introspection.active_boolean'],
    ['active an object', { active: HOSTILE }, 'introspection.active_boolean'],
  ] as Array<[string, Record<string, unknown>, string]>)('an answer with %s (%j) → %s fails', async (_name, introspectionResponse, id) => {
    const session = await sessionWith({ introspectionResponse });
    const tokens = idp!.issue(idp!.client_id);
    const result = await introspectToken(session, { token: tokens.access_token, hint: undefined, judgeAs: 'access_token', probes: false });
    expect(failed(result.checks)).toContain(id);
  });
});

describe('device authorization (RFC 8628)', () => {
  const device = (session: IssuerSession) => runDeviceLogin(session, { scope: 'openid', timeoutSeconds: 20, insecure: false }, { browser: undefined, signal: new AbortController().signal });

  it('the sound fixture logs in (the baseline)', async () => {
    const result = await device(await sessionWith({ device: true }, false));
    expect(failed(result.checks)).toEqual([]);
    expect(result.tokens?.access_token).toEqual(expect.any(String));
  });

  it.each([
    ['expires_in 1e300', { expires_in: 1e300 }],
    ['expires_in a string', { expires_in: '600' }],
    ['expires_in an object', { expires_in: HOSTILE }],
    ['expires_in negative', { expires_in: -1 }],
    ['interval 1e300', { interval: 1e300 }],
    ['interval a fraction of a second', { interval: 0.001 }],
    ['interval an object', { interval: HOSTILE }],
    ['interval negative', { interval: -5 }],
    ['user_code an object', { user_code: HOSTILE }],
  ] as Array<[string, Record<string, unknown>]>)('a device authorization with %s: device.authorization_response fails, nothing polled', async (_name, deviceResponse) => {
    const result = await device(await sessionWith({ deviceResponse }, false));
    expect(failed(result.checks)).toContain('device.authorization_response');
    expect(result.polls).toBe(0);
    expect(idp!.posts.filter((path) => path === '/token')).toEqual([]);
  });
});
