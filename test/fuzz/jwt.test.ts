// Issue 8: random and mutated tokens through parseJwt/validateJwt. Every input ends in a judged result
// (which renders) or a CliError INPUT; a signature is only ever "verified" over the bytes our key signed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JWS_ALGORITHMS } from '../../src/core/jwt/algorithms.js';
import { timeNotes } from '../../src/core/jwt/claims.js';
import { parseJwt } from '../../src/core/jwt/parse.js';
import type { ValidateOptions } from '../../src/core/jwt/types.js';
import { validateJwt } from '../../src/core/jwt/validate.js';
import type { TokenPrefix } from '../../src/checks/catalogue/tokens.js';
import { b64u, ecKey, goodClaims, mint, nowSeconds, rsaKey } from '../support/tokens.js';
import { FUZZ_TIMEOUT_MS, expectRenderable, jsonValue, nastyString, params, prototypeName, reportOrCliError } from './fuzz.js';

const rsa = rsaKey('rsa-1');
const ec = ecKey('ec-1');
const SECRET = 'a-client-secret-that-is-long-enough-for-hs256!';
const ACCESS_TOKEN = 'opaque-access-token-for-at-hash';

const ALGS = ['none', 'None', 'NONE', 'nOnE', 'RS256', 'RS384', 'PS256', 'ES256', 'ES384', 'ES512', 'EdDSA', 'HS256', 'HS512', 'RSA-OAEP', 'dir', 'A256GCM', ''];

function options(prefix: TokenPrefix, withSecret: boolean, algorithms?: string[]): ValidateOptions {
  return {
    prefix,
    keys: { keys: [rsa.jwk, ec.jwk], label: 'fuzz keys' },
    ...(withSecret ? { secret: new TextEncoder().encode(SECRET) } : {}),
    ...(algorithms ? { algorithms } : {}),
    expect: { issuer: 'https://idp.test', audience: 'client-1', clientId: 'client-1', nonce: 'n-0S6', accessToken: ACCESS_TOKEN, maxAge: 300, advertisedAlgorithms: ['RS256', 'ES256'] },
    clockSkew: 60,
    now: nowSeconds(),
  };
}

const optionsArb = fc
  .tuple(fc.constantFrom<TokenPrefix>('jwt', 'id_token', 'access_token'), fc.boolean(), fc.option(fc.subarray(['RS256', 'ES256', 'HS256', 'none']), { nil: undefined }))
  .map(([prefix, withSecret, algorithms]) => options(prefix, withSecret, algorithms));

/** Header members an attacker controls, with values of the right and the wrong types. */
const headerArb = fc.record(
  {
    alg: fc.oneof(fc.constantFrom(...ALGS), prototypeName, jsonValue),
    kid: fc.oneof(fc.constantFrom('rsa-1', 'ec-1', '../../keys', '"', ''), nastyString, jsonValue),
    typ: fc.oneof(fc.constantFrom('JWT', 'at+jwt', 'application/at+jwt', 'JOSE'), prototypeName, jsonValue),
    cty: fc.oneof(fc.constant('JWT'), jsonValue),
    crit: fc.oneof(fc.constant(['exp']), fc.constant(['b64']), fc.constant([]), jsonValue),
    b64: fc.boolean(),
    jku: fc.constantFrom('https://evil.example/jwks', 'http://127.0.0.1:1/jwks'),
    x5u: fc.constant('https://evil.example/cert.pem'),
    jwk: fc.oneof(fc.constant(rsa.jwk as unknown), jsonValue),
    x5c: fc.oneof(fc.array(fc.base64String(), { maxLength: 2 }), jsonValue),
    enc: fc.constantFrom('A256GCM', 'A128CBC-HS256'),
  },
  { requiredKeys: [] },
);

