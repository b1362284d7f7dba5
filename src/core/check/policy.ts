import type { POLICY_CHECKS } from '../../checks/catalogue/policies.js';
import type { CheckRecorder } from '../../checks/recorder.js';
import type { CheckResult } from '../../checks/types.js';
import { cut } from '../../util/show.js';

/**
 * `check --policy NAME`: a security profile judged over what the run already saw (pure). A policy is
 * data — the requirements it holds an IdP to — and each requirement reads the discovery metadata, the
 * checks and probes that ran, and a few facts of the run's own grant. It never turns a check off and
 * sends nothing: a requirement the run could not see is a skip naming what would show it.
 */
export type PolicyName = 'fapi2-security' | 'rfc9700' | 'oauth2.1';

/** What the run's grant was, beside its checks. */
export interface PolicyFacts {
  /** token_type of the tokens the user flow (or client credentials) got, when it got some. */
  token_type?: string | undefined;
  /** The client authentication the run used, and whether the client is public (method none). */
  client_auth: string;
  /** --dpop: the run asked for bound tokens. */
  dpop: boolean;
  /** alg of the ID token the login got. */
  id_token_alg?: string | undefined;
  /** --cert: the run presented a client certificate (RFC 8705). */
  mtls?: boolean | undefined;
  /** The access token carries the cnf.x5t#S256 of the client certificate the run presented (RFC 8705 §3, mtls.cnf_x5t). */
  certificate_bound?: boolean | undefined;
}

export interface PolicyEvidence {
  metadata: Record<string, unknown>;
  checks: readonly CheckResult[];
  facts: PolicyFacts;
}

type Judge = (evidence: Evidence, c: CheckRecorder) => void;
type Requirement = readonly [PolicyCheckId, Judge];
type PolicyCheckId = (typeof POLICY_CHECKS)[number]['id'];

export const POLICIES = new Map<PolicyName, { title: string; requirements: readonly Requirement[] }>([
  [
    'fapi2-security',
    {
      title: 'FAPI 2.0 Security Profile',
      requirements: [
        ['fapi2.par', fapi2Par],
        ['fapi2.pkce', fapi2Pkce],
        ['fapi2.sender_constrained', fapi2SenderConstrained],
        ['fapi2.client_auth', fapi2ClientAuth],
        ['fapi2.iss', fapi2Iss],
        ['fapi2.algorithms', fapi2Algorithms],
        ['fapi2.response_types', fapi2ResponseTypes],
        ['fapi2.redirect_uri', (e, c) => redirectExact(e, c, 'fapi2.redirect_uri')],
      ],
    },
  ],
  [
    'rfc9700',
    {
      title: 'RFC 9700, OAuth 2.0 Security Best Current Practice',
      requirements: [
        ['rfc9700.no_implicit', (e, c) => noImplicit(e, c, 'rfc9700.no_implicit')],
        ['rfc9700.no_password', (e, c) => noPassword(e, c, 'rfc9700.no_password')],
        ['rfc9700.pkce', bcpPkce],
        ['rfc9700.redirect_uri', (e, c) => redirectExact(e, c, 'rfc9700.redirect_uri')],
        ['rfc9700.mix_up', mixUp],
        ['rfc9700.refresh_public', (e, c) => refreshPublic(e, c, 'rfc9700.refresh_public')],
        ['rfc9700.sender_constrained', bcpSenderConstrained],
        ['rfc9700.code_reuse', codeReuse],
      ],
    },
  ],
  [
    'oauth2.1',
    {
      title: 'OAuth 2.1 (draft-ietf-oauth-v2-1)',
      requirements: [
        ['oauth21.pkce', pkceRequired],
        ['oauth21.no_implicit', (e, c) => noImplicit(e, c, 'oauth21.no_implicit')],
        ['oauth21.no_password', (e, c) => noPassword(e, c, 'oauth21.no_password')],
        ['oauth21.redirect_uri', (e, c) => redirectExact(e, c, 'oauth21.redirect_uri')],
        ['oauth21.refresh_public', (e, c) => refreshPublic(e, c, 'oauth21.refresh_public')],
        ['oauth21.query_token', queryToken],
      ],
    },
  ],
]);

