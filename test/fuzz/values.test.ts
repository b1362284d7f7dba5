// The value classes of the issue "No internal error from anything a server sends", through the pure
// judges: objects where strings belong, out-of-range numbers, C1 control characters, five-part tokens.
// Every run ends in checks that render (no exception), and an out-of-range value is never used as if
// it were a time or a lifetime.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CheckRecorder } from '../../src/checks/recorder.js';
import { advertisedEndpoint } from '../../src/core/discovery.js';
import { judgeDeviceAuthorization } from '../../src/core/device.js';
import { judgeIntrospection } from '../../src/core/introspection-checks.js';
import { timeNotes } from '../../src/core/jwt/claims.js';
import type { TokenPrefix } from '../../src/checks/catalogue/tokens.js';
import { validateJwt } from '../../src/core/jwt/validate.js';
import { metadataRefusal } from '../../src/core/metadata-trust.js';
import { judgeRefreshedIdToken } from '../../src/core/refresh-checks.js';
import { judgeTokenResponse } from '../../src/core/token-endpoint.js';
import { judgeUserinfo } from '../../src/core/userinfo.js';
import { DURATION_LIMITS, epochWithRelative, isEpochInRange, parseDuration } from '../../src/util/duration.js';
import { fakeResponse } from '../support/http-response.js';
import { goodClaims, mint, nowSeconds, rsaKey } from '../support/tokens.js';
import { FUZZ_TIMEOUT_MS, PROTOTYPE_NAMES, c1String, expectCliError, expectRenderable, fivePartToken, hostileValue, notAString, outOfRangeNumber, params, prototypeName } from './fuzz.js';

const rsa = rsaKey('rsa-1');
const json = (body: unknown, status = 200) => fakeResponse({ url: 'https://idp.example.com/x', status, body: Buffer.from(JSON.stringify(body) ?? 'null'), headers: { 'content-type': 'application/json', 'cache-control': 'no-store' }, elapsedMs: 1 });
const statusOf = (c: CheckRecorder, id: string) => c.results.find((r) => r.id === id)?.status;
const TIME_CLAIMS = ['exp', 'iat', 'nbf', 'auth_time'] as const;

const claimPatch = fc.record(
  { exp: hostileValue, iat: hostileValue, nbf: hostileValue, auth_time: hostileValue, sub: hostileValue, iss: hostileValue, aud: hostileValue, nonce: hostileValue, azp: hostileValue },
  { requiredKeys: [] },
);
const headerPatch = fc.record({ kid: fc.oneof(notAString, c1String, prototypeName), typ: fc.oneof(hostileValue, prototypeName) }, { requiredKeys: [] });

