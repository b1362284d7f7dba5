// Issue 8: random and mutated discovery documents and JWK Sets through the pure audits (and the HTTP
// processing in front of them). Every run ends in checks that render, or a CliError PROTOCOL.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { auditDiscovery } from '../../src/core/discovery-audit.js';
import { processDiscoveryResponse } from '../../src/core/discovery.js';
import { keyRows, keysSection } from '../../src/commands/jwks-view.js';
import { auditJwks, processJwksResponse, summarizeKeys } from '../../src/core/jwks.js';
import type { HttpResponse } from '../../src/http/types.js';
import { soundJwks, soundMetadata } from '../support/bad-idp.js';
import { FUZZ_TIMEOUT_MS, PROTOTYPE_NAMES, expectRenderable, jsonValue, nastyString, params, prototypeName, reportOrCliError } from './fuzz.js';
import { fakeResponse } from '../support/http-response.js';

const ISSUER = 'https://idp.example.com/tenant';
const sound = soundMetadata(ISSUER, 'https://idp.example.com', '/tenant');

/** A response as the HTTP layer hands it over; json() fails like the real one for a non-JSON body. */
function response(status: number, body: Buffer, headers: Record<string, string> = {}): HttpResponse {
  return fakeResponse({ url: `${ISSUER}/.well-known/openid-configuration`, status, body, headers });
}

const urlish = fc.oneof(
  fc.constantFrom(ISSUER, `${ISSUER}/`, 'http://idp.example.com/tenant', 'HTTPS://IDP.example.com/tenant', 'https://idp.example.com:443/tenant', `${ISSUER}?x=1`, `${ISSUER}#f`, 'http://127.0.0.1:8080', 'javascript:alert(1)', 'https://[::1', ''),
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
  nastyString,
  jsonValue,
);

const MEMBERS = Object.keys(sound);

/** A sound document with members replaced, removed or added with values of any type. */
const mutatedMetadata = fc
  .tuple(
    fc.dictionary(fc.constantFrom(...MEMBERS), fc.oneof(urlish, prototypeName, jsonValue, fc.array(fc.oneof(fc.constantFrom('openid', 'RS256', 'none', 'S256', 'plain', 'code', 'token', 'password'), prototypeName, nastyString), { maxLength: 5 }))),
    fc.subarray(MEMBERS),
    // Extra members, some named like Object.prototype's or like a registry (`constructor_supported`).
    fc.dictionary(fc.oneof(nastyString, prototypeName.map((name) => `${name}_supported`)), fc.oneof(jsonValue, fc.array(prototypeName, { maxLength: 3 })), { maxKeys: 4 }),
  )
  .map(([replaced, removed, extra]) => {
    const doc: Record<string, unknown> = { ...sound, ...extra, ...replaced };
    for (const name of removed) delete doc[name];
    return doc;
  });

const anyObject = fc.dictionary(fc.oneof(fc.constantFrom(...MEMBERS), nastyString), jsonValue);

describe('fuzz: discovery documents through the audit', () => {
  it('mutated and random documents give renderable checks, never an exception', { timeout: FUZZ_TIMEOUT_MS }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(mutatedMetadata, anyObject), fc.constantFrom(ISSUER, `${ISSUER}/`, 'http://127.0.0.1:9/x'), async (metadata, issuer) => {
        const checks = auditDiscovery(issuer, metadata);
        expectRenderable('discover', checks, { metadata });
        // Mix-up defence: the issuer check passes only on a byte-identical issuer.
        const match = checks.find((c) => c.id === 'discovery.issuer_match');
        if (match?.status === 'pass') expect(metadata.issuer).toBe(issuer);
      }),
      params(),
    );
  });

  it('any body and status through the response processing: an outcome or CliError PROTOCOL', { timeout: FUZZ_TIMEOUT_MS }, async () => {
    const body = fc.oneof(
      jsonValue.map((v) => Buffer.from(JSON.stringify(v))),
      mutatedMetadata.map((m) => Buffer.from(JSON.stringify(m))),
      fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(200, 200, 301, 302, 404, 500, 0, 999), body, async (status, bytes) => {
        const outcome = await reportOrCliError(() => processDiscoveryResponse(response(status, bytes, { location: 'https://elsewhere' })), ['PROTOCOL']);
        if (outcome?.kind === 'document') expectRenderable('discover', auditDiscovery(ISSUER, outcome.metadata), { metadata: outcome.metadata });
      }),
      params(),
    );
  });
});

