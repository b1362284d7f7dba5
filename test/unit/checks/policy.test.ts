import { describe, expect, it } from 'vitest';
import { CheckRecorder } from '../../../src/checks/recorder.js';
import type { CheckResult } from '../../../src/checks/types.js';
import { judgePolicies, POLICIES, reconcile, type PolicyEvidence, type PolicyFacts, type PolicyName } from '../../../src/core/check/policy.js';

// Each requirement both ways, over hand-made evidence: metadata, the checks that ran, the grant's facts.
const ran = (id: string, status: CheckResult['status'], message = `${id} ${status}`) => ({ id, status, message, spec: '' }) as CheckResult;

const SOUND_FAPI = {
  require_pushed_authorization_requests: true,
  code_challenge_methods_supported: ['S256'],
  dpop_signing_alg_values_supported: ['ES256'],
  token_endpoint_auth_methods_supported: ['private_key_jwt'],
  authorization_response_iss_parameter_supported: true,
  id_token_signing_alg_values_supported: ['PS256', 'ES256'],
  response_types_supported: ['code'],
  grant_types_supported: ['authorization_code', 'refresh_token'],
};
const SOUND_CHECKS = ['probe.par_required', 'probe.pkce_required', 'dpop.token_type', 'dpop.bearer_refused', 'authorization.iss', 'probe.redirect_uri_altered', 'probe.pkce_downgrade', 'refresh.rotation', 'probe.code_reuse'].map((id) => ran(id, 'pass'));
const FACTS: PolicyFacts = { token_type: 'DPoP', client_auth: 'private_key_jwt', dpop: true, id_token_alg: 'ES256' };

function judge(name: PolicyName, evidence: Partial<PolicyEvidence> & { facts?: Partial<PolicyFacts> } = {}) {
  const c = new CheckRecorder();
  judgePolicies([name], { metadata: evidence.metadata ?? SOUND_FAPI, checks: evidence.checks ?? SOUND_CHECKS, facts: { ...FACTS, ...evidence.facts } }, c);
  return Object.fromEntries(c.results.map((r) => [r.id, [r.status, r.message]]));
}