describe('fuzz: hostile values in signed tokens', () => {
  it('time claims out of range are failed checks and get no time note; other odd claims are judged, never crash', { timeout: FUZZ_TIMEOUT_MS }, async () => {
    await fc.assert(
      fc.asyncProperty(claimPatch, headerPatch, fc.constantFrom<TokenPrefix>('jwt', 'id_token', 'access_token'), async (patch, header, prefix) => {
        const now = nowSeconds();
        const claims = { ...goodClaims(), ...patch };
        const result = await validateJwt(mint(claims, rsa, header), {
          prefix,
          keys: { keys: [rsa.jwk], label: 'fuzz' },
          expect: { issuer: 'https://idp.test', audience: 'client-1', clientId: 'client-1', nonce: 'n', maxAge: 300 },
          clockSkew: 60,
          now,
          serverDate: new Date(Number.NaN),
        });
        expectRenderable('decode', result.checks, { payload: result.parsed.payload });
        const payload = result.parsed.payload!;
        const notes = timeNotes(payload, now);
        for (const claim of TIME_CLAIMS) if (!isEpochInRange(payload[claim])) expect(notes[claim]).toBeUndefined();
        // An exp that is not a NumericDate in range never passes, nor does its horizon beyond any date;
        // an iat out of range fails an ID token and warns elsewhere (the catalogue's severity for the prefix).
        if (payload.exp !== undefined && !isEpochInRange(payload.exp)) expect(statusOf(new Recorded(result.checks), `${prefix}.exp`)).not.toBe('pass');
        if (typeof payload.exp === 'number' && payload.exp > 8.64e12) expect(statusOf(new Recorded(result.checks), `${prefix}.exp_horizon`)).toBe('warn');
        if (payload.iat !== undefined && !isEpochInRange(payload.iat)) expect(statusOf(new Recorded(result.checks), `${prefix}.iat`)).toBe(prefix === 'id_token' ? 'fail' : 'warn');
      }),
      params(),
    );
  });

  it('an alg named like a prototype member ("constructor", "toString"...) fails *.alg; nothing verifies, no at_hash is computed', { timeout: FUZZ_TIMEOUT_MS }, async () => {
    const maybe = fc.option(prototypeName, { nil: undefined });
    await fc.assert(
      fc.asyncProperty(prototypeName, maybe, maybe, fc.constantFrom<TokenPrefix>('jwt', 'id_token', 'access_token'), async (alg, kid, typ, prefix) => {
        const header = { alg, ...(kid === undefined ? {} : { kid }), ...(typ === undefined ? {} : { typ }) };
        const result = await validateJwt(mint({ ...goodClaims(), at_hash: 'xyz', c_hash: 'abc' }, rsa, header), {
          prefix,
          keys: { keys: [rsa.jwk], label: 'fuzz' },
          secret: new TextEncoder().encode('a'.repeat(64)),
          expect: { issuer: 'https://idp.test', audience: 'client-1', clientId: 'client-1', accessToken: 'an-access-token', code: 'a-code' },
          clockSkew: 60,
          now: nowSeconds(),
        });
        expectRenderable('decode', result.checks, { header: result.parsed.header });
        const c = new Recorded(result.checks);
        expect(statusOf(c, `${prefix}.alg`)).toBe('fail');
        expect(result.signature.verified).toBe(false);
        if (prefix === 'id_token') for (const id of ['id_token.at_hash', 'id_token.c_hash']) expect(statusOf(c, id)).toBe('skip');
      }),
      params(),
    );
  });

  it('five-part tokens and C1 characters in members end in a judged result or CliError INPUT', { timeout: FUZZ_TIMEOUT_MS }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fivePartToken, c1String), async (token) => {
        try {
          const result = await validateJwt(token, { prefix: 'id_token', keys: { keys: [rsa.jwk], label: 'fuzz' }, expect: {}, clockSkew: 60, now: nowSeconds() });
          expectRenderable('decode', result.checks, { header: result.parsed.header });
          expect(result.signature.verified).toBe(false);
        } catch (error) {
          expectCliError(error, ['INPUT']);
        }
      }),
      params(),
    );
  });
});

/** A recorder over finished results, for statusOf. */
class Recorded extends CheckRecorder {
  constructor(results: CheckRecorder['results']) {
    super();
    this.results.push(...results);
  }
}