/**
 * The checks each policy reads: they run whatever --only/--skip choose to show, so a policy is judged
 * on what it needs (the grant, the probes) and not on a selection made for the report.
 */
const EVIDENCE = new Map<PolicyName, readonly string[]>([
  ['fapi2-security', ['token_response.status', 'authorization.iss', 'probe.par_required', 'probe.pkce_required', 'probe.pkce_missing', 'probe.pkce_wrong', 'probe.pkce_downgrade', 'dpop.token_type', 'dpop.bearer_refused', 'mtls.cnf_x5t', 'mtls.bearer_refused', 'probe.redirect_uri_altered', 'probe.redirect_uri_token']],
  ['oauth2.1', ['token_response.status', 'probe.pkce_required', 'probe.pkce_missing', 'probe.pkce_wrong', 'probe.pkce_downgrade', 'dpop.token_type', 'mtls.cnf_x5t', 'probe.redirect_uri_altered', 'probe.redirect_uri_token', 'refresh.rotation', 'refresh.reuse_rejected', 'probe.userinfo_query_token']],
  ['rfc9700', ['token_response.status', 'authorization.iss', 'probe.pkce_missing', 'probe.pkce_wrong', 'probe.pkce_downgrade', 'dpop.token_type', 'probe.redirect_uri_altered', 'probe.redirect_uri_token', 'refresh.rotation', 'refresh.reuse_rejected', 'probe.code_reuse']],
]);

/** What must run for these policies, beside what the report shows. */
export function evidenceFor(names: readonly PolicyName[]): Set<string> {
  return new Set(names.flatMap((name) => EVIDENCE.get(name) ?? []));
}

/**
 * Where a profile forbids what a base specification requires, the base check's failure is what the
 * profile asks for: it is shown as a warning naming both, never hidden (FAPI 2.0 forbids RS256, which
 * OIDC Discovery §3 requires every OpenID Provider to list).
 */
const CONFLICTS = new Map<PolicyName, ReadonlyArray<{ id: string; reason: string }>>([
  ['fapi2-security', [{ id: 'discovery.alg_rs256', reason: 'FAPI 2.0 forbids RS256 (--policy fapi2-security): expected of a FAPI server, but relying parties that only know RS256 cannot verify its ID tokens' }]],
]);

/** The run's checks with the base checks a policy contradicts downgraded from fail to warn, the reason appended. */
export function reconcile(names: readonly PolicyName[], checks: readonly CheckResult[]): CheckResult[] {
  const conflicts = [...new Set(names)].flatMap((name) => CONFLICTS.get(name) ?? []);
  if (!conflicts.length) return [...checks];
  return checks.map((check) => {
    const conflict = conflicts.find((entry) => entry.id === check.id);
    return conflict && check.status === 'fail' ? { ...check, status: 'warn', message: `${check.message} — ${conflict.reason}` } : check;
  });
}

export function isPolicyName(name: string): name is PolicyName {
  return POLICIES.has(name as PolicyName);
}

/** Each requirement of each policy named, once; with no metadata to judge (discovery refused), each is a skip with `unjudged`. */
export function judgePolicies(names: readonly PolicyName[], evidence: PolicyEvidence, c: CheckRecorder, unjudged?: string): void {
  const e = new Evidence(evidence);
  for (const name of new Set(names)) {
    for (const [id, judge] of POLICIES.get(name)!.requirements) {
      if (unjudged) c.skip(id, unjudged);
      else judge(e, c);
    }
  }
}

