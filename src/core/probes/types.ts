import type { CheckId } from '../../checks/catalogue.js';
import type { CheckRecorder, WarnableCheckId } from '../../checks/recorder.js';
import type { HttpClient, HttpResponse } from '../../http/types.js';
import type { AuthorizationVariant, FrontChannel, FrontChannelOutcome } from '../front-channel.js';
import type { ClientCredentials } from '../client-auth.js';
import { bodyOf, requestToken } from '../token-endpoint.js';

export { bodyOf };

/** What every probe may use. `front` is undefined when no user flow is configured (no --browser-command). */
export interface ProbeEnv {
  http: HttpClient;
  token_endpoint: string;
  client: ClientCredentials;
  front: FrontChannel | undefined;
  /** Scope for a client_credentials request (probes without a user flow). */
  scope: string | undefined;
  /** From discovery, when published. */
  userinfo_endpoint?: string | undefined;
  grant_types_supported?: string[] | undefined;
  /** The metadata says require_pushed_authorization_requests (RFC 9126 §5). */
  parRequired?: boolean;
  /** The front channel pushes its requests (PAR required, or check --par). */
  pushes?: boolean;
  /** The metadata says require_signed_request_object (RFC 9101 §10.5). */
  jarRequired?: boolean;
  /** check --resource: the API under test, and --other-resource (another API of this IdP). */
  resource?: { url: string; indicator: string; other: string | undefined; scope: string } | undefined;
}

/**
 * One active probe of CHECKS.md: the check ids it emits (for --only/--skip, and to skip them with a
 * reason), what it needs, and the function that runs it. Probes are independent of each other and run
 * concurrently; each gets its own authorization code.
 */
export interface Probe {
  ids: CheckId[];
  /** Short name for timings and progress. */
  name: string;
  /** 'user': needs an authorization code (a user flow); 'any': has a client_credentials fallback. */
  needs: 'user' | 'any';
  run(env: ProbeEnv, c: CheckRecorder): Promise<void>;
}

/** True when the token endpoint handed out tokens. */
export const issuedTokens = (response: HttpResponse) => response.status === 200 && typeof bodyOf(response)?.access_token === 'string';

export const oauthErrorOf = (response: HttpResponse) => {
  const error = bodyOf(response)?.error;
  return typeof error === 'string' ? error : undefined;
};

/** "HTTP 400 invalid_grant (\"…\")" for messages. */
export function describeAnswer(response: HttpResponse): string {
  const body = bodyOf(response);
  if (issuedTokens(response)) return `HTTP 200 with an access_token${typeof body?.refresh_token === 'string' ? ' and a refresh_token' : ''}`;
  const error = typeof body?.error === 'string' ? ` ${body.error}` : body ? '' : ` ${response.headers['content-type'] ?? 'no content type'}`;
  const description = typeof body?.error_description === 'string' ? ` ("${body.error_description}")` : '';
  return `HTTP ${response.status}${error}${description}`;
}

export interface Redemption {
  code: string;
  redirect_uri: string;
  code_verifier: string | undefined;
  client?: ClientCredentials;
  /** More parameters of the token request (an RFC 8707 resource). */
  extra?: Array<[string, string]>;
}

/** The access token of a token endpoint answer, when there is one. */
export const accessTokenOf = (response: HttpResponse) => {
  const token = bodyOf(response)?.access_token;
  return typeof token === 'string' ? token : undefined;
};

/** The authorization_code grant of RFC 6749 §4.1.3, with a probe's twist already applied to its inputs. */
export async function redeem(env: ProbeEnv, r: Redemption): Promise<HttpResponse> {
  const params: Array<[string, string]> = [
    ['grant_type', 'authorization_code'],
    ['code', r.code],
    ['redirect_uri', r.redirect_uri],
  ];
  if (r.code_verifier !== undefined) params.push(['code_verifier', r.code_verifier]);
  params.push(...(r.extra ?? []));
  const exchange = await requestToken(env.http, { token_endpoint: env.token_endpoint, params, client: r.client ?? env.client });
  const body = bodyOf(exchange.response);
  for (const name of ['access_token', 'refresh_token', 'id_token']) if (typeof body?.[name] === 'string') env.http.addToken(body[name] as string);
  return exchange.response;
}

/**
 * A fresh authorization code for a probe, or the reason there is none (the check is then skipped:
 * the probe could not be run, which says nothing about the rule it tests).
 */
export async function freshCode(env: ProbeEnv, c: CheckRecorder, ids: readonly CheckId[], variant?: AuthorizationVariant): Promise<{ outcome: FrontChannelOutcome; code: string } | undefined> {
  const outcome = await env.front!.authorize(variant);
  const code = outcome.response?.find(([n]) => n === 'code')?.[1];
  const error = outcome.response?.find(([n]) => n === 'error')?.[1];
  if (code) return { outcome, code };
  const why = outcome.response ? (error ? `the IdP answered error=${error}` : 'the response had no code') : outcome.noResponse;
  for (const id of ids) c.skip(id, `could not get an authorization code for the probe: ${why}`);
  return undefined;
}

/**
 * The token request must be refused, ideally with `expected` (invalid_grant): tokens → violation,
 * another error → warn (refused, but clients cannot tell why), `expected` → pass.
 */
export function judgeRefused(id: WarnableCheckId, response: HttpResponse, what: string, expected: string, c: CheckRecorder): void {
  if (issuedTokens(response)) c.violation(id, `${what}: accepted, ${describeAnswer(response)}; expected ${expected}`);
  // The client itself does not authenticate: the IdP refused who asked, not what the probe changed.
  else if (oauthErrorOf(response) === 'invalid_client' && expected !== 'invalid_client') c.skip(id, `${what}: ${describeAnswer(response)}: the client does not authenticate at the token endpoint, so this probe cannot tell (see diagnosis.client_auth)`);
  else if (oauthErrorOf(response) === expected) c.pass(id, `${what}: refused, ${describeAnswer(response)}`);
  else c.warn(id, `${what}: refused, but with ${describeAnswer(response)}; expected ${expected}`);
}
