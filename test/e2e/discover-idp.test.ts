import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { startIdp, type Idp } from '../support/idp.js';

/**
 * `discover` and `jwks` against the real IdP (oidc-provider, configured like a careful production
 * IdP): zero failures and zero warnings. The only non-pass is jwks.x5c_match, a skip: oidc-provider
 * publishes bare keys without certificate chains, so there is nothing to compare (a skip says so,
 * it never claims a pass). oidc-provider also lists grant type "implicit" (for response type id_token,
 * which puts no access token in the front channel): discovery.implicit_or_password judges the
 * response types that do ("token") and the password grant (RFC 9700 §2.1.2, §2.4), so it passes.
 */
const CLEAN_ENV = { HTTP_PROXY: undefined, HTTPS_PROXY: undefined, http_proxy: undefined, https_proxy: undefined, OIDC_ISSUER: undefined };
const run = (args: string[]) => runCli(args, { env: CLEAN_ENV });
type Check = { id: string; status: string; message: string };
const notPassing = (checks: Check[]) => checks.filter((c) => c.status !== 'pass').map((c) => `${c.id}:${c.status}`);

describe.each([
  ['at the root', undefined],
  ['under a path (RFC 8414 well-known placement)', '/realms/demo'],
])('the real IdP %s', (_, issuerPath) => {
  let idp: Idp;
  beforeAll(async () => {
    idp = await startIdp(issuerPath ? { issuerPath } : {});
  });
  afterAll(async () => idp.close());

  it('discover: exit 0, no failure, no warning', async () => {
    const result = await run(['discover', '--issuer', idp.issuer, '--json']);
    expect(result.code).toBe(0);
    const json = result.json();
    expect(json.ok).toBe(true);
    expect(json.url).toBe(`${idp.issuer}/.well-known/openid-configuration`);
    expect(json.metadata.issuer).toBe(idp.issuer);
    // every endpoint on the issuer's host: no other host to vouch for
    expect(notPassing(json.checks)).toEqual(['discovery.endpoint_host_vouched:skip', 'jwks.x5c_match:skip']);
    // Plain http is tolerated on loopback only, and the report says so rather than staying silent.
    expect(json.checks.find((c: Check) => c.id === 'discovery.issuer_url').message).toContain('development only');
    expect(json.keys.map((k: { kty: string; alg: string }) => `${k.kty}/${k.alg}`)).toEqual(['RSA/RS256', 'EC/ES256']);
  });

  it('jwks: the IdP\'s own signing keys, with their thumbprints', async () => {
    const result = await run(['jwks', '--issuer', idp.issuer, '--json']);
    expect(result.code).toBe(0);
    const json = result.json();
    expect(notPassing(json.checks)).toEqual(['jwks.x5c_match:skip']);
    expect(json.keys.map((k: { kid: string }) => k.kid)).toEqual([idp.signingKeys.rs256.publicJwk.kid, idp.signingKeys.es256.publicJwk.kid]);
    // The harness names each key after the start of its RFC 7638 thumbprint: an independent cross-check.
    for (const key of json.keys) expect(key.kid).toBe(`${key.alg.toLowerCase()}-${key.thumbprint.slice(0, 16)}`);
  });
});