const timeArb = fc.oneof(fc.integer({ min: -1, max: 2 ** 33 }), fc.constantFrom(nowSeconds() - 30, nowSeconds() + 300), fc.double(), jsonValue);
const claimsArb = fc.record(
  {
    iss: fc.oneof(fc.constant('https://idp.test'), nastyString, jsonValue),
    sub: fc.oneof(fc.constant('user-1'), nastyString, fc.constant('x'.repeat(300)), jsonValue),
    aud: fc.oneof(fc.constant('client-1'), fc.array(fc.constantFrom('client-1', 'api', ''), { maxLength: 3 }), jsonValue),
    azp: fc.oneof(fc.constant('client-1'), jsonValue),
    exp: timeArb,
    iat: timeArb,
    nbf: timeArb,
    auth_time: timeArb,
    nonce: fc.oneof(fc.constant('n-0S6'), jsonValue),
    at_hash: fc.oneof(fc.base64String(), jsonValue),
    c_hash: jsonValue,
    client_id: jsonValue,
    scope: jsonValue,
    jti: jsonValue,
  },
  { requiredKeys: [] },
);
/** Claims named like Object.prototype's members beside the registered ones (a humanised-time note is looked up by name). */
const claimsWithPrototypeNames = fc.tuple(claimsArb, fc.dictionary(prototypeName, fc.oneof(timeArb, jsonValue), { maxKeys: 3 })).map(([claims, odd]) => ({ ...odd, ...claims }));

const b64uBytes = fc.uint8Array({ maxLength: 300 }).map((bytes) => b64u(Buffer.from(bytes)));

/** Structurally plausible tokens: JSON header and payload of any content, random signature. */
const structuredToken = fc
  .tuple(headerArb, fc.oneof(claimsArb, claimsWithPrototypeNames, jsonValue), b64uBytes, fc.boolean())
  .map(([header, payload, signature, jwe]) => {
    const h = b64u(JSON.stringify(header));
    const p = b64u(JSON.stringify(payload) ?? '');
    return jwe ? `${h}.${b64u('ek')}.${b64u('iv')}.${p}.${signature}` : `${h}.${p}.${signature}`;
  });

/** Anything at all: random text, dots in odd places, base64 from other alphabets. */
const randomToken = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.array(fc.oneof(b64uBytes, fc.string({ maxLength: 20 }), fc.base64String()), { minLength: 1, maxLength: 7 }).map((parts) => parts.join('.')),
  fc.tuple(fc.constantFrom('Bearer ', 'Authorization: Bearer ', '"', ' \n'), b64uBytes).map(([prefix, body]) => `${prefix}${body}.${body}.${body}`),
  // JSON nested far deeper than any token: parses, but every later walk would recurse.
  fc.tuple(fc.integer({ min: 50, max: 20_000 }), fc.boolean()).map(([depth, inHeader]) => {
    const deep = b64u(`{"x":${'['.repeat(depth)}${']'.repeat(depth)}}`);
    return inHeader ? `${deep}.${b64u('{}')}.c2ln` : `${b64u('{"alg":"RS256"}')}.${deep}.c2ln`;
  }),
);

/** A token our RSA key really signed, then mutated by an attacker. */
function signedToken(header: Record<string, unknown>, claims: Record<string, unknown>): string {
  return mint(claims, rsa, header);
}

type Mutation = { kind: 'flip' | 'insert' | 'delete'; at: number; char: string } | { kind: 'swap' | 'pad' | 'strip_sig' | 'reencode_header' | 'dup_dot' | 'alphabet'; at: number; char: string };
const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('flip', 'insert', 'delete', 'swap', 'pad', 'strip_sig', 'reencode_header', 'dup_dot', 'alphabet'),
  at: fc.nat(),
  char: fc.constantFrom('A', '_', '-', '=', '.', '+', '/', ' ', '\u00e9', '\u0000'),
}) as fc.Arbitrary<Mutation>;

function mutate(token: string, m: Mutation): string {
  const i = token.length === 0 ? 0 : m.at % token.length;
  const parts = token.split('.');
  switch (m.kind) {
    case 'flip':
      return token.slice(0, i) + m.char + token.slice(i + 1);
    case 'insert':
      return token.slice(0, i) + m.char + token.slice(i);
    case 'delete':
      return token.slice(0, i) + token.slice(i + 1);
    case 'swap':
      return [parts[1], parts[0], ...parts.slice(2)].join('.');
    case 'pad':
      return parts.map((part, n) => (n === m.at % parts.length ? `${part}==` : part)).join('.');
    case 'strip_sig':
      return [...parts.slice(0, -1), ''].join('.');
    case 'reencode_header': {
      // alg confusion: re-label the header (none, HS256 keyed with the public key...) keeping the signature.
      const alg = ALGS[m.at % ALGS.length];
      return [b64u(JSON.stringify({ alg, kid: 'rsa-1' })), ...parts.slice(1)].join('.');
    }
    case 'dup_dot':
      return token.slice(0, i) + '.' + token.slice(i);
    case 'alphabet':
      return token.replace(/-/g, '+').replace(/_/g, '/');
  }
}