describe('fapi2-security', () => {
  it('sound evidence holds every requirement, each saying what showed it', () => {
    const all = judge('fapi2-security');
    expect(Object.values(all).map(([status]) => status)).toEqual(Array(8).fill('pass'));
    expect(Object.keys(all)).toEqual(POLICIES.get('fapi2-security')!.requirements.map(([id]) => id));
  });

  it('each requirement fails on its own fault', () => {
    expect(judge('fapi2-security', { metadata: { ...SOUND_FAPI, require_pushed_authorization_requests: false } })['fapi2.par']![0]).toBe('fail');
    expect(judge('fapi2-security', { checks: [...SOUND_CHECKS.filter((c) => c.id !== 'probe.par_required'), ran('probe.par_required', 'fail', 'accepted')] })['fapi2.par']).toEqual(['fail', 'required in the metadata, but probe.par_required: accepted']);
    expect(judge('fapi2-security', { metadata: { ...SOUND_FAPI, code_challenge_methods_supported: ['plain'] } })['fapi2.pkce']![0]).toBe('fail');
    expect(judge('fapi2-security', { checks: [ran('probe.pkce_required', 'warn', 'no PKCE: accepted')] })['fapi2.pkce']).toEqual(['fail', 'probe.pkce_required: no PKCE: accepted']);
    expect(judge('fapi2-security', { metadata: { ...SOUND_FAPI, dpop_signing_alg_values_supported: undefined } })['fapi2.sender_constrained']![0]).toBe('fail');
    expect(judge('fapi2-security', { metadata: { ...SOUND_FAPI, dpop_signing_alg_values_supported: undefined, tls_client_certificate_bound_access_tokens: true }, checks: [] })['fapi2.sender_constrained']![0]).toBe('pass');
    expect(judge('fapi2-security', { facts: { token_type: 'Bearer', dpop: true } })['fapi2.sender_constrained']).toEqual(['fail', 'this run was issued token_type Bearer although it sent a DPoP proof']);
  });

  it('mTLS (RFC 8705): a Bearer token bound to the run\'s certificate is sender-constrained; tls_client_auth is a FAPI 2.0 client authentication', () => {
    const MTLS_FAPI = { ...SOUND_FAPI, dpop_signing_alg_values_supported: undefined, tls_client_certificate_bound_access_tokens: true, token_endpoint_auth_methods_supported: ['tls_client_auth', 'private_key_jwt'] };
    const mtlsChecks = [...SOUND_CHECKS.filter((c) => !c.id.startsWith('dpop.')), ran('mtls.cnf_x5t', 'pass'), ran('mtls.bearer_refused', 'pass')];
    const bound = judge('fapi2-security', { metadata: MTLS_FAPI, checks: mtlsChecks, facts: { token_type: 'Bearer', dpop: false, client_auth: 'tls_client_auth', certificate_bound: true } });
    expect(bound['fapi2.sender_constrained']).toEqual(['pass', 'mTLS-bound tokens (tls_client_certificate_bound_access_tokens); the token was bound to the client certificate (mtls.cnf_x5t), and refused without it (mtls.bearer_refused)']);
    expect(bound['fapi2.client_auth']![0]).toBe('pass');
    // The same Bearer token without the binding is what FAPI 2.0 forbids.
    expect(judge('fapi2-security', { metadata: MTLS_FAPI, checks: mtlsChecks.filter((c) => !c.id.startsWith('mtls.')), facts: { token_type: 'Bearer', dpop: false, mtls: true, client_auth: 'tls_client_auth', certificate_bound: false } })['fapi2.sender_constrained']).toEqual(['fail', 'this run was issued token_type Bearer without cnf.x5t#S256, although it presented a client certificate: the IdP issues unbound tokens']);
    // Bound, but the IdP takes it without the certificate: the probe's failure is quoted.
    expect(judge('fapi2-security', { metadata: MTLS_FAPI, checks: [...mtlsChecks.filter((c) => c.id !== 'mtls.bearer_refused'), ran('mtls.bearer_refused', 'fail', 'accepted, HTTP 200')], facts: { token_type: 'Bearer', dpop: false, client_auth: 'tls_client_auth', certificate_bound: true } })['fapi2.sender_constrained']).toEqual(['fail', 'mtls.bearer_refused: accepted, HTTP 200']);
    // A public client whose grant is bound to its certificate needs no rotation (RFC 9700 §2.2.2).
    expect(judge('rfc9700', { facts: { client_auth: 'none', token_type: 'Bearer', dpop: false, certificate_bound: true }, checks: [] })['rfc9700.refresh_public']![0]).toBe('pass');
    expect(judge('fapi2-security', { metadata: { ...SOUND_FAPI, token_endpoint_auth_methods_supported: undefined } })['fapi2.client_auth']).toEqual(['fail', 'token_endpoint_auth_methods_supported also allows client_secret_basic (the default when the member is omitted)']);
    expect(judge('fapi2-security', { facts: { client_auth: 'client_secret_basic' } })['fapi2.client_auth']).toEqual(['fail', 'this run authenticated with client_secret_basic and was given tokens']);
    expect(judge('fapi2-security', { metadata: { ...SOUND_FAPI, authorization_response_iss_parameter_supported: false } })['fapi2.iss']![0]).toBe('fail');
    expect(judge('fapi2-security', { metadata: { ...SOUND_FAPI, request_object_signing_alg_values_supported: ['RS256', 'none'] } })['fapi2.algorithms']).toEqual(['fail', 'not PS256, ES256 or EdDSA: RS256 in request_object_signing_alg_values_supported, none in request_object_signing_alg_values_supported']);
    expect(judge('fapi2-security', { facts: { id_token_alg: 'RS256' } })['fapi2.algorithms']).toEqual(['fail', 'the ID token of this run is signed with RS256']);
    expect(judge('fapi2-security', { metadata: { ...SOUND_FAPI, response_types_supported: ['code', 'code id_token'] } })['fapi2.response_types']).toEqual(['fail', 'response_types_supported also has "code id_token"']);
    expect(judge('fapi2-security', { checks: [ran('probe.redirect_uri_altered', 'fail', 'redirected')] })['fapi2.redirect_uri']).toEqual(['fail', 'probe.redirect_uri_altered: redirected']);
  });

  it('what the run did not see is said, never counted as held: a skip, or a pass on the metadata that names the probe that did not run', () => {
    const blind = judge('fapi2-security', { checks: [], facts: { token_type: undefined, id_token_alg: undefined } });
    expect(blind['fapi2.redirect_uri']).toEqual(['skip', 'probe.redirect_uri_altered did not run (--browser-command runs it)']);
    expect(blind['fapi2.par']).toEqual(['pass', 'required in the metadata; probe.par_required did not run (--browser-command shows whether a plain request is refused)']);
    const c = new CheckRecorder();
    judgePolicies(['fapi2-security'], { metadata: {}, checks: [], facts: FACTS }, c, 'stopped at discovery: x');
    expect(c.results.every((r) => r.status === 'skip' && r.message === 'stopped at discovery: x')).toBe(true);
  });
});

