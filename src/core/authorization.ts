import type { CheckRecorder } from '../checks/recorder.js';
import type { JwtResponseMode } from './jarm.js';
import type { Pkce } from './pkce.js';
import { classifyToken } from './token-endpoint.js';
import { isLoopback, isLoopbackLiteral } from '../http/loopback.js';
import { listed } from '../util/show.js';

/** The authorization request of RFC 6749 §4.1.1 with PKCE (RFC 7636 §4.3) and OIDC Core §3.1.2.1 extras. */
export interface AuthorizationRequest {
  authorization_endpoint: string;
  client_id: string;
  redirect_uri: string;
  scope: string;
  state: string;
  nonce: string | undefined;
  pkce: Pkce;
  /** query is the default and is not sent; form_post and the JWT modes of JARM (jarm.ts) are. */
  response_mode?: 'query' | 'form_post' | JwtResponseMode;
  prompt?: string;
  login_hint?: string;
  /** Seconds. */
  max_age?: number;
  acr_values?: string;
  /** RFC 8707 resource indicators (repeatable). */
  resource?: string[];
  /** Non-standard but common (Auth0 and others). */
  audience?: string;
  /** --param key=value: replaces a parameter we set, or is appended. */
  extra?: Array<[string, string]>;
}

/** Parameters --param may not override: they carry the flow's own secrets and bindings. */
export const PROTECTED_PARAMETERS = ['state', 'nonce', 'code_challenge', 'code_challenge_method', 'redirect_uri', 'client_id'];

export function buildAuthorizationUrl(request: AuthorizationRequest): URL {
  // The endpoint may carry its own query (e.g. a tenant parameter); it is kept (RFC 6749 §3.1).
  const url = new URL(request.authorization_endpoint);
  const params: Array<[string, string | undefined]> = [
    ['response_type', 'code'],
    ['client_id', request.client_id],
    ['redirect_uri', request.redirect_uri],
    ['scope', request.scope],
    ['state', request.state],
    ['nonce', request.nonce],
    ['code_challenge', request.pkce.code_challenge],
    ['code_challenge_method', request.pkce.code_challenge_method],
    ['response_mode', request.response_mode === 'query' ? undefined : request.response_mode],
    ['prompt', request.prompt],
    ['login_hint', request.login_hint],
    ['max_age', request.max_age === undefined ? undefined : String(Math.round(request.max_age))],
    ['acr_values', request.acr_values],
    ['audience', request.audience],
  ];
  for (const [name, value] of params) if (value !== undefined) url.searchParams.set(name, value);
  for (const resource of request.resource ?? []) url.searchParams.append('resource', resource);
  for (const [name, value] of request.extra ?? []) {
    if (PROTECTED_PARAMETERS.includes(name)) throw new Error(`--param cannot set ${name}`);
    url.searchParams.set(name, value);
  }
  return url;
}

/** One authorization response as the loopback listener received it (src/core/loopback.ts). */
export interface CallbackResponse {
  /** GET with a query, POST for response_mode=form_post, or the fragment relayed by the listener's page. */
  via: 'query' | 'form_post' | 'fragment';
  /** In the order received, repeats kept. */
  params: Array<[string, string]>;
}

export interface CallbackExpectations {
  state: string;
  /** The response_type sent (default "code"): only a hybrid or implicit one may bring tokens back. */
  responseType?: string;
  issuer: string;
  /** authorization_response_iss_parameter_supported from discovery (RFC 9207 §3). */
  issParameterSupported: boolean;
}

export interface CallbackOutcome {
  /** True when the code may be redeemed: every check above passed. */
  proceed: boolean;
  code: string | undefined;
  error: { error: string; error_description?: string; error_uri?: string } | undefined;
}

/**
 * Callback parameters whose values are credentials, by name or by value: the code; anything named like a
 * token (id_token, access_token, a vendor's session_token), JARM's `response` (a JWT holding the whole
 * response), `jwt` or an assertion; and any value that is a compact JWS or JWE (RFC 7515 §7.1, RFC 7516
 * §7.1: three or five base64url parts, a JSON header), whatever it is called. They are redacted wherever
 * the callback is shown, like the back channel's.
 */
export function isFrontChannelCredential(name: string, value: string): boolean {
  if (name === 'code' || name === 'response') return true;
  if (/token|assertion|jwt/i.test(name) && name !== 'token_type') return true;
  return classifyToken(value) !== 'opaque';
}

/** The names of the callback parameters that carry a token (a credential other than the code). */
const frontChannelTokens = (params: Array<[string, string]>) => params.filter(([name, value]) => name !== 'code' && isFrontChannelCredential(name, value)).map(([name]) => name);