describe('fuzz: hostile values in endpoint answers', () => {
  it('token response: expires_in is used only as a positive integer up to ten years; every member is judged', { timeout: FUZZ_TIMEOUT_MS }, async () => {
    const body = fc.record({ access_token: fc.oneof(fc.constant('at-0123456789'), fivePartToken, hostileValue), token_type: fc.oneof(fc.constant('Bearer'), hostileValue), expires_in: fc.oneof(outOfRangeNumber, hostileValue), refresh_token: hostileValue, scope: hostileValue, id_token: fc.oneof(fivePartToken, hostileValue) }, { requiredKeys: [] });
    await fc.assert(
      fc.property(body, fc.boolean(), (answer, openid) => {
        const c = new CheckRecorder();
        const judged = judgeTokenResponse(json(answer), { openid, basicAuth: false }, c);
        expectRenderable('token', c.results, { body: judged.body });
        const seconds = judged.tokens?.expires_in;
        if (seconds !== undefined) {
          expect(Number.isInteger(seconds) && seconds > 0 && seconds <= 10 * 365 * 86400).toBe(true);
          expect(() => epochWithRelative(nowSeconds() + seconds, nowSeconds())).not.toThrow();
        }
        if (judged.tokens) for (const member of ['refresh_token', 'scope', 'id_token'] as const) expect(['string', 'undefined']).toContain(typeof judged.tokens[member]);
      }),
      params(),
    );
  });

  it('device authorization: a usable answer has expires_in of 1 s to a day and an interval of at least 1 s', { timeout: FUZZ_TIMEOUT_MS }, async () => {
    const body = fc.record({ device_code: fc.oneof(fc.constant('dc'), hostileValue), user_code: fc.oneof(fc.constant('ABCD-EFGH'), hostileValue), verification_uri: fc.oneof(fc.constant('https://idp.example.com/device'), c1String, hostileValue), verification_uri_complete: hostileValue, expires_in: fc.oneof(fc.constant(600), outOfRangeNumber, hostileValue), interval: fc.oneof(fc.constant(5), outOfRangeNumber, hostileValue) }, { requiredKeys: [] });
    await fc.assert(
      fc.property(body, (answer) => {
        const c = new CheckRecorder();
        const auth = judgeDeviceAuthorization(json(answer), c);
        expectRenderable('login', c.results, { answer });
        if (auth) {
          expect(Number.isInteger(auth.expires_in) && auth.expires_in > 0 && auth.expires_in <= 86400).toBe(true);
          expect(auth.interval >= 1 && auth.interval <= auth.expires_in).toBe(true);
        }
      }),
      params(),
    );
  });

  it('introspection: odd member types are a failed introspection.member_types, never a crash', { timeout: FUZZ_TIMEOUT_MS }, async () => {
    const body = fc.record({ active: fc.oneof(fc.boolean(), hostileValue), exp: fc.oneof(outOfRangeNumber, hostileValue), iat: hostileValue, nbf: hostileValue, sub: hostileValue, client_id: hostileValue, scope: hostileValue, aud: hostileValue }, { requiredKeys: ['active'] });
    await fc.assert(
      fc.property(body, (answer) => {
        const c = new CheckRecorder();
        const active = judgeIntrospection({ status: 200, body: answer }, c);
        expectRenderable('introspect', c.results, { answer });
        if (active !== undefined && answer.exp !== undefined && !isEpochInRange(answer.exp)) expect(statusOf(c, 'introspection.member_types')).toBe('fail');
      }),
      params(),
    );
  });

  it('userinfo and the refreshed ID token: odd sub, aud, iat and nonce are judged, never a crash', { timeout: FUZZ_TIMEOUT_MS }, async () => {
    await fc.assert(
      fc.asyncProperty(claimPatch, claimPatch, async (before, after) => {
        const c = new CheckRecorder();
        await judgeUserinfo(json({ sub: 'sub' in after ? after.sub : 'user-1' }), { sub: typeof before.sub === 'string' ? before.sub : 'user-1', issuer: 'https://idp.test', client_id: 'client-1', keys: undefined }, c);
        judgeRefreshedIdToken({ ...goodClaims(), ...before }, { ...goodClaims(), ...after }, c);
        expectRenderable('refresh', c.results);
        if ('sub' in after && typeof after.sub !== 'string') expect(statusOf(c, 'userinfo.sub')).toBe('fail');
      }),
      params(),
    );
  });
});

