import { parameterKind } from '../http/mask.js';
import type { CheckRecorder } from '../checks/recorder.js';
import { CliError } from '../errors.js';
import type { HttpClient, HttpResponse } from '../http/types.js';
import { redact, redactSecret } from '../util/redact.js';
import { show } from '../util/show.js';
import { isVsChar } from '../util/plain-token.js';
import { MAX_JSON_DEPTH, nestedDeeperThan, pruneDeeperThan } from '../util/json-depth.js';
import { applyClientAuth, type ClientCredentials } from './client-auth.js';
import { dpopProof, type DpopKey } from './dpop.js';

/**
 * The token endpoint (RFC 6749 §3.2) as a request/process pair: `requestToken` does the HTTP for any
 * grant (authorization_code, refresh_token, client_credentials...), `judgeTokenResponse` is pure.
 */
export interface TokenRequestInput {
  token_endpoint: string;
  /** grant_type and the grant's own parameters, in order. */
  params: Array<[string, string]>;
  client: ClientCredentials;
  /** aud of a private_key_jwt client assertion; default the token endpoint (OIDC Core §9). */
  assertionAudience?: string;
  timeoutMs?: number;
  /** RFC 9449: send a DPoP proof made with this key (and the nonce the IdP asks for, once). */
  dpop?: DpopKey | undefined;
}

export interface TokenExchange {
  /** The form as sent, client authentication included (redact before showing: describeForm). */
  form: Array<[string, string]>;
  /** The DPoP proof sent (RFC 9449), to show decoded. */
  dpopProof?: string;
  /** The server nonce the IdP asked for, when the request was made again with it. */
  dpopNonce?: string;
  /** How the client authenticated, for display ("Authorization: Basic …"). */
  authorizationHeader: string | undefined;
  response: HttpResponse;
}

export interface TokenSet {
  access_token: string;
  token_type: string | undefined;
  expires_in: number | undefined;
  refresh_token: string | undefined;
  id_token: string | undefined;
  scope: string | undefined;
  /** The whole JSON body, as received. */
  raw: Record<string, unknown>;
  /** The response's Date header: the IdP's clock, for skew reports. */
  date: Date | undefined;
}

export interface TokenJudgement {
  tokens: TokenSet | undefined;
  /** The OAuth error, when the request failed. */
  error: { error: string; error_description?: string } | undefined;
  body: unknown;
}

export function describeForm(form: Array<[string, string]>, showTokens: boolean): string[] {
  // The same names the trace masks (http/mask.ts): a client credential shows nothing, a token a prefix.
  const shown = (name: string, value: string) => {
    const kind = parameterKind(name);
    return kind === 'secret' ? redactSecret(value, showTokens) : kind === 'token' ? redact(value, showTokens) : value;
  };
  return form.map(([name, value]) => `${name}=${shown(name, value)}`);
}

export async function requestToken(http: HttpClient, input: TokenRequestInput): Promise<TokenExchange> {
  const first = await sendTokenRequest(http, input, undefined);
  // RFC 9449 §8: an IdP that wants a server nonce in the proof says use_dpop_nonce and sends one; the
  // request is made again, once, with it (the code is not spent by the refused attempt).
  const nonce = first.response.headers['dpop-nonce'];
  if (!input.dpop || first.response.status !== 400 || !nonce || errorCodeOf(first.response) !== 'use_dpop_nonce') return first;
  return { ...(await sendTokenRequest(http, input, nonce)), dpopNonce: nonce };
}

async function sendTokenRequest(http: HttpClient, input: TokenRequestInput, nonce: string | undefined): Promise<TokenExchange> {
  const form = new URLSearchParams(input.params);
  const auth = await applyClientAuth(input.client, form, input.assertionAudience ?? input.token_endpoint);
  const tokens: string[] = [];
  for (const [name, value] of input.params) {
    const kind = parameterKind(name);
    if (kind) (kind === 'secret' ? auth.secrets : tokens).push(value);
  }
  const headers: Record<string, string> = { ...auth.headers, 'content-type': 'application/x-www-form-urlencoded' };
  if (input.dpop) headers.dpop = await dpopProof(input.dpop, { htm: 'POST', url: input.token_endpoint, nonce });
  const response = await http.request({
    url: input.token_endpoint,
    method: 'POST',
    headers,
    body: form,
    secrets: auth.secrets,
    tokens,
    ...(input.timeoutMs === undefined ? {} : { timeoutMs: input.timeoutMs }),
  });
  return { form: [...form], authorizationHeader: auth.headers.authorization, response, ...(input.dpop ? { dpopProof: headers.dpop } : {}) };
}

function errorCodeOf(response: HttpResponse): string | undefined {
  try {
    const body = response.json() as { error?: unknown } | null;
    return typeof body?.error === 'string' ? body.error : undefined;
  } catch {
    return undefined;
  }
}

