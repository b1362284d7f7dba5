import { CheckRecorder } from '../checks/recorder.js';
import type { CheckResult } from '../checks/types.js';
import { isLoopback } from '../http/loopback.js';
import type { HttpClient, HttpResponse } from '../http/types.js';
import { cut } from '../util/show.js';
import { CliError } from '../errors.js';
import { jsonObject } from './client-request.js';
import { discover } from './discovery.js';
import { endpointProblem, metadataRefusal } from './metadata-trust.js';
import type { Ui } from './ports.js';

/**
 * RFC 7591 dynamic client registration: the request, and the judge of its answer. What comes back
 * holds credentials (client_secret, registration_access_token): they are registered as secrets before
 * anything is shown, so every output masks them.
 */

/** The metadata of a native app that signs in through a loopback listener (RFC 8252 §7.3, RFC 7591 §2). */
export function nativeClientMetadata(input: { redirect_uris: string[]; client_name?: string | undefined; scope?: string | undefined; token_endpoint_auth_method?: string | undefined; grant_types?: string[] | undefined }): Record<string, unknown> {
  return {
    client_name: input.client_name ?? 'oidc-cli',
    application_type: 'native',
    redirect_uris: input.redirect_uris,
    grant_types: input.grant_types ?? ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: input.token_endpoint_auth_method ?? 'none',
    ...(input.scope ? { scope: input.scope } : {}),
  };
}

export interface Registration {
  registration_endpoint: string;
  response: HttpResponse;
  /** The response as JSON, when it is an object. */
  client: Record<string, unknown> | undefined;
  client_id: string | undefined;
  checks: CheckResult[];
}

export async function registerClient(http: HttpClient, input: { registration_endpoint: string; metadata: Record<string, unknown>; initialAccessToken?: string | undefined; signal?: AbortSignal | undefined }): Promise<Registration> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  // RFC 7591 §3: an initial access token, when the server wants one, goes as a Bearer token.
  if (input.initialAccessToken) headers.authorization = `Bearer ${input.initialAccessToken}`;
  const response = await http.request({
    url: input.registration_endpoint,
    method: 'POST',
    headers,
    body: JSON.stringify(input.metadata),
    ...(input.initialAccessToken ? { secrets: [input.initialAccessToken] } : {}),
    ...(input.signal ? { signal: input.signal } : {}),
  });
  const client = jsonObject(response);
  // Credentials first: masked everywhere before any check quotes the response.
  for (const name of ['client_secret', 'registration_access_token']) if (typeof client?.[name] === 'string' && client[name]) http.addSecret(client[name] as string);
  const c = new CheckRecorder();
  judgeRegistration(response.status, client, input.metadata, c);
  return { registration_endpoint: input.registration_endpoint, response, client, client_id: typeof client?.client_id === 'string' && client.client_id ? client.client_id : undefined, checks: c.results };
}

/** Discovery's registration_endpoint (a document the run must not act on is refused), then the request. */
export async function registerAt(http: HttpClient, input: { issuer: string; metadata: Record<string, unknown>; initialAccessToken?: string | undefined }, deps: { ui: Ui; signal?: AbortSignal | undefined; insecure: boolean }): Promise<Registration> {
  const found = await discover(http, input.issuer, deps.signal ? { signal: deps.signal } : {});
  const refused = metadataRefusal(found.issuer, found.metadata, ['registration_endpoint'], deps.insecure);
  if (refused) throw new CliError('PROTOCOL', `stopped at discovery: ${refused}`);
  const registration_endpoint = found.metadata.registration_endpoint;
  if (typeof registration_endpoint !== 'string') {
    throw new CliError('PROTOCOL', `${input.issuer} lists no registration_endpoint: it does not offer dynamic registration (RFC 7591)`, { hint: 'register the client with the IdP\'s administrators or console, then pass --client-id' });
  }
  deps.ui.step(`Dynamic client registration (RFC 7591): POST ${registration_endpoint}`);
  deps.ui.explain('A client without a registration asks the IdP for one: the IdP answers with a client_id (and a secret for a confidential client).');
  const registration = await registerClient(http, { registration_endpoint, metadata: input.metadata, initialAccessToken: input.initialAccessToken, signal: deps.signal });
  deps.ui.detail(`← HTTP ${registration.response.status}${registration.client_id ? `, client_id ${registration.client_id}` : ''}`);
  return registration;
}