describe('fuzz: discovery metadata a login would act on', () => {
  it('a refused document is one whose issuer differs or whose acted-on endpoints are not https (loopback http aside)', { timeout: FUZZ_TIMEOUT_MS }, () => {
    const url = fc.oneof(fc.constantFrom('https://idp.example.com/authorize', 'http://127.0.0.1:8080/authorize', 'http://evil.example/authorize', 'javascript:alert(1)', 'file:///etc/passwd', 'HTTPS://IDP.EXAMPLE.COM/a', 'http://localhost./x', 'http://[::1]/x'), c1String, hostileValue);
    fc.assert(
      fc.property(fc.oneof(fc.constant('https://idp.example.com'), hostileValue), url, url, fc.boolean(), (issuer, authorization_endpoint, token_endpoint, insecure) => {
        const metadata = { issuer, authorization_endpoint, token_endpoint };
        const refused = metadataRefusal('https://idp.example.com', metadata, ['authorization_endpoint', 'token_endpoint'], insecure);
        expect(refused === undefined || (typeof refused === 'string' && !refused.includes('\n'))).toBe(true);
        if (issuer !== 'https://idp.example.com') expect(refused).toMatch(/not used \(OIDC Discovery §4\.3\)/);
        if (refused === undefined) {
          for (const value of [authorization_endpoint, token_endpoint]) {
            const parsed = new URL(value as string);
            // loopback as http/loopback.ts defines it: 127.0.0.0/8, ::1, localhost and *.localhost (a trailing dot too)
            expect(parsed.protocol === 'https:' || (parsed.protocol === 'http:' && (insecure || /^(127\.|(.+\.)?localhost\.?$|\[::1\]$)/i.test(parsed.hostname)))).toBe(true);
          }
        }
      }),
      params(),
    );
  });
});

describe('fuzz: endpoint members of a discovery document', () => {
  it('any value: its URL string, undefined when not advertised (absent or null), or CliError PROTOCOL naming the member', { timeout: FUZZ_TIMEOUT_MS }, () => {
    const member = fc.constantFrom('userinfo_endpoint', 'introspection_endpoint', 'revocation_endpoint', 'jwks_uri', ...PROTOTYPE_NAMES);
    fc.assert(
      fc.property(fc.option(fc.oneof(hostileValue, prototypeName), { nil: undefined }), member, fc.boolean(), (value, name, present) => {
        // A computed key defines an own member, "__proto__" included.
        const metadata: Record<string, unknown> = present ? { [name]: value } : {};
        try {
          const url = advertisedEndpoint('https://idp.example.com', metadata, name);
          if (url === undefined) expect(present && value !== undefined && value !== null).toBe(false);
          else expect(typeof value === 'string' && value !== '' && url === value).toBe(true);
        } catch (error) {
          expectCliError(error, ['PROTOCOL']);
          expect((error as Error).message).toContain(` has a ${name} that is `);
          expect(present && value !== undefined && value !== null && (typeof value !== 'string' || value === '')).toBe(true);
        }
      }),
      params(),
    );
  });
});

describe('fuzz: duration flags', () => {
  it('any text: seconds within the flag\'s limit, or a usage error naming the flag', { timeout: FUZZ_TIMEOUT_MS }, () => {
    const text = fc.oneof(fc.string({ maxLength: 30 }), c1String, fc.tuple(fc.nat(), fc.constantFrom('', 'ms', 's', 'm', 'h', 'd', 'D', 'w')).map(([n, unit]) => `${n}${unit}`), fc.tuple(fc.stringMatching(/^\d{1,400}$/), fc.constantFrom('d', 'h', '')).map(([n, unit]) => `${n}${unit}`));
    fc.assert(
      fc.property(text, fc.constantFrom(...Object.keys(DURATION_LIMITS)), (value, flag) => {
        try {
          const seconds = parseDuration(value, flag);
          expect(Number.isFinite(seconds) && seconds >= 0 && seconds <= DURATION_LIMITS[flag]!).toBe(true);
          if (flag === '--timeout') expect(seconds).toBeGreaterThan(0);
        } catch (error) {
          expectCliError(error, ['USAGE']);
          expect((error as Error).message.startsWith(`${flag}: `)).toBe(true);
        }
      }),
      params(),
    );
  });
});
