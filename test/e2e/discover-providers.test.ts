import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBadIdp, type BadIdp } from '../support/bad-idp.js';
import { runCli } from '../support/cli.js';
import { makeCertificate, type TestCertificate } from '../support/tls.js';

/**
 * `discover` on layouts that large providers publish (issue 18): what the specs allow is not an alarm,
 * and what they forbid is named. Small documents written for the test, served over TLS on loopback.
 */
type Check = { id: string; status: string; message: string };
const NO_PROXY_ENV = { HTTP_PROXY: undefined, HTTPS_PROXY: undefined, http_proxy: undefined, https_proxy: undefined, NODE_EXTRA_CA_CERTS: undefined, OIDC_ISSUER: undefined };

let cert: TestCertificate;
let idp: BadIdp;
beforeAll(async () => {
  cert = await makeCertificate();
  idp = await startBadIdp({ tls: cert });
});
afterAll(async () => {
  await idp.close();
  cert.cleanup();
});

async function discover(patch: (m: Record<string, unknown>) => Record<string, unknown>, extra: string[] = []) {
  idp.patchMetadata(patch);
  const args = [...extra, '--ca-file', cert.caFile, 'discover', '--issuer', idp.issuer];
  const json = await runCli([...args, '--json'], { env: NO_PROXY_ENV });
  const human = await runCli(args, { env: NO_PROXY_ENV });
  const doc = json.json<{ checks: Check[] }>();
  const byId = (id: string) => doc.checks.find((c) => c.id === id)!;
  return { json, human, doc, byId };
}

describe('no false alarms on what the specs allow', () => {
  it('endpoints on other hosts of an https issuer are a note listing them (exit 0)', async () => {
    const run = await discover((m) => ({ ...m, token_endpoint: 'https://api.tokens.example/oauth/token', userinfo_endpoint: 'https://graph.example/me' }));
    expect(run.json.code, run.json.stderr).toBe(0);
    expect(run.byId('discovery.endpoint_host')).toMatchObject({ status: 'pass', message: expect.stringContaining('token_endpoint on api.tokens.example') });
    expect(run.human.stdout).toMatch(/✔ discovery\.endpoint_host +note: endpoints on other hosts than 127\.0\.0\.1/);
    expect(run.byId('discovery.endpoint_host_vouched')).toMatchObject({ status: 'pass', message: expect.stringContaining('over TLS, certificate verified') });
    expect(run.doc.checks.filter((c) => c.status === 'warn' || c.status === 'fail')).toEqual([]);
  });

  it('under --insecure no check says TLS vouched for the other hosts: endpoint_host_vouched is skipped with the reason', async () => {
    const run = await discover((m) => ({ ...m, token_endpoint: 'https://api.tokens.example/oauth/token' }), ['--insecure']);
    expect(run.json.code, run.json.stderr).toBe(0);
    expect(run.byId('discovery.endpoint_host').status).toBe('pass');
    expect(run.byId('discovery.endpoint_host_vouched')).toMatchObject({ status: 'skip', message: expect.stringContaining('--insecure skipped the certificate check') });
    expect(run.human.stdout).not.toMatch(/certificate verified|vouched for by/);
  });

  it('an implicit-only provider without token_endpoint: no failure for the missing endpoint, PKCE skipped with the reason', async () => {
    const run = await discover(({ token_endpoint: _gone, ...m }) => ({ ...m, response_types_supported: ['id_token', 'id_token token'] }));
    expect(run.byId('discovery.required_members').status).toBe('pass');
    expect(run.byId('discovery.pkce_s256')).toMatchObject({ status: 'skip', message: expect.stringContaining('no response type includes code') });
    // the implicit flow itself is still named, as a warning
    expect(run.byId('discovery.implicit_or_password').status).toBe('warn');
    expect(run.json.code).toBe(0);
  });

  it('base64 kid values with "/" and "+" pass jwks.kid_format', async () => {
    idp.patchJwks((jwks) => ({ keys: jwks.keys.map((key, i) => ({ ...key, kid: i === 0 ? 'nOo3ZDrODXEK1jKWhXslHR/jIAo+Ub4Ky2Wq0bx4Eqo=' : key.kid })) }));
    try {
      const run = await discover((m) => m);
      expect(run.byId('jwks.kid_format')).toMatchObject({ status: 'pass' });
      expect(run.json.code).toBe(0);
      // and `jwks` judges the same set the same way, in both modes
      const jwks = await runCli(['--ca-file', cert.caFile, 'jwks', '--issuer', idp.issuer, '--json'], { env: NO_PROXY_ENV });
      expect(jwks.json<{ checks: Check[] }>().checks.find((c) => c.id === 'jwks.kid_format')?.status).toBe('pass');
      const human = await runCli(['--ca-file', cert.caFile, 'jwks', '--issuer', idp.issuer], { env: NO_PROXY_ENV });
      expect(human.stdout).toContain('nOo3ZDrODXEK1jKWhXslHR/jIAo+Ub4Ky2Wq0bx4Eqo=');
      expect(human.stdout).toMatch(/✔ jwks\.kid_format/);
    } finally {
      idp.patchJwks(undefined);
    }
  });
});

