import type { CheckRecorder } from '../checks/recorder.js';
import { isEpochInRange } from '../util/duration.js';
import { show } from '../util/show.js';

export const AGREEMENT_CLAIMS = ['iss', 'client_id', 'sub', 'exp', 'scope'] as const;
type Claim = (typeof AGREEMENT_CLAIMS)[number];
/** Each compared claim's check id, spelled out so `grep introspection.agree.exp src` lands on judgeAgreement. */
const AGREEMENT_IDS = {
  iss: 'introspection.agree.iss',
  client_id: 'introspection.agree.client_id',
  sub: 'introspection.agree.sub',
  exp: 'introspection.agree.exp',
  scope: 'introspection.agree.scope',
} as const satisfies { [C in Claim]: `introspection.agree.${C}` };

export interface IntrospectionAnswer {
  status: number;
  /** The parsed JSON object, when the body was one. */
  body: Record<string, unknown> | undefined;
}

/** RFC 7662 §2.2: 200, a JSON object, `active` a boolean. Returns `active` when it can be trusted. */
export function judgeIntrospection(answer: IntrospectionAnswer, c: CheckRecorder): boolean | undefined {
  if (answer.status !== 200 || !answer.body) {
    const error = answer.body?.error;
    c.violation('introspection.status', `answered ${answer.status}${error ? ` ${show(error)}` : ''}${answer.body ? '' : ' without a JSON object'}, expected 200 JSON`);
    c.skip('introspection.active_boolean', 'no introspection response to judge');
    return undefined;
  }
  c.pass('introspection.status', '200 JSON');
  const active = answer.body.active;
  if (typeof active !== 'boolean') {
    c.violation('introspection.active_boolean', `"active" is ${active === undefined ? 'absent' : JSON.stringify(active)}, expected true or false`);
    return undefined;
  }
  c.pass('introspection.active_boolean', `"active": ${active}`);
  judgeMemberTypes(answer.body, c);
  return active;
}

const STRING_MEMBERS = ['scope', 'client_id', 'username', 'token_type', 'sub', 'iss', 'jti'] as const;
const TIME_MEMBERS = ['exp', 'iat', 'nbf'] as const;

/** RFC 7662 §2.2: the optional members have fixed types; times are NumericDates a Date can hold. */
function judgeMemberTypes(body: Record<string, unknown>, c: CheckRecorder): void {
  const problems: string[] = [];
  for (const name of STRING_MEMBERS) if (body[name] !== undefined && typeof body[name] !== 'string') problems.push(`${name} is ${show(body[name])}, not a string`);
  for (const name of TIME_MEMBERS) {
    const value = body[name];
    if (value !== undefined && !isEpochInRange(value)) problems.push(`${name} is ${show(value)}, not a NumericDate in range`);
  }
  const aud = body.aud;
  if (aud !== undefined && typeof aud !== 'string' && !(Array.isArray(aud) && aud.every((entry) => typeof entry === 'string'))) problems.push(`aud is ${show(aud)}, not a string or an array of strings`);
  if (problems.length) c.violation('introspection.member_types', problems.join('; '));
  else c.pass('introspection.member_types', 'every member present has its RFC 7662 type');
}

/** RFC 7662 §4: without client authentication the endpoint must not reveal anything about the token. */
export function judgeUnauthenticated(answer: IntrospectionAnswer, c: CheckRecorder): void {
  const leaked = answer.status === 200 && answer.body && (answer.body.active === true || Object.keys(answer.body).some((k) => k !== 'active'));
  if (leaked) c.violation('introspection.requires_auth', `answered 200 without client authentication, revealing ${Object.keys(answer.body!).join(', ')}`);
  else c.pass('introspection.requires_auth', `without client authentication: ${answer.status}${answer.body?.active === false ? ' {"active": false}' : ''}, no token data`);
}

/**
 * RFC 7662 §2.2 and §4: the IdP decides which callers may learn about a token, and may answer
 * differently to each; a client the token was not issued to (and that is not a resource server for it)
 * should learn nothing. Active, with the token's claims, means any client that authenticates can read
 * any other client's tokens — who signed in, with what scope. A 401 says the second client itself does
 * not authenticate, so nothing can be told.
 */
