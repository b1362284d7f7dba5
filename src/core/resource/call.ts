import { CheckRecorder } from '../../checks/recorder.js';
import type { CheckResult } from '../../checks/types.js';
import type { HttpClient, HttpRequest, HttpResponse } from '../../http/types.js';
import { bearerChallenge, parseWwwAuthenticate, type Challenge } from '../../http/www-authenticate.js';
import { shellWord } from '../../util/shell.js';
import { judgeRefusal } from '../diagnose/refused-token.js';
import { withDpop, type DpopKey } from '../dpop.js';
import type { Ui } from '../ports.js';
import { findMetadata } from './protected-resource.js';
import type { MetadataAttempt } from './resource-checks.js';

/**
 * `call`: the access token sent to an API, and when the API says no, why (RFC 6750 §3, RFC 9728,
 * RFC 8707, RFC 9470). Only what the API and its own metadata say, and what the token shows when read
 * (never trusted), go into the verdict; no request goes anywhere but the API and its metadata URLs.
 */
export interface CallInput {
  url: string;
  method: NonNullable<HttpRequest['method']>;
  headers: Record<string, string>;
  body?: string | undefined;
  token: string;
  /** The token_type the IdP gave with the token (a cached login's), if known. */
  tokenType?: string | undefined;
  /** The key a DPoP-bound token is bound to (login --dpop, kept with the cached login). */
  dpop?: DpopKey | undefined;
  /** The client and issuer of the cached login, to fill in the suggested next command. */
  client_id?: string | undefined;
  issuer?: string | undefined;
}

export interface CallResult {
  response: HttpResponse;
  /** Every challenge of WWW-Authenticate, parsed (empty when there is none or it is malformed). */
  challenges: Challenge[];
  metadata: { url: string | undefined; document: Record<string, unknown> | undefined; attempts: MetadataAttempt[] } | undefined;
  /** The command that gets a token this API would take, when it refused this one. */
  next: string | undefined;
  checks: CheckResult[];
}

// Large enough for an API's answer; only its start is shown.
const MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

export async function callResource(http: HttpClient, input: CallInput, deps: { ui: Ui; signal?: AbortSignal | undefined }): Promise<CallResult> {
  const { ui } = deps;
  const options = deps.signal ? { signal: deps.signal } : {};
  ui.step(`${input.method} ${input.url}`);
  const send = (auth: Record<string, string>) =>
    http.request({
      url: input.url,
      method: input.method,
      headers: { ...input.headers, ...auth },
      ...(input.body !== undefined ? { body: input.body } : {}),
      tokens: [input.token],
      maxBytes: MAX_RESPONSE_BYTES,
      ...options,
    });
  // RFC 9449 §7: a DPoP-bound token (with its key at hand) goes as DPoP with a proof, not as Bearer.
  const bound = input.dpop !== undefined && input.tokenType?.toLowerCase() === 'dpop';
  if (bound) ui.detail('DPoP-bound token: sent as "Authorization: DPoP" with a proof of the cached login\'s key (ath = its hash)');
  const response = bound ? await withDpop(input.dpop!, { method: input.method, url: input.url, accessToken: input.token }, send) : await send({ authorization: `Bearer ${input.token}` });
  ui.detail(`← HTTP ${response.status} ${response.headers['content-type'] ?? ''} (${response.elapsedMs} ms)`);
  const c = new CheckRecorder();
  const header = response.headers['www-authenticate'];
  const parsed = header === undefined ? undefined : parseWwwAuthenticate(header);
  const challenges = parsed?.ok ? parsed.challenges : [];
  const refused = response.status === 401 || response.status === 403;

  judgeStatus(response, c);
  if (!refused) {
    c.skip('call.challenge', `HTTP ${response.status}: not a refusal of the token`);
    c.skip('resource.metadata', 'the token was not refused: no need to ask the resource about itself');
    c.skip('diagnosis.token_refused', `HTTP ${response.status}: not a refusal of the token`);
    return { response, challenges, metadata: undefined, next: undefined, checks: c.results };
  }

  const { challenge, problem } = bearerChallenge(header);
  if (challenge) c.pass('call.challenge', `WWW-Authenticate: Bearer ${Object.entries(challenge.params).map(([name, value]) => `${name}="${value}"`).join(', ')}`);
  else if (response.status === 401) c.violation('call.challenge', `HTTP 401, but ${problem}`);
  else c.skip('call.challenge', `HTTP 403 without a Bearer challenge (${problem}): a decision about the request, maybe not about the token`);

  // RFC 9728: what the resource says about itself — which authorization servers, which resource identifier.
  ui.step('Protected resource metadata (RFC 9728)');
  const found = await findMetadata(http, input.url, challenge?.params.resource_metadata, options);
  for (const attempt of found.attempts) ui.detail(`${attempt.url} (${attempt.source}) → ${attempt.outcome}`);
  if (found.metadata) c.pass('resource.metadata', `${found.url} (${found.attempts.at(-1)!.source}) answered 200 with a JSON object`);
  else c.violation('resource.metadata', `no protected resource metadata: ${found.attempts.map((a) => `${a.url} (${a.source}) → ${a.outcome}`).join('; ')}`);
  const document = found.metadata;
  const resource = typeof document?.resource === 'string' ? document.resource : undefined;
  const servers = Array.isArray(document?.authorization_servers) ? document.authorization_servers.filter((s): s is string => typeof s === 'string') : undefined;

  judgeRefusal(
    {
      access_token: input.token,
      challenge: header,
      client_id: input.client_id ?? '',
      resource: input.url,
      now: Math.floor(Date.now() / 1000),
      serverNow: response.date ? Math.floor(response.date.getTime() / 1000) : undefined,
      metadata: document ? { resource, authorization_servers: servers } : undefined,
      tokenType: input.tokenType,
    },
    c,
  );
  const next = nextCommand({ issuer: servers?.[0] ?? input.issuer, client_id: input.client_id, resource: resource ?? input.url, scope: challenge?.params.scope, url: input.url });
  return { response, challenges, metadata: { url: found.url, document, attempts: found.attempts }, next, checks: c.results };
}

function judgeStatus(response: HttpResponse, c: CheckRecorder): void {
  const { status } = response;
  const type = response.headers['content-type'];
  if (status >= 200 && status < 300) c.pass('call.status', `HTTP ${status}${type ? ` ${type}` : ''} (${response.body.length} bytes)`);
  else if (status >= 300 && status < 400) c.warn('call.status', `HTTP ${status} to ${response.location ?? '(no Location)'}: not followed, so the token is not sent on to another URL; call that URL if you trust it`);
  else if (status === 401 || status === 403) c.violation('call.status', `refused: HTTP ${status}`);
  else c.fail('call.status', `HTTP ${status}: the API's answer to the request (not a refusal of the token)`);
}

/** The login that gets a token for this resource (RFC 8707 resource, the scope the challenge asks for), then the call again. */
function nextCommand(input: { issuer: string | undefined; client_id: string | undefined; resource: string; scope: string | undefined; url: string }): string {
  const words = ['oidc-cli', 'login', '--issuer', shellWord(input.issuer ?? 'ISSUER'), '--client-id', shellWord(input.client_id || 'CLIENT_ID'), '--resource', shellWord(input.resource)];
  if (input.scope) words.push('--scope', shellWord(input.scope));
  return `${words.join(' ')} && oidc-cli call ${shellWord(input.url)}`;
}