const b64u = fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('base64url'));
const KTYS = ['RSA', 'EC', 'OKP', 'oct', 'rsa', '', 'AKP', 'urn:example:kty'];
const jwkArb = fc.record(
  {
    kty: fc.oneof(fc.constantFrom(...KTYS), prototypeName, jsonValue),
    kid: fc.oneof(fc.constantFrom('k1', 'k1', 'k2', '../x', ''), nastyString, jsonValue),
    alg: fc.oneof(fc.constantFrom('RS256', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'HS256', 'RSA-OAEP', 'none'), prototypeName, jsonValue),
    use: fc.oneof(fc.constantFrom('sig', 'enc', 'SIG'), prototypeName, jsonValue),
    key_ops: fc.oneof(fc.subarray(['sign', 'verify', 'encrypt', 'decrypt', 'wrapKey']), fc.array(prototypeName, { maxLength: 2 }), jsonValue),
    crv: fc.oneof(fc.constantFrom('P-256', 'P-384', 'P-521', 'Ed25519', 'X25519', 'secp256k1'), prototypeName, jsonValue),
    n: fc.oneof(b64u, jsonValue),
    e: fc.oneof(fc.constantFrom('AQAB', 'Aw', ''), b64u, jsonValue),
    x: fc.oneof(b64u, jsonValue),
    y: fc.oneof(b64u, jsonValue),
    d: b64u,
    k: b64u,
    x5c: fc.oneof(fc.array(fc.oneof(fc.base64String(), nastyString), { maxLength: 2 }), jsonValue),
    x5t: b64u,
    'x5t#S256': b64u,
  },
  { requiredKeys: [] },
);

/** Real keys of the sound set with members swapped for random ones. */
const mutatedKey = fc.tuple(fc.constantFrom(...soundJwks().keys), jwkArb, fc.subarray(['kid', 'alg', 'use', 'n', 'e', 'x', 'y', 'crv', 'kty'])).map(([key, patch, removed]) => {
  const out: Record<string, unknown> = { ...key, ...patch };
  for (const name of removed) delete out[name];
  return out;
});

const jwksArb = fc.oneof(
  fc.array(fc.oneof(jwkArb, mutatedKey, jsonValue), { maxLength: 6 }).map((keys) => ({ keys })),
  jsonValue,
  fc.record({ keys: jsonValue }),
  fc.constant(soundJwks()),
);

describe('fuzz: JWK Sets through auditJwks and the key table', () => {
  it('random and mutated sets give renderable checks and summaries, never an exception', { timeout: FUZZ_TIMEOUT_MS }, async () => {
    await fc.assert(
      fc.asyncProperty(jwksArb, async (jwks) => {
        const checks = auditJwks(jwks);
        const keys = await summarizeKeys(jwks);
        // The key table as `jwks` and `discover` draw it, from the set as it stands.
        const usable = checks.find((c) => c.id === 'jwks.document')?.status === 'pass';
        const rows = await keyRows(usable ? (jwks as { keys: never[] }) : undefined, false);
        expectRenderable('jwks', checks, { keys }, [keysSection(rows)]);
        // A kty named like a prototype member is a malformed key: no thumbprint, and jwks.key_shape never passes.
        const odd = keys.filter((k) => (PROTOTYPE_NAMES as readonly unknown[]).includes(k.kty));
        for (const key of odd) expect(key.thumbprint).toBeUndefined();
        if (odd.length && usable) expect(checks.find((c) => c.id === 'jwks.key_shape')?.status).toBe('fail');
        // A published private or symmetric member never passes the private-material check.
        const leaked = jwks !== null && typeof jwks === 'object' && Array.isArray((jwks as { keys?: unknown }).keys) && ((jwks as { keys: unknown[] }).keys).some((k) => k !== null && typeof k === 'object' && ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'].some((m) => m in (k as object)));
        // (or, when the set is malformed as a whole, jwks.document fails first: never a passing run either way).
        const status = (id: string) => checks.find((c) => c.id === id)?.status;
        if (leaked) expect(status('jwks.private_material') === 'fail' || status('jwks.document') === 'fail').toBe(true);
      }),
      params(),
    );
  });

  it('a set of 333 000 keys (1 MiB of `{}`) is audited and drawn as a table without a stack overflow', async () => {
    const jwks = { keys: Array.from({ length: 333_000 }, () => ({})) };
    const checks = auditJwks(jwks);
    expect(checks.find((c) => c.id === 'jwks.key_shape')?.status).toBe('fail');
    expectRenderable('jwks', checks, {}, [keysSection(await keyRows(jwks, false))]);
  });

  it('any body through the JWKS response processing: an outcome or CliError PROTOCOL', { timeout: FUZZ_TIMEOUT_MS }, async () => {
    const body = fc.oneof(jwksArb.map((j) => Buffer.from(JSON.stringify(j) ?? 'null')), fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(200, 200, 307, 404, 503), body, async (status, bytes) => {
        const processed = await reportOrCliError(() => processJwksResponse(response(status, bytes, { location: 'https://elsewhere' })), ['PROTOCOL']);
        if (processed && 'body' in processed) expectRenderable('jwks', auditJwks(processed.body));
      }),
      params(),
    );
  });
});