/** RFC 9700 §2.1.2, OIDC Core §3.1.2.5: a code-only request gets no token back through the browser. */
function judgeFrontChannelTokens(params: Array<[string, string]>, responseType: string, checks: CheckRecorder): void {
  const tokens = frontChannelTokens(params);
  const codeOnly = responseType.split(' ').every((type) => type === 'code');
  if (tokens.length === 0) checks.pass('authorization.front_channel_tokens', 'no token in the authorization response');
  else if (codeOnly) checks.violation('authorization.front_channel_tokens', `response_type=${responseType} was sent, but the authorization response carries ${tokens.join(', ')}`);
  else checks.pass('authorization.front_channel_tokens', `${tokens.join(', ')} in the response, as response_type=${responseType} asks`);
}

/** RFC 6749 §4.1.2.1 and OIDC Core §3.1.2.6 error codes. */
const REGISTERED_ERRORS = new Set([
  'invalid_request', 'unauthorized_client', 'access_denied', 'unsupported_response_type', 'invalid_scope', 'server_error',
  'temporarily_unavailable', 'interaction_required', 'login_required', 'account_selection_required', 'consent_required',
  'invalid_request_uri', 'invalid_request_object', 'request_not_supported', 'request_uri_not_supported', 'registration_not_supported',
]);

/**
 * Judges the callback (RFC 6749 §4.1.2, RFC 9207, RFC 9700 §4.7). Pure: the listener and the flow decide
 * what to do with the outcome. The code is never redeemed unless `proceed` is true.
 */
export function judgeCallback(response: CallbackResponse, expect: CallbackExpectations, checks: CheckRecorder): CallbackOutcome {
  const before = checks.results.length;
  const stop = (): CallbackOutcome => ({ proceed: false, code: undefined, error: undefined });
  const names = response.params.map(([name]) => name);
  const first = (name: string) => response.params.find(([n]) => n === name)?.[1];

  if (response.via === 'fragment') {
    // Tokens in a fragment (an implicit-style answer) are named too, before the fragment is refused.
    if (frontChannelTokens(response.params).length > 0) judgeFrontChannelTokens(response.params, expect.responseType ?? 'code', checks);
    checks.violation(
      'authorization.code_in_query',
      names.length === 0
        ? 'the callback carried no parameters at all: neither code nor error in the query, and an empty fragment'
        : `the response came in the URL fragment (#${names.join('&')}), not in the query`,
    );
    return stop();
  }

  // Counted in one pass: the callback's parameters are whatever the redirect carried, thousands maybe.
  const counts = new Map<string, number>();
  for (const name of names) counts.set(name, (counts.get(name) ?? 0) + 1);
  const repeated = [...counts].filter(([, count]) => count > 1);
  if (repeated.length) {
    checks.violation('authorization.repeated_params', `repeated in the callback: ${listed(repeated.map(([name, count]) => `${name} (${count}×)`), ', ')}`);
    return stop();
  }
  checks.pass('authorization.repeated_params', `${names.length} parameters, none repeated (${names.join(', ')})`);
  judgeFrontChannelTokens(response.params, expect.responseType ?? 'code', checks);

  const error = first('error');
  if (error !== undefined) {
    const description = first('error_description');
    const unregistered = REGISTERED_ERRORS.has(error) ? '' : ' (not an error code registered by RFC 6749 or OIDC Core)';
    checks.violation('authorization.error', `the IdP answered error=${error}${description ? ` ("${description}")` : ''}${unregistered}`);
  } else {
    checks.pass('authorization.error', 'no error parameter');
  }

  const state = first('state');
  if (state === undefined) checks.violation('authorization.state', `the callback has no state; sent "${expect.state}"`);
  else if (state !== expect.state) checks.violation('authorization.state', `expected "${expect.state}", got "${state}"`);
  else checks.pass('authorization.state', `"${state}" returned exactly as sent`);

  const iss = first('iss');
  if (iss === undefined) {
    if (expect.issParameterSupported) checks.violation('authorization.iss', `the IdP advertises authorization_response_iss_parameter_supported but the callback has no iss; expected "${expect.issuer}"`);
    else {
      checks.warn('authorization.iss', 'the callback has no iss and the IdP does not advertise RFC 9207 iss: nothing tells this client which IdP answered (mix-up defence, RFC 9700 §4.4)', {
        hint: 'Send iss in every authorization response and advertise authorization_response_iss_parameter_supported: true (RFC 9207); until then a client talking to several IdPs must use a distinct redirect_uri per IdP (RFC 9700 §4.4.2).',
      });
    }
  } else if (iss !== expect.issuer) {
    checks.violation('authorization.iss', `expected "${expect.issuer}", got "${iss}"`);
  } else if (!expect.issParameterSupported) {
    checks.warn('authorization.iss', `iss "${iss}" matches, but authorization_response_iss_parameter_supported is not advertised`, {
      hint: 'Advertise authorization_response_iss_parameter_supported: true so clients know to require iss (RFC 9207 §3).',
    });
  } else {
    checks.pass('authorization.iss', `"${iss}" equals the issuer`);
  }

  const code = first('code');
  if (error === undefined) {
    if (code === undefined || code === '') checks.violation('authorization.code_in_query', `no code in the ${response.via === 'form_post' ? 'form_post body' : 'query'} (got ${names.join(', ') || 'nothing'})`);
    else checks.pass('authorization.code_in_query', `code received in the ${response.via === 'form_post' ? 'form_post body' : 'query'} (${code.length} characters)`);
  }

  const newlyFailed = checks.results.slice(before).some((r) => r.status === 'fail');
  return {
    proceed: !newlyFailed && error === undefined && code !== undefined && code !== '',
    code,
    error: error === undefined ? undefined : withOptional({ error }, { error_description: first('error_description'), error_uri: first('error_uri') }),
  };
}