/** The evidence with the questions every requirement asks of it. */
class Evidence {
  readonly metadata: Record<string, unknown>;
  readonly facts: PolicyFacts;
  readonly #byId: Map<string, CheckResult>;

  constructor(input: PolicyEvidence) {
    this.metadata = input.metadata;
    this.facts = input.facts;
    this.#byId = new Map(input.checks.map((check) => [check.id, check]));
  }

  /** The verdict of a check that ran (skipped or absent: undefined). */
  ran(id: string): CheckResult | undefined {
    const check = this.#byId.get(id);
    return check && check.status !== 'skip' ? check : undefined;
  }

  /** The first of these checks that ran and did not pass. */
  firstBad(ids: readonly string[]): CheckResult | undefined {
    return ids.map((id) => this.ran(id)).find((check) => check !== undefined && check.status !== 'pass');
  }

  strings(name: string): string[] | undefined {
    const value = this.metadata[name];
    return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : undefined;
  }

  /** Bound tokens advertised: DPoP (RFC 9449 §5.1) or certificate-bound (RFC 8705 §3.3). */
  senderConstrainingAdvertised(): string | undefined {
    const dpop = this.strings('dpop_signing_alg_values_supported') ?? [];
    if (dpop.length) return `DPoP (dpop_signing_alg_values_supported ${JSON.stringify(dpop)})`;
    if (this.metadata.tls_client_certificate_bound_access_tokens === true) return 'mTLS-bound tokens (tls_client_certificate_bound_access_tokens)';
    return undefined;
  }
}

const quoted = (check: CheckResult) => `${check.id}: ${cut(check.message, 140)}`;
const notSeen = (ids: string, how: string) => `${ids} did not run (${how})`;

function fapi2Par(e: Evidence, c: CheckRecorder): void {
  if (e.metadata.require_pushed_authorization_requests !== true) return void c.violation('fapi2.par', 'require_pushed_authorization_requests is not true: plain authorization requests are allowed');
  const probe = e.ran('probe.par_required');
  if (probe && probe.status !== 'pass') return void c.violation('fapi2.par', `required in the metadata, but ${quoted(probe)}`);
  c.pass('fapi2.par', probe ? 'required, and a plain authorization request was refused (probe.par_required)' : `required in the metadata; ${notSeen('probe.par_required', '--browser-command shows whether a plain request is refused')}`);
}

function fapi2Pkce(e: Evidence, c: CheckRecorder): void {
  const methods = e.strings('code_challenge_methods_supported') ?? [];
  if (!methods.includes('S256')) return void c.violation('fapi2.pkce', `code_challenge_methods_supported ${methods.length ? JSON.stringify(methods) : 'is absent'}: S256 is not advertised`);
  const bad = e.firstBad(['probe.pkce_required', 'probe.pkce_missing', 'probe.pkce_wrong', 'probe.pkce_downgrade']);
  if (bad) return void c.violation('fapi2.pkce', quoted(bad));
  const probe = e.ran('probe.pkce_required');
  c.pass('fapi2.pkce', probe ? 'S256 advertised, and a request without code_challenge was refused (probe.pkce_required)' : `S256 advertised; ${notSeen('probe.pkce_required', '--browser-command shows whether PKCE is required')}`);
}