describe('deviations a careful reader sees', () => {
  it('values from another registry: registry_values fails with each list and value for algorithms and PKCE methods (exit 1)', async () => {
    const patch = (m: Record<string, unknown>) => ({ ...m, code_challenge_methods_supported: ['S256', 'RS256', 'ES256'], id_token_signing_alg_values_supported: ['RS256', 'plain'] });
    const run = await discover(patch);
    expect(run.byId('discovery.registry_values')).toMatchObject({ status: 'fail', message: expect.stringContaining('code_challenge_methods_supported ["RS256","ES256"]') });
    expect(run.byId('discovery.registry_values').message).toContain('id_token_signing_alg_values_supported ["plain"]');
    expect(run.human.stdout).toMatch(/✖ discovery\.registry_values +values outside their registry/);
    expect(run.json.code).toBe(1);
  });

  it('a private extension in a descriptive registry (a response mode): registry_values warns (exit 0, 1 under --strict)', async () => {
    const patch = (m: Record<string, unknown>) => ({ ...m, response_modes_supported: ['query', 'fragment', 'web_message'] });
    const run = await discover(patch);
    expect(run.byId('discovery.registry_values')).toMatchObject({ status: 'warn', message: expect.stringContaining('response_modes_supported ["web_message"]') });
    expect(run.json.code).toBe(0);
    expect((await discover(patch, ['--strict'])).json.code).toBe(1);
  });

  it('grant types listed as response types: discovery.response_types fails (exit 1)', async () => {
    const run = await discover((m) => ({ ...m, response_types_supported: ['code', 'refresh_token', 'client_credentials'] }));
    expect(run.byId('discovery.response_types')).toMatchObject({ status: 'fail', message: expect.stringContaining('["refresh_token","client_credentials"]') });
    expect(run.json.code).toBe(1);
    expect(run.human.stdout).toContain('✖ discovery.response_types');
  });

  it('an X25519 key beside signing keys, no use anywhere: jwks.use_required fails', async () => {
    idp.patchJwks((jwks) => ({ keys: [...jwks.keys.map(({ use: _use, ...key }) => key), { kty: 'OKP', crv: 'X25519', kid: 'agree-1', x: 'hSDwCYkwp1R0i33ctD73Wg2_Og0mOBr066SpjqqbTmo' }] }));
    try {
      const run = await discover((m) => m);
      expect(run.byId('jwks.use_required')).toMatchObject({ status: 'fail', message: expect.stringContaining('kid "agree-1" can only encrypt') });
      expect(run.json.code).toBe(1);
      const jwks = await runCli(['--ca-file', cert.caFile, 'jwks', '--issuer', idp.issuer], { env: NO_PROXY_ENV });
      expect(jwks.code).toBe(1);
      expect(jwks.stdout).toContain('✖ jwks.use_required');
    } finally {
      idp.patchJwks(undefined);
    }
  });

  it('a multi-tenant issuer template is explained, not just a byte mismatch', async () => {
    const run = await discover((m) => ({ ...m, issuer: `${idp.origin}/{tenantid}/v2.0` }));
    expect(run.byId('discovery.issuer_match')).toMatchObject({ status: 'fail', message: expect.stringContaining('multi-tenant issuer template') });
    expect(run.human.stdout).toContain("hint: Discover the tenant's own issuer instead");
  });
});