const mutatedToken = fc
  .tuple(headerArb.map((h) => ({ ...h, alg: 'RS256' })), claimsArb, fc.array(mutationArb, { minLength: 1, maxLength: 4 }))
  .map(([header, claims, mutations]) => {
    const original = signedToken(header, claims);
    return { original, token: mutations.reduce(mutate, original) };
  });

async function judge(token: string, opts: ValidateOptions) {
  const result = await reportOrCliError(() => validateJwt(token, opts), ['INPUT']);
  if (result) {
    // The payload as decode draws it: humanised time notes beside the members they explain.
    const payload = result.parsed.payload;
    const notes = payload && Object.fromEntries(Object.entries(timeNotes(payload, opts.now)).map(([claim, t]) => [claim, `${t.iso}, ${t.relative}`]));
    const sections = payload ? [{ title: 'Payload', kind: 'json' as const, value: payload, notes }] : [];
    expectRenderable('decode', result.checks, { header: result.parsed.header, payload: payload ?? result.parsed.payloadText }, sections);
    // An alg outside the table of known ones ("constructor", "toString"...) never passes, never verifies.
    const alg = result.parsed.header.alg;
    if (result.parsed.kind === 'jws' && typeof alg === 'string' && !JWS_ALGORITHMS.has(alg)) {
      expect(result.checks.find((c) => c.id === `${opts.prefix}.alg`)?.status).not.toBe('pass');
      expect(result.signature.verified).toBe(false);
    }
    // "none" never verifies, in any spelling; neither does a JWE (no decryption key is ever taken).
    if (result.signature.verified) {
      expect(String(result.parsed.header.alg).toLowerCase()).not.toBe('none');
      expect(result.parsed.kind).toBe('jws');
    }
    // Nothing inside a JWE is readable here, so no check on its content may pass.
    if (result.parsed.kind === 'jwe') {
      for (const check of result.checks) if (check.status === 'pass') expect(['format', 'duplicate_members']).toContain(check.id.split('.')[1]);
    }
  }
  return result;
}

describe('fuzz: tokens through parseJwt and validateJwt', () => {
  it('random input ends in a judged result or CliError INPUT, never another exception', { timeout: FUZZ_TIMEOUT_MS }, async () => {
    await fc.assert(
      fc.asyncProperty(randomToken, optionsArb, async (token, opts) => {
        try {
          parseJwt(token);
        } catch (error) {
          expect((error as { code?: string }).code).toBe('INPUT');
        }
        await judge(token, opts);
      }),
      params(),
    );
  });

  it('structured tokens with hostile headers and claims are judged, never crash', { timeout: FUZZ_TIMEOUT_MS }, async () => {
    await fc.assert(fc.asyncProperty(structuredToken, optionsArb, async (token, opts) => void (await judge(token, opts))), params());
  });

  it('a mutated signed token only verifies when the signed bytes are untouched', { timeout: FUZZ_TIMEOUT_MS }, async () => {
    await fc.assert(
      fc.asyncProperty(mutatedToken, optionsArb, async ({ original, token }, opts) => {
        const result = await judge(token, opts);
        if (result?.signature.verified) {
          const [h, p] = original.split('.');
          // What was verified is exactly what the key signed: header and payload bytes as minted.
          expect(Buffer.from(result.parsed.parts[0]!, 'base64url').equals(Buffer.from(h!, 'base64url'))).toBe(true);
          expect(Buffer.from(result.parsed.parts[1]!, 'base64url').equals(Buffer.from(p!, 'base64url'))).toBe(true);
          // And any odd encoding of those bytes is still called out.
          if (result.parsed.parts.join('.') !== original) expect(result.checks.find((c) => c.id.endsWith('.format'))?.status).not.toBe('pass');
        }
      }),
      params(),
    );
  });

  it('the sound token the mutations start from does verify (so the property above can fail)', async () => {
    const result = await validateJwt(signedToken({}, goodClaims({ nonce: 'n-0S6' })), options('jwt', false));
    expect(result.signature.verified).toBe(true);
  });
});