function fapi2SenderConstrained(e: Evidence, c: CheckRecorder): void {
  const advertised = e.senderConstrainingAdvertised();
  if (!advertised) return void c.violation('fapi2.sender_constrained', 'neither DPoP (dpop_signing_alg_values_supported) nor certificate-bound tokens (tls_client_certificate_bound_access_tokens) are advertised');
  const type = e.facts.token_type;
  // RFC 8705 §3: a certificate-bound token keeps token_type Bearer; its cnf.x5t#S256 is the binding.
  const certificateBound = e.facts.certificate_bound === true;
  if (type !== undefined && type.toLowerCase() === 'bearer' && !certificateBound) {
    const sent = e.facts.dpop ? ' although it sent a DPoP proof' : e.facts.mtls ? ' without cnf.x5t#S256, although it presented a client certificate: the IdP issues unbound tokens' : ' (it sent no DPoP proof): the IdP issues unbound tokens';
    return void c.violation('fapi2.sender_constrained', `this run was issued token_type ${type}${sent}`);
  }
  const bad = e.firstBad(['dpop.token_type', 'dpop.bearer_refused', 'mtls.cnf_x5t', 'mtls.bearer_refused']);
  if (bad) return void c.violation('fapi2.sender_constrained', quoted(bad));
  if (e.ran('dpop.bearer_refused')) c.pass('fapi2.sender_constrained', `${advertised}; the token was bound, and refused when sent as Bearer (dpop.bearer_refused)`);
  else if (e.ran('mtls.bearer_refused')) c.pass('fapi2.sender_constrained', `${advertised}; the token was bound to the client certificate (mtls.cnf_x5t), and refused without it (mtls.bearer_refused)`);
  else if (certificateBound) c.pass('fapi2.sender_constrained', `${advertised}; the token was bound to the client certificate (mtls.cnf_x5t); ${notSeen('mtls.bearer_refused', 'check --cert with --browser-command shows it refused without the certificate')}`);
  else c.pass('fapi2.sender_constrained', `${advertised}; ${notSeen('dpop.bearer_refused', 'check --dpop with --browser-command shows a bound token refused as Bearer')}`);
}

const FAPI2_CLIENT_AUTH = new Set(['private_key_jwt', 'tls_client_auth', 'self_signed_tls_client_auth']);

function fapi2ClientAuth(e: Evidence, c: CheckRecorder): void {
  // RFC 8414 §2: when the member is omitted, the default is client_secret_basic.
  const methods = e.strings('token_endpoint_auth_methods_supported') ?? ['client_secret_basic'];
  const others = methods.filter((method) => !FAPI2_CLIENT_AUTH.has(method));
  if (others.length) return void c.violation('fapi2.client_auth', `token_endpoint_auth_methods_supported also allows ${others.join(', ')}${e.metadata.token_endpoint_auth_methods_supported === undefined ? ' (the default when the member is omitted)' : ''}`);
  if (e.facts.token_type !== undefined && !FAPI2_CLIENT_AUTH.has(e.facts.client_auth)) return void c.violation('fapi2.client_auth', `this run authenticated with ${e.facts.client_auth} and was given tokens`);
  c.pass('fapi2.client_auth', `token_endpoint_auth_methods_supported ${JSON.stringify(methods)}`);
}

function fapi2Iss(e: Evidence, c: CheckRecorder): void {
  if (e.metadata.authorization_response_iss_parameter_supported !== true) return void c.violation('fapi2.iss', 'authorization_response_iss_parameter_supported is not true');
  const bad = e.firstBad(['authorization.iss']);
  if (bad) return void c.violation('fapi2.iss', quoted(bad));
  c.pass('fapi2.iss', e.ran('authorization.iss') ? 'advertised, and the authorization response carried this issuer' : `advertised; ${notSeen('authorization.iss', '--browser-command shows the response')}`);
}

// Ed25519 is EdDSA on Ed25519 under its fully-specified name (RFC 9864), which FAPI 2.0's EdDSA means.
const FAPI2_ALGORITHMS = new Set(['PS256', 'ES256', 'EdDSA', 'Ed25519']);