/**
 * 'opaque', 'JWS' or 'JWE' by shape only (RFC 7515 §7.1, RFC 7516 §7.1). Anything whose first part is a
 * base64url JSON object is a JOSE object and gets judged, malformed or not (6 parts, an object alg...):
 * only a token that does not even start like one is opaque, so an undecryptable or broken JWT can never
 * pass as "opaque, only the IdP can tell".
 */
export function classifyToken(token: string): 'opaque' | 'JWS' | 'JWE' {
  const parts = token.split('.');
  if (parts.length < 2) return 'opaque';
  try {
    const header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8')) as unknown;
    if (header === null || typeof header !== 'object' || Array.isArray(header)) return 'opaque';
  } catch {
    return 'opaque';
  }
  return parts.length === 5 ? 'JWE' : 'JWS';
}

function parseBody(response: HttpResponse): { body: unknown; problem?: string; pruned?: boolean } {
  try {
    return { body: response.json() };
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    // JSON with something absurdly deep in it: the IdP may have spent a refresh token on this answer,
    // so its shallow members (the rotated refresh_token) are kept and only the deep part is cut.
    const deep = deepJson(response);
    if (deep !== undefined) return { body: pruneDeeperThan(deep), pruned: true };
    return { body: undefined, problem: `the body is ${response.headers['content-type'] ?? 'untyped'}, not JSON` };
  }
}