describe('rfc9700', () => {
  it('sound evidence holds; a confidential client skips the public-client rule with the reason', () => {
    const all = judge('rfc9700', { facts: { client_auth: 'none', token_type: 'Bearer', dpop: false } });
    expect(Object.values(all).map(([status]) => status)).toEqual(Array(8).fill('pass'));
    expect(judge('rfc9700')['rfc9700.refresh_public']).toEqual(['skip', 'applies to public clients; this run\'s client authenticates with private_key_jwt']);
  });

  it('each requirement fails on its own fault (warnings stay warnings)', () => {
    expect(judge('rfc9700', { metadata: { ...SOUND_FAPI, response_types_supported: ['code', 'code token'] } })['rfc9700.no_implicit']).toEqual(['fail', 'response_types_supported has "code token": access tokens in the front channel']);
    expect(judge('rfc9700', { metadata: { ...SOUND_FAPI, grant_types_supported: ['password'] } })['rfc9700.no_password']![0]).toBe('fail');
    expect(judge('rfc9700', { checks: [ran('probe.pkce_downgrade', 'fail', 'accepted')] })['rfc9700.pkce']).toEqual(['fail', 'probe.pkce_downgrade: accepted']);
    expect(judge('rfc9700', { metadata: { ...SOUND_FAPI, authorization_response_iss_parameter_supported: undefined } })['rfc9700.mix_up']![0]).toBe('warn');
    expect(judge('rfc9700', { facts: { client_auth: 'none', token_type: 'Bearer', dpop: false }, checks: [ran('refresh.rotation', 'fail', 'kept')] })['rfc9700.refresh_public']).toEqual(['fail', 'refresh.rotation: kept']);
    expect(judge('rfc9700', { metadata: { ...SOUND_FAPI, dpop_signing_alg_values_supported: [] } })['rfc9700.sender_constrained']![0]).toBe('warn');
    expect(judge('rfc9700', { checks: [ran('probe.code_reuse', 'fail', 'second code accepted')] })['rfc9700.code_reuse']).toEqual(['fail', 'probe.code_reuse: second code accepted']);
  });
});

describe('oauth2.1', () => {
  const SOUND_21 = [...SOUND_CHECKS, ran('probe.userinfo_query_token', 'pass')];
  it('sound evidence holds all six; PKCE must be seen enforced (a skip until probe.pkce_required runs)', () => {
    const all = judge('oauth2.1', { checks: SOUND_21, facts: { client_auth: 'none', token_type: 'Bearer', dpop: false } });
    expect(Object.keys(all)).toEqual(['oauth21.pkce', 'oauth21.no_implicit', 'oauth21.no_password', 'oauth21.redirect_uri', 'oauth21.refresh_public', 'oauth21.query_token']);
    expect(Object.values(all).map(([status]) => status)).toEqual(Array(6).fill('pass'));
    expect(judge('oauth2.1', { checks: [] })['oauth21.pkce']).toEqual(['skip', 'probe.pkce_required did not run (--browser-command shows whether PKCE is required)']);
  });

  it('what RFC 9700 lets pass, OAuth 2.1 fails: a request without PKCE accepted, a token in the query string taken', () => {
    const lax = [...SOUND_21.filter((c) => !['probe.pkce_required', 'probe.userinfo_query_token'].includes(c.id)), ran('probe.pkce_required', 'warn', 'no PKCE: a code came back'), ran('probe.userinfo_query_token', 'warn', 'accepted in the query')];
    expect(judge('oauth2.1', { checks: lax })['oauth21.pkce']).toEqual(['fail', 'probe.pkce_required: no PKCE: a code came back']);
    expect(judge('oauth2.1', { checks: lax })['oauth21.query_token']).toEqual(['fail', 'probe.userinfo_query_token: accepted in the query']);
    expect(judge('rfc9700', { checks: lax })['rfc9700.pkce']![0]).toBe('pass');
  });
});

describe('a profile that forbids what a base specification requires', () => {
  it('fapi2-security turns discovery.alg_rs256 from fail into a warning naming both; nothing else, and no other policy', () => {
    const checks = [ran('discovery.alg_rs256', 'fail', 'RS256 missing'), ran('discovery.alg_none', 'fail', 'none listed')];
    const [rs256, none] = reconcile(['fapi2-security'], checks);
    expect(rs256).toMatchObject({ status: 'warn', message: expect.stringMatching(/^RS256 missing — FAPI 2\.0 forbids RS256/) });
    expect(none).toEqual(checks[1]);
    expect(reconcile(['rfc9700'], checks)).toEqual(checks);
  });
});