function fapi2Algorithms(e: Evidence, c: CheckRecorder): void {
  const lists = Object.keys(e.metadata).filter((name) => name.endsWith('_signing_alg_values_supported')).sort();
  const others = lists.flatMap((name) => (e.strings(name) ?? []).filter((alg) => !FAPI2_ALGORITHMS.has(alg)).map((alg) => `${alg} in ${name}`));
  if (others.length) return void c.violation('fapi2.algorithms', `not PS256, ES256 or EdDSA: ${cut(others.join(', '), 300)}`);
  const used = e.facts.id_token_alg;
  if (used !== undefined && !FAPI2_ALGORITHMS.has(used)) return void c.violation('fapi2.algorithms', `the ID token of this run is signed with ${cut(used, 20)}`);
  c.pass('fapi2.algorithms', `${lists.length} *_signing_alg_values_supported list(s), only PS256, ES256 and EdDSA${used ? `; the ID token used ${used}` : ''}`);
}

function fapi2ResponseTypes(e: Evidence, c: CheckRecorder): void {
  const types = e.strings('response_types_supported') ?? [];
  const others = types.filter((type) => type !== 'code');
  if (!types.length) return void c.skip('fapi2.response_types', 'the metadata lists no response_types_supported (discovery.required_members judges that)');
  if (others.length) return void c.violation('fapi2.response_types', `response_types_supported also has ${others.map((type) => JSON.stringify(type)).join(', ')}`);
  c.pass('fapi2.response_types', 'response_types_supported ["code"]');
}

function redirectExact(e: Evidence, c: CheckRecorder, id: 'fapi2.redirect_uri' | 'rfc9700.redirect_uri' | 'oauth21.redirect_uri'): void {
  const probe = e.ran('probe.redirect_uri_altered');
  if (!probe) return void c.skip(id, notSeen('probe.redirect_uri_altered', '--browser-command runs it'));
  if (probe.status !== 'pass') return void c.violation(id, quoted(probe));
  const token = e.firstBad(['probe.redirect_uri_token']);
  if (token) return void c.violation(id, quoted(token));
  c.pass(id, 'an altered redirect_uri got an error page (probe.redirect_uri_altered)');
}

function noImplicit(e: Evidence, c: CheckRecorder, id: 'rfc9700.no_implicit' | 'oauth21.no_implicit'): void {
  const types = e.strings('response_types_supported');
  if (!types?.length) return void c.skip(id, 'the metadata lists no response_types_supported (discovery.required_members judges that)');
  const front = types.filter((type) => type.split(' ').includes('token'));
  if (front.length) c.violation(id, `response_types_supported has ${front.map((type) => JSON.stringify(type)).join(', ')}: access tokens in the front channel`);
  else c.pass(id, `no response type with "token" among ${types.length}`);
}

function noPassword(e: Evidence, c: CheckRecorder, id: 'rfc9700.no_password' | 'oauth21.no_password'): void {
  const grants = e.strings('grant_types_supported');
  if (grants?.includes('password')) c.violation(id, 'grant_types_supported lists "password"');
  else c.pass(id, grants ? `"password" is not among ${grants.length} grant types` : 'grant_types_supported is absent (the default is authorization_code and implicit)');
}

/** OAuth 2.1 asks more than RFC 9700: the server enforces PKCE (a request without a challenge is refused). */
function pkceRequired(e: Evidence, c: CheckRecorder): void {
  const methods = e.strings('code_challenge_methods_supported') ?? [];
  if (!methods.includes('S256')) return void c.violation('oauth21.pkce', `code_challenge_methods_supported ${methods.length ? JSON.stringify(methods) : 'is absent'}: S256 is not advertised`);
  const bad = e.firstBad(['probe.pkce_required', 'probe.pkce_missing', 'probe.pkce_wrong', 'probe.pkce_downgrade']);
  if (bad) return void c.violation('oauth21.pkce', quoted(bad));
  if (!e.ran('probe.pkce_required')) return void c.skip('oauth21.pkce', notSeen('probe.pkce_required', '--browser-command shows whether PKCE is required'));
  c.pass('oauth21.pkce', 'S256 advertised; a request without code_challenge was refused (probe.pkce_required), and no code gave in to a missing, wrong or downgraded verifier');
}