function withOptional<T extends object>(base: T, extra: Record<string, string | undefined>): T {
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) out[k] = v;
  return out as T;
}

/** Requests to the redirect URI's path that were not the authorization response, by why they were refused. */
export interface StrayCallbacks {
  /** A GET or POST without the state that was sent (400). */
  state: number;
  /** A POST whose body is over the listener's 64 KiB (413). */
  body: number;
  /** Any method but GET and POST, CONNECT included (405). */
  method: number;
  /** Addressed to a host other than the listener's own, or to none (421: DNS rebinding). */
  host: number;
  /** Refused by the HTTP parser, or with a target that is no URL: path unknown, counted all the same (400, 431). */
  unreadable: number;
  /** After the response had been taken (404). */
  late: number;
}

const STRAY_KINDS: Array<[keyof StrayCallbacks, string]> = [
  ['state', 'without the state that was sent (HTTP 400)'],
  ['body', 'with a body over 64 KiB (HTTP 413)'],
  ['method', 'with a method other than GET or POST (HTTP 405)'],
  ['host', "addressed to a host other than the listener's own (HTTP 421)"],
  ['unreadable', 'the listener could not read (HTTP 400 or 431)'],
  ['late', 'after the response had come (HTTP 404)'],
];

/** "3 requests to /callback were not the authorization response and were refused: 2 without …, 1 with …" */
export function describeStrays(strays: StrayCallbacks, path: string): string {
  const count = STRAY_KINDS.reduce((sum, [kind]) => sum + strays[kind], 0);
  const verb = count === 1 ? 'was' : 'were';
  const parts = STRAY_KINDS.filter(([kind]) => strays[kind] > 0).map(([kind, why]) => `${strays[kind]} ${why}`);
  return `${count} request${count === 1 ? '' : 's'} to ${path} ${verb} not the authorization response and ${verb} refused: ${parts.join(', ')}`;
}

/**
 * RFC 6749 §10.12: the listener took only the response with our state and refused every other request to
 * its path (src/core/loopback.ts); how many, and why, is worth knowing.
 */
export function judgeStrayCallbacks(strays: StrayCallbacks, path: string, checks: CheckRecorder): void {
  if (STRAY_KINDS.every(([kind]) => strays[kind] === 0)) return void checks.pass('authorization.stray_callbacks', `no request to ${path} other than the authorization response`);
  const judged = strays.state > 0 ? ' (authorization.state says whether the response that was judged carried the state)' : '';
  checks.violation('authorization.stray_callbacks', `${describeStrays(strays, path)}${judged}`);
}

/** RFC 8252 §7.3, §8.3: a loopback IP literal; "localhost" (or a name under it) works but is discouraged. */
export function judgeRedirectUri(redirect_uri: string, checks: CheckRecorder): void {
  const host = new URL(redirect_uri).hostname;
  if (isLoopbackLiteral(host)) checks.pass('authorization.redirect_uri', `${redirect_uri} (loopback IP literal)`);
  else if (isLoopback(host)) checks.violation('authorization.redirect_uri', `${redirect_uri} uses the name "${host}"; prefer http://127.0.0.1:PORT/…`);
  else checks.violation('authorization.redirect_uri', `${redirect_uri} is not a loopback address`);
}

/** RFC 9700 §2.1.1: S256 is always sent; warn when the IdP lists methods without it. */
export function judgePkce(methodsSupported: unknown, checks: CheckRecorder): void {
  if (!Array.isArray(methodsSupported)) checks.pass('authorization.pkce', 'S256 code_challenge sent (the IdP does not list code_challenge_methods_supported)');
  else if (methodsSupported.includes('S256')) checks.pass('authorization.pkce', `S256 code_challenge sent (advertised: ${methodsSupported.join(', ')})`);
  else checks.violation('authorization.pkce', `S256 code_challenge sent, but code_challenge_methods_supported is [${methodsSupported.join(', ')}]`);
}
