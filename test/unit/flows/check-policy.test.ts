// check --policy in-process: oidc-provider configured for FAPI 2.0 (PAR required, private_key_jwt only,
// DPoP-bound tokens, ES256/PS256/EdDSA, code only) holds every fapi2.* requirement the run can see; the
// default configuration misses exactly the ones it does not meet, each named by its own id.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPrivateKey } from '../../../src/core/client-auth.js';
import { runCheck, type CheckSettings } from '../../../src/core/check/run.js';
import { httpBrowser } from '../../support/http-browser-port.js';
import { startIdp, type Idp } from '../../support/idp.js';
import { generateSigningKey, type TestKeyPair } from '../../support/keys.js';
import { checkSettings, recordingUi, testHttp } from './flow-deps.js';
import { selection } from '../../../src/core/check/select.js';
import { isOk } from '../../../src/report/model.js';

const FAPI_ALGS = ['PS256', 'ES256', 'EdDSA'];
let fapi: Idp;
let plain: Idp;
let key: TestKeyPair;
let dir: string;

beforeAll(async () => {
  key = await generateSigningKey('ES256');
  const fapiClient = {
    client_id: 'fapi-client',
    token_endpoint_auth_method: 'private_key_jwt',
    token_endpoint_auth_signing_alg: 'ES256',
    jwks: { keys: [key.publicJwk] },
    application_type: 'native',
    redirect_uris: ['http://127.0.0.1/callback'],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    id_token_signed_response_alg: 'ES256',
    dpop_bound_access_tokens: true,
  };
  [fapi, plain] = await Promise.all([
    startIdp({
      configure(configuration: any) {
        // Only the FAPI client: the usual ones authenticate with secrets, which this server refuses.
        configuration.clients = [fapiClient];
        configuration.clientAuthMethods = ['private_key_jwt'];
        configuration.responseTypes = ['code'];
        configuration.features.fapi = { enabled: true, profile: '2.0' };
        configuration.features.pushedAuthorizationRequests = { enabled: true, requirePushedAuthorizationRequests: true };
        configuration.enabledJWA = {
          ...configuration.enabledJWA,
          idTokenSigningAlgValues: FAPI_ALGS,
          userinfoSigningAlgValues: FAPI_ALGS,
          introspectionSigningAlgValues: FAPI_ALGS,
          authorizationSigningAlgValues: FAPI_ALGS,
          clientAuthSigningAlgValues: FAPI_ALGS,
          dPoPSigningAlgValues: ['ES256', 'EdDSA'],
        };
      },
    }),
    startIdp(),
  ]);
  dir = await mkdtemp(join(tmpdir(), 'oidc-cli-policy-'));
  await writeFile(join(dir, 'fapi.jwk'), JSON.stringify(key.privateJwk), { mode: 0o600 });
});
afterAll(async () => {
  await Promise.all([fapi?.close(), plain?.close()]);
  await rm(dir, { recursive: true, force: true });
});

async function check(settings: Partial<CheckSettings> & Pick<CheckSettings, 'issuer' | 'client'>) {
  const ui = recordingUi();
  const http = testHttp(ui);
  try {
    return await runCheck(checkSettings(settings), { http, ui, browser: httpBrowser(), signal: new AbortController().signal });
  } finally {
    await http.close();
  }
}

const policyChecks = (checks: Array<{ id: string; status: string; message: string }>) => checks.filter((c) => c.id.startsWith('fapi2.'));