/** The answer to a registration request (pure). */
export function judgeRegistration(status: number, client: Record<string, unknown> | undefined, asked: Record<string, unknown>, c: CheckRecorder): void {
  const ids = ['registration.client_id', 'registration.echo', 'registration.secret_expiry', 'registration.management'] as const;
  if (status !== 201 && status !== 200) {
    const error = typeof client?.error === 'string' ? ` ${client.error}${typeof client.error_description === 'string' ? ` ("${cut(client.error_description, 120)}")` : ''}` : '';
    c.violation('registration.status', `HTTP ${status}${error}: not registered`);
    for (const id of ids) c.skip(id, 'no client was registered');
    return;
  }
  if (!client) {
    c.violation('registration.status', `HTTP ${status}, but the body is not a JSON object`);
    for (const id of ids) c.skip(id, 'no client information to judge');
    return;
  }
  if (status === 201) c.pass('registration.status', 'HTTP 201 Created with a JSON object');
  else c.warn('registration.status', 'HTTP 200 with a JSON object: RFC 7591 §3.2.1 says 201 Created');

  const client_id = client.client_id;
  c.expect('registration.client_id', typeof client_id === 'string' && client_id !== '', `client_id "${cut(String(client_id), 80)}"`, 'no client_id in the response');

  const missing: string[] = [];
  const replaced: string[] = [];
  for (const [name, value] of Object.entries(asked)) {
    if (!(name in client)) missing.push(name);
    else if (JSON.stringify(client[name]) !== JSON.stringify(value)) replaced.push(`${name} ${cut(JSON.stringify(value), 60)} → ${cut(JSON.stringify(client[name]) ?? 'null', 60)}`);
  }
  if (missing.length) c.violation('registration.echo', `not returned: ${missing.join(', ')}${replaced.length ? `; replaced: ${replaced.join('; ')}` : ''}`);
  else if (replaced.length) c.violation('registration.echo', `replaced by the server: ${replaced.join('; ')}`);
  else c.pass('registration.echo', `all ${Object.keys(asked).length} registered values returned as asked`);

  const expires = client.client_secret_expires_at;
  if (client.client_secret === undefined) c.skip('registration.secret_expiry', 'no client_secret issued (a public client)');
  else if (typeof expires !== 'number' || !Number.isFinite(expires) || expires < 0) c.violation('registration.secret_expiry', `a client_secret without a usable client_secret_expires_at (${expires === undefined ? 'missing' : cut(JSON.stringify(expires) ?? '', 40)})`);
  else c.pass('registration.secret_expiry', expires === 0 ? 'client_secret_expires_at 0: the secret does not expire' : `the secret expires ${new Date(expires * 1000).toISOString()}`);

  const token = client.registration_access_token;
  const uri = client.registration_client_uri;
  if (token === undefined && uri === undefined) c.skip('registration.management', 'no registration_access_token: the registration cannot be read or changed later (RFC 7592 is optional)');
  else if (typeof token !== 'string' || typeof uri !== 'string' || !URL.canParse(uri)) c.violation('registration.management', `registration_access_token ${token === undefined ? 'missing' : 'present'}, registration_client_uri ${uri === undefined ? 'missing' : typeof uri === 'string' && URL.canParse(uri) ? 'present' : 'not a URL'}: the pair is needed`);
  else {
    const url = new URL(uri);
    const safe = url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url.hostname));
    if (safe) c.pass('registration.management', `registration_client_uri ${uri}, with a registration_access_token`);
    else c.violation('registration.management', `registration_client_uri ${uri} is not https: the registration_access_token would travel in the clear`);
  }
}

/**
 * check --register: the way in for a client that is not registered yet (MCP's last resort), tried for
 * real with a native client's metadata and the listener's loopback redirect URI. The client it creates
 * is reported, not used; where discovery lists no usable registration_endpoint, each check is a skip.
 */
export async function registerForCheck(http: HttpClient, metadata: Record<string, unknown> | undefined, listener: ListenerShape, signal: AbortSignal): Promise<CheckResult[]> {
  const endpoint = metadata?.registration_endpoint;
  if (typeof endpoint !== 'string' || endpointProblem(endpoint, false) !== undefined) {
    const c = new CheckRecorder();
    for (const id of ['registration.status', 'registration.client_id', 'registration.echo', 'registration.secret_expiry', 'registration.management'] as const) {
      c.skip(id, metadata ? 'discovery lists no registration_endpoint (https, or http on loopback): this IdP does not offer dynamic registration' : 'no trusted discovery document');
    }
    return c.results;
  }
  return (await registerClient(http, { registration_endpoint: endpoint, metadata: nativeClientMetadata({ redirect_uris: [registeredRedirectUri(listener)] }), signal })).checks;
}

type ListenerShape = { host: string; port: number; path: string; redirectHost?: string | undefined };

/** The redirect URI to register for a loopback listener: without a port when it takes any (RFC 8252 §7.3). */
export function registeredRedirectUri(listener: ListenerShape): string {
  const host = listener.redirectHost ?? (listener.host === '::1' ? '[::1]' : listener.host);
  return `http://${host}${listener.port === 0 ? '' : `:${listener.port}`}${listener.path}`;
}