export function judgeOtherClient(answer: IntrospectionAnswer, other: string, c: CheckRecorder): void {
  if (answer.status === 401) return void c.skip('introspection.other_client', `the second client "${other}" does not authenticate (HTTP 401): check its secret`);
  if (answer.status === 200 && answer.body?.active === true) {
    const revealed = Object.keys(answer.body).filter((name) => name !== 'active');
    return void c.warn('introspection.other_client', `client "${other}" introspected a token issued to another client: active${revealed.length ? `, revealing ${revealed.join(', ')}` : ''}`);
  }
  if (answer.status === 200 && answer.body?.active === false) return void c.pass('introspection.other_client', `client "${other}" asking about another client's token got 200 {"active": false}`);
  c.pass('introspection.other_client', `client "${other}" asking about another client's token was refused (HTTP ${answer.status}), no token data`);
}

/** RFC 7662 §2.2: an unknown token is 200 {"active": false}, not an error. */
export function judgeUnknownToken(answer: IntrospectionAnswer, c: CheckRecorder): void {
  if (answer.status === 200 && answer.body?.active === false) c.pass('introspection.unknown_token', 'a random token gave 200 {"active": false}');
  else c.violation('introspection.unknown_token', `a random token gave ${answer.status} ${answer.body ? JSON.stringify(answer.body) : '(no JSON)'}, expected 200 {"active": false}`);
}

/** RFC 7662 §2.1: the hint is only a hint. */
export function judgeWrongHint(answer: IntrospectionAnswer, wrongHint: string, c: CheckRecorder): void {
  c.expect('introspection.token_type_hint', answer.status === 200 && answer.body?.active === true, `still active with token_type_hint=${wrongHint}`, `with token_type_hint=${wrongHint} the token was ${answer.status === 200 ? 'reported inactive' : `refused (${answer.status})`}`);
}

/** The scope as a sorted list: `scope` (RFC 7662, RFC 9068) or `scp` (a common array spelling). */
function scopes(value: Record<string, unknown>): string[] | undefined {
  const raw = value.scope ?? value.scp;
  if (typeof raw === 'string') return raw.split(' ').filter(Boolean).sort();
  if (Array.isArray(raw)) return raw.map(show).sort();
  return undefined;
}

function claimOf(source: Record<string, unknown>, claim: Claim): unknown {
  if (claim === 'scope') return scopes(source)?.join(' ');
  if (claim === 'client_id') return source.client_id ?? source.azp;
  return source[claim];
}

export type ClaimRow = [claim: string, introspection: string, local: string];

/**
 * Compares what the IdP says (introspection) with what the token says (local verification), one
 * check per claim of RFC 7662/9068 both may carry. Returns a table row per claim seen on either side.
 */
export function judgeAgreement(introspection: Record<string, unknown>, local: Record<string, unknown> | undefined, active: boolean | undefined, c: CheckRecorder): ClaimRow[] {
  for (const claim of AGREEMENT_CLAIMS) {
    const id = AGREEMENT_IDS[claim];
    if (!local) c.skip(id, 'the token is not a JWT: nothing to compare locally');
    else if (active !== true) c.skip(id, 'the token is not active: an inactive response carries no claims (RFC 7662 §2.2)');
    else {
      const a = claimOf(introspection, claim);
      const b = claimOf(local, claim);
      if (a === undefined || b === undefined) c.skip(id, `${claim} ${a === undefined ? 'not in the introspection response' : 'not in the token'}`);
      else c.expect(id, a === b, `both say ${JSON.stringify(a)}`, `introspection says ${JSON.stringify(a)}, the token says ${JSON.stringify(b)}`);
    }
  }
  const names = new Set<string>(['active', ...Object.keys(introspection), ...Object.keys(local ?? {})]);
  const cell = (source: Record<string, unknown> | undefined, name: string) =>
    source === undefined || !Object.hasOwn(source, name) || source[name] === undefined ? '' : typeof source[name] === 'string' ? (source[name] as string) : JSON.stringify(source[name]);
  return [...names].map((name): ClaimRow => [name, cell(introspection, name), cell(local, name)]);
}