describe('check --policy fapi2-security in-process', () => {
  it('oidc-provider configured for FAPI 2.0, checked with --par --dpop and private_key_jwt: every requirement holds', async () => {
    const client = { client_id: 'fapi-client', method: 'private_key_jwt' as const, privateKey: await loadPrivateKey(join(dir, 'fapi.jwk')) };
    const outcome = await check({ issuer: fapi.issuer, client, policies: ['fapi2-security'], par: true, dpop: true });
    const judged = policyChecks(outcome.checks);
    expect(judged.map((c) => [c.id, c.status])).toEqual([
      ['fapi2.par', 'pass'],
      ['fapi2.pkce', 'pass'],
      ['fapi2.sender_constrained', 'pass'],
      ['fapi2.client_auth', 'pass'],
      ['fapi2.iss', 'pass'],
      ['fapi2.algorithms', 'pass'],
      ['fapi2.response_types', 'pass'],
      ['fapi2.redirect_uri', 'pass'],
    ]);
    // Each was seen, not taken on the metadata's word.
    expect(judged.find((c) => c.id === 'fapi2.par')?.message).toBe('required, and a plain authorization request was refused (probe.par_required)');
    expect(judged.find((c) => c.id === 'fapi2.sender_constrained')?.message).toMatch(/the token was bound, and refused when sent as Bearer \(dpop\.bearer_refused\)$/);
    expect(judged.find((c) => c.id === 'fapi2.algorithms')?.message).toMatch(/the ID token used ES256$/);
    // OIDC Discovery requires RS256, FAPI 2.0 forbids it: shown as a warning naming both, not a failure.
    expect(outcome.checks.find((c) => c.id === 'discovery.alg_rs256')).toMatchObject({ status: 'warn', message: expect.stringMatching(/^RS256 missing from id_token_signing_alg_values_supported .* — FAPI 2\.0 forbids RS256 \(--policy fapi2-security\)/) });
    // The refresh proves the grant's DPoP key too: the lifecycle passes against a server that binds it.
    expect(outcome.checks.find((c) => c.id === 'refresh.grant')?.status).toBe('pass');
    expect(outcome.checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect(isOk(outcome, false)).toBe(true);
  });

  it('the default configuration: exactly the requirements it misses fail, each with what it allows', async () => {
    const outcome = await check({ issuer: plain.issuer, client: { client_id: plain.clients.public.client_id, method: 'none' }, policies: ['fapi2-security'], register: true });
    // --register where the IdP offers no dynamic registration: said, not failed.
    expect(outcome.checks.find((c) => c.id === 'registration.status')).toMatchObject({ status: 'skip', message: expect.stringMatching(/^discovery lists no registration_endpoint/) });
    const judged = Object.fromEntries(policyChecks(outcome.checks).map((c) => [c.id, c]));
    expect(Object.entries(judged).filter(([, c]) => c.status === 'fail').map(([id]) => id)).toEqual(['fapi2.par', 'fapi2.sender_constrained', 'fapi2.client_auth', 'fapi2.algorithms', 'fapi2.response_types']);
    expect(judged['fapi2.par']?.message).toBe('require_pushed_authorization_requests is not true: plain authorization requests are allowed');
    expect(judged['fapi2.sender_constrained']?.message).toBe('this run was issued token_type Bearer (it sent no DPoP proof): the IdP issues unbound tokens');
    expect(judged['fapi2.client_auth']?.message).toBe('token_endpoint_auth_methods_supported also allows client_secret_basic, client_secret_jwt, client_secret_post, none');
    expect(judged['fapi2.response_types']?.message).toBe('response_types_supported also has "code id_token", "id_token", "none"');
    expect(judged['fapi2.algorithms']?.message).toMatch(/^not PS256, ES256 or EdDSA: RS256 in /);
    // What it does meet passes: PKCE required, iss, exact redirect URIs.
    expect(['fapi2.pkce', 'fapi2.iss', 'fapi2.redirect_uri'].map((id) => judged[id]?.status)).toEqual(['pass', 'pass', 'pass']);
  });

  it('--only fapi2 shows the policy alone, but the login and the probes it reads still run', async () => {
    const outcome = await check({ issuer: plain.issuer, client: { client_id: plain.clients.public.client_id, method: 'none' }, policies: ['fapi2-security'], select: selection(['fapi2'], undefined) });
    expect(new Set(outcome.checks.map((c) => c.id.split('.')[0]))).toEqual(new Set(['fapi2']));
    const byId = Object.fromEntries(outcome.checks.map((c) => [c.id, c]));
    expect(byId['fapi2.redirect_uri']?.message).toBe('an altered redirect_uri got an error page (probe.redirect_uri_altered)');
    expect(byId['fapi2.sender_constrained']?.message).toBe('this run was issued token_type Bearer (it sent no DPoP proof): the IdP issues unbound tokens');
  });
});