function queryToken(e: Evidence, c: CheckRecorder): void {
  const probe = e.ran('probe.userinfo_query_token');
  if (!probe) return void c.skip('oauth21.query_token', notSeen('probe.userinfo_query_token', 'it needs a userinfo_endpoint and an access token from the run'));
  if (probe.status !== 'pass') c.violation('oauth21.query_token', quoted(probe));
  else c.pass('oauth21.query_token', 'userinfo refused the access token in the query string (probe.userinfo_query_token)');
}

function bcpPkce(e: Evidence, c: CheckRecorder): void {
  const methods = e.strings('code_challenge_methods_supported') ?? [];
  if (!methods.includes('S256')) return void c.violation('rfc9700.pkce', `code_challenge_methods_supported ${methods.length ? JSON.stringify(methods) : 'is absent'}: S256 is not advertised`);
  const ids = ['probe.pkce_downgrade', 'probe.pkce_missing', 'probe.pkce_wrong'];
  const bad = e.firstBad(ids);
  if (bad) return void c.violation('rfc9700.pkce', quoted(bad));
  const seen = ids.filter((id) => e.ran(id));
  c.pass('rfc9700.pkce', seen.length ? `S256 advertised; ${seen.join(', ')} refused what they sent` : `S256 advertised; ${notSeen('the PKCE probes', '--browser-command runs them')}`);
}

function mixUp(e: Evidence, c: CheckRecorder): void {
  const bad = e.firstBad(['authorization.iss']);
  if (bad) return void c.violation('rfc9700.mix_up', quoted(bad));
  if (e.metadata.authorization_response_iss_parameter_supported === true) c.pass('rfc9700.mix_up', 'authorization_response_iss_parameter_supported: true');
  else c.violation('rfc9700.mix_up', 'authorization_response_iss_parameter_supported is not true: a client cannot tell which server answered (unless each has its own redirect URI)');
}

function refreshPublic(e: Evidence, c: CheckRecorder, id: 'rfc9700.refresh_public' | 'oauth21.refresh_public'): void {
  if (e.facts.client_auth !== 'none') return void c.skip(id, `applies to public clients; this run's client authenticates with ${e.facts.client_auth}`);
  if (e.facts.token_type?.toLowerCase() === 'dpop' && e.ran('dpop.token_type')?.status === 'pass') return void c.pass(id, 'the grant is bound to the client\'s DPoP key');
  if (e.facts.certificate_bound === true) return void c.pass(id, 'the grant is bound to the client\'s certificate (mtls.cnf_x5t, RFC 8705 §4)');
  const rotation = e.ran('refresh.rotation');
  if (!rotation) return void c.skip(id, notSeen('refresh.rotation', 'a refresh token from --browser-command\'s login shows it'));
  if (rotation.status !== 'pass') return void c.violation(id, quoted(rotation));
  const reuse = e.firstBad(['refresh.reuse_rejected']);
  if (reuse) return void c.violation(id, quoted(reuse));
  c.pass(id, `rotated on refresh (refresh.rotation)${e.ran('refresh.reuse_rejected') ? ', and the old one refused (refresh.reuse_rejected)' : ''}`);
}

function bcpSenderConstrained(e: Evidence, c: CheckRecorder): void {
  const advertised = e.senderConstrainingAdvertised();
  if (advertised) c.pass('rfc9700.sender_constrained', advertised);
  else c.violation('rfc9700.sender_constrained', 'neither DPoP nor certificate-bound access tokens are advertised');
}

function codeReuse(e: Evidence, c: CheckRecorder): void {
  const probe = e.ran('probe.code_reuse');
  if (!probe) return void c.skip('rfc9700.code_reuse', notSeen('probe.code_reuse', '--browser-command runs it'));
  if (probe.status !== 'pass') c.violation('rfc9700.code_reuse', quoted(probe));
  else c.pass('rfc9700.code_reuse', 'a second redemption of a code was refused (probe.code_reuse)');
}