function deepJson(response: HttpResponse): unknown {
  try {
    const value: unknown = JSON.parse(response.text());
    return nestedDeeperThan(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

const str = (value: unknown) => (typeof value === 'string' ? value : undefined);

export { isVsChar };

/** Shows where a token leaves VSCHAR without printing it: position and code point of the first offender. */
function firstNonVsChar(token: string): string {
  const chars = [...token];
  const index = chars.findIndex((ch) => !isVsChar(ch));
  return `U+${chars[index]!.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} at character ${index + 1}`;
}

/**
 * A token outside VSCHAR (control characters, an ESC or C1 sequence, non-ASCII) cannot travel in an
 * Authorization header and would act on the terminal of whoever prints it; the ID token is a JWS, so
 * base64url and dots, within VSCHAR too.
 */
function judgeTokenSyntax(object: Record<string, unknown>, checks: CheckRecorder): void {
  const present = (['access_token', 'refresh_token', 'id_token'] as const).filter((name) => typeof object[name] === 'string' && object[name] !== '');
  const bad = present.filter((name) => !isVsChar(object[name] as string));
  if (bad.length === 0) checks.pass('token_response.token_syntax', `${present.join(', ') || 'no token'}: printable ASCII only (VSCHAR)`);
  else checks.violation('token_response.token_syntax', bad.map((name) => `${name} has a character outside VSCHAR (${firstNonVsChar(object[name] as string)})`).join('; '));
}

/** RFC 6749 §5.1 / §5.2 and OIDC Core §3.1.3.3. `basicAuth` matters for the 401 rule of invalid_client. */
export function judgeTokenResponse(response: HttpResponse, expect: { openid: boolean; basicAuth: boolean }, checks: CheckRecorder): TokenJudgement {
  const { body, problem, pruned } = parseBody(response);
  const object = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
  if (response.status !== 200) return judgeError(response, object, problem, expect.basicAuth, checks);
  if (!object) {
    checks.violation('token_response.status', `HTTP 200, but ${problem ?? 'the body is JSON but not an object'}`);
    return { tokens: undefined, error: undefined, body };
  }
  checks.pass('token_response.status', `HTTP 200 ${response.headers['content-type'] ?? ''} in ${response.elapsedMs} ms${pruned ? ` (a member nested deeper than ${MAX_JSON_DEPTH} levels was cut)` : ''}`.replace('  ', ' '));

  const cacheControl = response.headers['cache-control'];
  if (cacheControl && /(^|,)\s*no-store\s*(,|$)/i.test(cacheControl)) checks.pass('token_response.no_store', `Cache-Control: ${cacheControl}`);
  else checks.violation('token_response.no_store', cacheControl ? `Cache-Control is "${cacheControl}", without no-store` : 'no Cache-Control header; expected "no-store"');

  const access_token = str(object.access_token);
  if (access_token) checks.pass('token_response.access_token', `access_token present (${access_token.length} characters)`);
  else checks.violation('token_response.access_token', object.access_token === undefined ? 'no access_token in the response' : object.access_token === '' ? 'access_token is an empty string' : `access_token is ${show(object.access_token)}, not a non-empty string`);

  judgeTokenSyntax(object, checks);

  const token_type = str(object.token_type);
  if (token_type === undefined) checks.violation('token_response.token_type', object.token_type === undefined ? 'no token_type in the response' : `token_type is ${show(object.token_type)}, not a string`);
  else if (/^(bearer|dpop)$/i.test(token_type)) checks.pass('token_response.token_type', `"${token_type}"`);
  else checks.violation('token_response.token_type', `"${token_type}" is neither Bearer nor DPoP`);

  judgeExpiresIn(object.expires_in, checks);
  judgeMemberTypes(object, checks);

  const id_token = str(object.id_token);
  if (expect.openid) {
    if (id_token) checks.pass('token_response.id_token', `id_token present (${id_token.length} characters)`);
    else checks.violation('token_response.id_token', 'scope openid was requested but the response has no id_token');
  } else if (id_token) checks.pass('token_response.id_token', 'id_token present (openid was not requested)');
  else checks.skip('token_response.id_token', 'openid was not requested');

  if (access_token) {
    const kind = classifyToken(access_token);
    checks.pass(
      'token_response.access_token_kind',
      kind === 'opaque' ? `opaque (${access_token.length} characters): only the IdP can tell what it holds (see oidc-cli introspect)` : kind === 'JWE' ? 'JWE: encrypted for its audience, not readable here' : 'JWS (a JWT access token, judged under RFC 9068)',
    );
  }

  const tokens: TokenSet | undefined = access_token
    ? {
        access_token,
        token_type,
        expires_in: toSeconds(object.expires_in),
        refresh_token: str(object.refresh_token),
        id_token,
        scope: str(object.scope),
        raw: object,
        date: response.date,
      }
    : undefined;
  return { tokens, error: undefined, body: object };
}

const YEAR = 365 * 86400;
/** Past this an expires_in is not a lifetime at all (1e300, a millisecond epoch...): refused, never stored. */
const MAX_EXPIRES_IN = 10 * YEAR;

/** expires_in as a lifetime to store: a positive integer of seconds (or its string quirk) up to MAX_EXPIRES_IN. */
function toSeconds(value: unknown): number | undefined {
  const seconds = typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : value;
  return typeof seconds === 'number' && Number.isInteger(seconds) && seconds > 0 && seconds <= MAX_EXPIRES_IN ? seconds : undefined;
}

function judgeExpiresIn(value: unknown, checks: CheckRecorder): void {
  const seconds = toSeconds(value);
  if (value === undefined) {
    checks.warn('token_response.expires_in', 'no expires_in: the lifetime of the access token is unknown');
  } else if (typeof value === 'number' && Number.isInteger(value) && value > MAX_EXPIRES_IN) {
    checks.violation('token_response.expires_in', `expires_in is ${value} s, out of range (more than ${MAX_EXPIRES_IN / YEAR} years): not used`);
  } else if (seconds === undefined) {
    checks.violation('token_response.expires_in', `expires_in is ${show(value)}, not a positive integer`);
  } else if (typeof value === 'string') {
    checks.warn('token_response.expires_in', `expires_in is the string "${value}", not a number (a known IdP quirk; accepted)`);
  } else if (seconds > YEAR) {
    checks.warn('token_response.expires_in', `expires_in is ${seconds} s (over a year): seconds and milliseconds mixed up?`);
  } else {
    checks.pass('token_response.expires_in', `${seconds} s`);
  }
}

/** RFC 6749 §5.1: refresh_token and scope, when present, are strings; anything else is not used. */
function judgeMemberTypes(object: Record<string, unknown>, checks: CheckRecorder): void {
  const mistyped = (['refresh_token', 'scope'] as const).filter((name) => object[name] !== undefined && (typeof object[name] !== 'string' || object[name] === ''));
  if (mistyped.length) checks.violation('token_response.member_types', mistyped.map((name) => `${name} is ${show(object[name])}, not a non-empty string`).join('; '));
  else checks.pass('token_response.member_types', 'refresh_token and scope are strings where present');
}

function judgeError(response: HttpResponse, object: Record<string, unknown> | undefined, problem: string | undefined, basicAuth: boolean, checks: CheckRecorder): TokenJudgement {
  const error = str(object?.error);
  const error_description = str(object?.error_description);
  const what = error ? `error=${error}${error_description ? ` ("${error_description}")` : ''}` : problem ?? 'no error member';
  checks.violation('token_response.status', `HTTP ${response.status}: ${what}`);
  const expected = error === 'invalid_client' && basicAuth ? 401 : 400;
  if (!error) checks.violation('token_response.error_format', `HTTP ${response.status} with ${problem ?? 'a JSON body without an "error" string'}`);
  else if (expected === 401 && (response.status !== 401 || !response.headers['www-authenticate'])) {
    checks.violation('token_response.error_format', `invalid_client after Basic authentication: expected 401 with WWW-Authenticate, got ${response.status}${response.headers['www-authenticate'] ? '' : ' without WWW-Authenticate'}`);
  } else if (response.status !== expected && !(error === 'invalid_client' && response.status === 401)) {
    checks.violation('token_response.error_format', `error=${error} with HTTP ${response.status}; expected ${expected}`);
  } else checks.pass('token_response.error_format', `HTTP ${response.status} with error=${error}`);
  return { tokens: undefined, error: error ? { error, ...(error_description ? { error_description } : {}) } : undefined, body: object };
}

/** The body of a token endpoint answer as an object, or undefined: the one JSON-object reader. */
export { jsonObject as bodyOf } from './client-request.js';
