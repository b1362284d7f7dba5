import { randomBytes } from 'node:crypto';
import type { TokenPrefix } from '../checks/catalogue/tokens.js';
import { CheckRecorder } from '../checks/recorder.js';
import type { CheckResult } from '../checks/types.js';
import { usageError } from '../errors.js';
import type { HttpClient } from '../http/types.js';
import { redact } from '../util/redact.js';
import { cut } from '../util/show.js';
import type { ClientCredentials } from './client-auth.js';
import { jsonObject, postForm } from './client-request.js';
import { judgeAgreement, judgeIntrospection, judgeOtherClient, judgeUnauthenticated, judgeUnknownToken, judgeWrongHint, type ClaimRow, type IntrospectionAnswer } from './introspection-checks.js';
import { readClaims } from './jwt/parse.js';
import { endpointProblem } from './metadata-trust.js';
import { credentialsFor, type IssuerSession, type SessionClient } from './session.js';
import { classifyToken } from './token-endpoint.js';
import { judgeToken, locallyValid, type JudgedToken } from './token-judge.js';

export type TokenTypeHint = 'access_token' | 'refresh_token';

/** --token-type-hint, for introspect and revoke (RFC 7009 §2.1 defines the two values both use). */
export function parseHint(value: string | undefined): TokenTypeHint | undefined {
  if (value === undefined || value === 'access_token' || value === 'refresh_token') return value;
  throw usageError(`--token-type-hint: "${value}" is not access_token or refresh_token`);
}

export interface IntrospectionTarget {
  introspection_endpoint: string;
  client: ClientCredentials;
  issuer: string;
}

/** RFC 7662 §2.1: POST token (+ token_type_hint) with client authentication. */
export async function introspect(http: HttpClient, target: IntrospectionTarget, token: string, hint?: TokenTypeHint, authenticated = true): Promise<IntrospectionAnswer> {
  const params: Array<[string, string]> = [['token', token]];
  if (hint) params.push(['token_type_hint', hint]);
  const response = await postForm(http, target.introspection_endpoint, params, authenticated ? target.client : undefined, { tokens: [token], assertionAudience: target.issuer });
  return { status: response.status, body: jsonObject(response) };
}

export const otherHint = (hint: TokenTypeHint): TokenTypeHint => (hint === 'access_token' ? 'refresh_token' : 'access_token');

/** A token no IdP has issued: 32 random bytes look like any opaque token. */
export const randomToken = () => randomBytes(32).toString('base64url');

/**
 * The active probes of CHECKS.md "Introspection": the same token without client authentication, a
 * random token, and the real token under the wrong hint. `active` is what the real introspection said.
 */
export async function probeIntrospection(http: HttpClient, target: IntrospectionTarget, token: string, hint: TokenTypeHint, active: boolean | undefined, c: CheckRecorder): Promise<void> {
  judgeUnauthenticated(await introspect(http, target, token, hint, false), c);
  judgeUnknownToken(await introspect(http, target, randomToken(), hint), c);
  if (active === true) judgeWrongHint(await introspect(http, target, token, otherHint(hint)), otherHint(hint), c);
  else c.skip('introspection.token_type_hint', 'the token is not active: nothing to find under the wrong hint');
}

export const INTROSPECTION_PROBE_IDS = ['introspection.requires_auth', 'introspection.unknown_token', 'introspection.token_type_hint'] as const;

export interface IntrospectionInput {
  token: string;
  hint: TokenTypeHint | undefined;
  /**
   * Judge the token locally too, with this prefix (introspect: access_token, or jwt for a refresh
   * token). Without it the token's claims are only read, unverified, for the comparison (check has
   * judged the token already).
   */
  judgeAs?: TokenPrefix | undefined;
  /** The RFC 7662 probes: the same token unauthenticated, a random token, the wrong hint. */
  probes: boolean;
}

export interface IntrospectionResult {
  endpoint: string;
  answer: IntrospectionAnswer;
  /** What the IdP said, when it could be trusted. */
  active: boolean | undefined;
  /** The local judgement (judgeAs), undefined for an opaque token or when not asked. */
  local: JudgedToken | undefined;
  /** Signature verified and no failed check (judgeAs only). */
  valid: boolean;
  /** One row per claim seen on either side: [claim, introspection, token]. */
  rows: ClaimRow[];
  checks: CheckResult[];
}

/**
 * Introspection (RFC 7662) as `introspect` and `check` both run it: the request, the answer judged, the
 * IdP's word beside the token's own claims (a locally valid but inactive token is the lesson), and the probes.
 */
export async function introspectToken(session: IssuerSession, input: IntrospectionInput): Promise<IntrospectionResult> {
  const { http, ui, client } = session;
  const target: IntrospectionTarget = { introspection_endpoint: session.endpoint('introspection_endpoint'), client, issuer: session.issuer };
  ui.step('Introspection (RFC 7662)');
  ui.explain('Only the IdP knows whether a token is still alive: introspection asks it, local verification cannot.');
  ui.detail(`token=${redact(input.token, session.showTokens)}${input.hint ? ` token_type_hint=${input.hint}` : ''}, client authentication ${client.method}`);
  const answer = await introspect(http, target, input.token, input.hint);
  ui.detail(`← HTTP ${answer.status}${answer.body ? ` active=${JSON.stringify(answer.body.active)}` : ''}`);
  const c = new CheckRecorder();
  const active = judgeIntrospection(answer, c);

  let local: JudgedToken | undefined;
  if (input.judgeAs) {
    ui.step('Local verification');
    local = classifyToken(input.token) === 'opaque' ? undefined : await judgeToken(input.token, input.judgeAs, session.tokens, { clientId: client.client_id });
    if (!local) ui.detail('not a JWT: only the IdP can tell what it holds');
  }
  const valid = locallyValid(local);
  if (active === true) c.pass('introspection.active', 'the IdP says the token is active');
  else if (active === false) c.violation('introspection.active', `the IdP says the token is inactive${valid ? ', yet it verifies locally' : ''}`);
  else c.skip('introspection.active', 'no usable introspection answer');

  const claims = input.judgeAs ? local?.payload : readClaims(input.token);
  const rows = judgeAgreement(answer.body ?? {}, claims, active, c);
  if (local) c.merge(local.checks);
  if (input.probes) {
    ui.step('Probes: unauthenticated call, random token, wrong token_type_hint');
    await probeIntrospection(http, target, input.token, input.hint ?? 'access_token', active, c);
  } else for (const id of INTROSPECTION_PROBE_IDS) c.skip(id, 'probes off (--no-probes)');
  return { endpoint: target.introspection_endpoint, answer, active, local, valid, rows, checks: c.results };
}

/** introspection.other_client: the same token, introspected by a second client it was not issued to. */
export async function probeOtherClient(session: IssuerSession, token: string, client: SessionClient, c: CheckRecorder): Promise<void> {
  const introspection_endpoint = session.endpoint('introspection_endpoint');
  // Authenticated as the first client is: the method from the credentials and the IdP's list.
  const other = credentialsFor(client, session.metadata);
  session.ui.detail(`introspecting it as the second client ${other.client_id} (${other.method})`);
  judgeOtherClient(await introspect(session.http, { introspection_endpoint, client: other, issuer: session.issuer }, token, 'access_token'), other.client_id, c);
}

/** Whether the IdP still holds a token active: undefined when it cannot say (no endpoint, no usable answer). */
export async function stillActive(session: IssuerSession, token: string, hint: TokenTypeHint): Promise<boolean | undefined> {
  const introspection_endpoint = session.optionalEndpoint('introspection_endpoint');
  if (!introspection_endpoint) return undefined;
  const answer = await introspect(session.http, { introspection_endpoint, client: session.client, issuer: session.issuer }, token, hint);
  return answer.status === 200 && typeof answer.body?.active === 'boolean' ? answer.body.active : undefined;
}

/**
 * What the client cannot read in an opaque access token — whom it is for (aud), the key it is bound to
 * (cnf.jkt) — only the IdP can say: a confidential client asks it once (RFC 7662 §2.2). Either the active
 * answer, or why there is none (each a skip with that reason, never a pass).
 */
export async function introspectOpaque(http: HttpClient, target: { introspection_endpoint: unknown; client: ClientCredentials; issuer: string; insecure: boolean }, token: string): Promise<{ claims: Record<string, unknown> } | { unseen: string }> {
  if (target.introspection_endpoint === undefined) return { unseen: 'an opaque access token, and discovery lists no introspection_endpoint: only the IdP can tell' };
  // The client authenticates there: never to an endpoint the login would not act on.
  const problem = endpointProblem(target.introspection_endpoint, target.insecure);
  if (problem) return { unseen: `an opaque access token, and introspection_endpoint ${problem}` };
  if (target.client.method === 'none') return { unseen: 'an opaque access token, and a public client cannot introspect it (RFC 7662 §2.1)' };
  const answer = await introspect(http, { introspection_endpoint: target.introspection_endpoint as string, client: target.client, issuer: target.issuer }, token, 'access_token');
  const body = answer.body;
  if (answer.status !== 200 || !body) return { unseen: `an opaque access token, and introspection answered HTTP ${answer.status}${body ? '' : ' without a JSON object'}` };
  if (body.active !== true) return { unseen: 'an opaque access token that introspection calls inactive (introspection.active judges that)' };
  return { claims: body };
}

/** access_token.aud of an opaque token asked for an API (--resource, --audience), from introspection. */
export function judgeIntrospectedAudience(seen: Awaited<ReturnType<typeof introspectOpaque>>, audience: string, c: CheckRecorder): void {
  if ('unseen' in seen) return void c.skip('access_token.aud', `${seen.unseen}: its audience cannot be seen here`);
  const audiences = [seen.claims.aud ?? []].flat().filter((aud): aud is string => typeof aud === 'string');
  if (!audiences.length) return void c.warn('access_token.aud', `introspection of the opaque access token gives no aud: an API relying on introspection cannot tell that it was issued for ${audience}`);
  if (audiences.includes(audience)) c.pass('access_token.aud', `aud (from introspection) contains "${audience}"`);
  else c.violation('access_token.aud', `aud (from introspection) is ${JSON.stringify(audiences.length === 1 ? audiences[0] : audiences)}, not "${audience}": the token was not issued for the API it was asked for`);
}

/** dpop.cnf_jkt of an opaque DPoP-bound token (RFC 9449 §6.2: introspection returns cnf.jkt). */
export function judgeIntrospectedCnf(seen: Awaited<ReturnType<typeof introspectOpaque>>, thumbprint: string, c: CheckRecorder): void {
  if ('unseen' in seen) return void c.skip('dpop.cnf_jkt', `${seen.unseen}: its cnf.jkt cannot be seen here`);
  const cnf = seen.claims.cnf;
  const jkt = cnf !== null && typeof cnf === 'object' && !Array.isArray(cnf) ? (cnf as Record<string, unknown>).jkt : undefined;
  if (jkt === thumbprint) c.pass('dpop.cnf_jkt', `cnf.jkt (from introspection) ${thumbprint}: the thumbprint of this run's key`);
  else c.violation('dpop.cnf_jkt', jkt === undefined ? 'introspection of the opaque access token gives no cnf.jkt: nothing shows it is bound to the key' : `cnf.jkt (from introspection) "${cut(String(jkt), 60)}" is not this key's thumbprint ${thumbprint}`);
}
