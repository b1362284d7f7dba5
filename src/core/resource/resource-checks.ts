import { isClientIdUrl } from '../client-metadata-document.js';
import type { CheckRecorder } from '../../checks/recorder.js';
import { isLoopback } from '../../http/loopback.js';
import { bearerChallenge, type Challenge } from '../../http/www-authenticate.js';
import { cut, show, shownList } from '../../util/show.js';

/**
 * The judges of a protected resource (RFC 6750 §3, RFC 9728): pure, over what the requests of
 * protected-resource.ts brought back. Each reports its check id whatever happened.
 */

/** What the resource answered to a request without a token. */
export interface UnauthenticatedAnswer {
  method: string;
  status: number;
  /** The raw WWW-Authenticate header, if any. */
  challengeHeader: string | undefined;
}

/** RFC 6750 §3: no token → 401 with a Bearer challenge; RFC 9728 §5.1: it names the metadata. Returns the Bearer challenge. */
export function judgeChallenge(answer: UnauthenticatedAnswer, c: CheckRecorder): Challenge | undefined {
  const { challenge, problem } = bearerChallenge(answer.challengeHeader);
  const said = `${answer.method} without a token: HTTP ${answer.status}`;
  if (answer.status === 401 && challenge) c.pass('resource.challenge', `${said}, WWW-Authenticate: Bearer${summarize(challenge)}`);
  else if (answer.status === 401) c.violation('resource.challenge', `${said}, but ${problem}`);
  else if (answer.status >= 200 && answer.status < 300) c.warn('resource.challenge', `${said}: this URL answers without a token (is it the protected resource?)`);
  else c.violation('resource.challenge', `${said}, not 401${challenge ? ' (with a Bearer challenge)' : ''}`);

  if (!challenge) c.skip('resource.challenge_metadata', 'no Bearer challenge to read');
  else if (challenge.params.resource_metadata === undefined) c.violation('resource.challenge_metadata', 'the Bearer challenge has no resource_metadata: the metadata URL must be guessed (RFC 9728 §3.1 well-known)');
  else if (!isHttpUrl(challenge.params.resource_metadata)) c.violation('resource.challenge_metadata', `resource_metadata="${cut(challenge.params.resource_metadata, 80)}" is not an http(s) URL`);
  else c.pass('resource.challenge_metadata', `resource_metadata="${challenge.params.resource_metadata}"`);
  return challenge;
}

function summarize(challenge: Challenge): string {
  const shown = ['error', 'scope', 'resource_metadata'].filter((name) => challenge.params[name] !== undefined);
  return shown.length ? ` ${shown.map((name) => `${name}="${cut(challenge.params[name]!, 80)}"`).join(', ')}` : '';
}

const isHttpUrl = (value: string) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol);

/** One place the metadata was looked for, and what came back. */
export interface MetadataAttempt {
  url: string;
  source: 'challenge' | 'well-known' | 'well-known (root)';
  /** The HTTP status, or why there was none (a network error, a body that is not a JSON object). */
  outcome: number | string;
}

/**
 * RFC 9728 §3.3, §7.3: the metadata is about the resource asked about. Identical (as URLs) passes; a
 * resource whose path contains the URL asked about is what most clients accept (the MCP SDK compares by
 * prefix) but not what §3.3 says: a warning; anything else is another resource's metadata.
 */
export function judgeResourceMatch(metadata: Record<string, unknown>, requested: string, c: CheckRecorder): void {
  const named = metadata.resource;
  if (typeof named !== 'string' || !URL.canParse(named)) return void c.violation('resource.resource_match', `resource is ${named === undefined ? 'missing' : `not a URL (${cut(show(named), 80)})`}; expected "${requested}"`);
  const said = new URL(named);
  const asked = new URL(requested);
  asked.hash = '';
  if (said.href === asked.href) return void c.pass('resource.resource_match', `"${named}" is the resource asked about`);
  const under = said.origin === asked.origin && !said.search && (asked.pathname === said.pathname || asked.pathname.startsWith(said.pathname.endsWith('/') ? said.pathname : `${said.pathname}/`));
  if (under) return void c.warn('resource.resource_match', `"${named}" is a parent of the URL asked about (${requested}); RFC 9728 §3.3 asks for the same URL. Use ${named} as the resource`);
  c.violation('resource.resource_match', `the metadata is about "${named}", not "${requested}": a client must not use it (RFC 9728 §7.3)`);
}

/** RFC 9728 §2: authorization_servers, issuer identifiers (RFC 8414 §2: https, no query or fragment). Returns the usable ones. */
export function judgeAuthorizationServers(metadata: Record<string, unknown>, c: CheckRecorder, insecure = false): string[] {
  const listedServers = metadata.authorization_servers;
  if (listedServers === undefined) {
    c.violation('resource.authorization_servers', 'no authorization_servers: the metadata does not say where to get a token for this resource');
    return [];
  }
  if (!Array.isArray(listedServers) || listedServers.length === 0 || !listedServers.every((s) => typeof s === 'string')) {
    c.violation('resource.authorization_servers', `authorization_servers must be a non-empty array of issuer URLs, not ${cut(JSON.stringify(listedServers) ?? String(listedServers), 80)}`);
    return [];
  }
  const problems: string[] = [];
  const notes: string[] = [];
  const usable: string[] = [];
  for (const server of listedServers as string[]) {
    if (!URL.canParse(server)) {
      problems.push(`"${cut(server, 60)}" is not a URL`);
      continue;
    }
    const url = new URL(server);
    if (url.search || url.hash) problems.push(`${server} has a query or fragment`);
    else if (url.protocol === 'https:') usable.push(server);
    else if (url.protocol === 'http:' && isLoopback(url.hostname)) {
      notes.push(`${server} is http on loopback: development only`);
      usable.push(server);
    } else if (url.protocol === 'http:' && insecure) {
      problems.push(`${server} is plain http`);
      usable.push(server);
    } else problems.push(`${server} is ${url.protocol.slice(0, -1)}, not https`);
  }
  if (problems.length) c.violation('resource.authorization_servers', problems.join('; '));
  else c.pass('resource.authorization_servers', `${shownList(listedServers)}${notes.length ? ` (${notes.join('; ')})` : ''}`);
  return usable;
}

const BEARER_METHODS = new Set(['header', 'body', 'query']);

/** RFC 9728 §2 bearer_methods_supported; RFC 6750 §2.3, §5.3: not the query string. */
export function judgeBearerMethods(metadata: Record<string, unknown>, c: CheckRecorder): void {
  const methods = metadata.bearer_methods_supported;
  if (methods === undefined) return void c.pass('resource.bearer_methods', 'not listed (optional): the query string is not offered');
  if (!Array.isArray(methods) || !methods.every((m) => typeof m === 'string')) return void c.violation('resource.bearer_methods', `bearer_methods_supported must be an array of strings, not ${cut(JSON.stringify(methods) ?? String(methods), 80)}`);
  const unknown = methods.filter((m) => !BEARER_METHODS.has(m));
  if (methods.includes('query')) c.violation('resource.bearer_methods', `bearer_methods_supported ${JSON.stringify(methods)} offers the query string`);
  else if (unknown.length) c.warn('resource.bearer_methods', `bearer_methods_supported has values RFC 6750 does not define: ${shownList(unknown)}`);
  else c.pass('resource.bearer_methods', methods.length ? `bearer_methods_supported ${JSON.stringify(methods)}` : 'bearer_methods_supported [] (no bearer method: the resource takes no bearer tokens)');
}

/** RFC 9728 §2 scopes_supported: optional; when present, scope strings. */
export function judgeScopesSupported(metadata: Record<string, unknown>, c: CheckRecorder): void {
  const scopes = metadata.scopes_supported;
  if (scopes === undefined) return void c.skip('resource.scopes_supported', 'not listed (optional)');
  if (Array.isArray(scopes) && scopes.every((s) => typeof s === 'string' && s !== '' && !/\s/.test(s))) c.pass('resource.scopes_supported', shownList(scopes));
  else c.violation('resource.scopes_supported', `scopes_supported must be an array of scope strings, not ${cut(JSON.stringify(scopes) ?? String(scopes), 80)}`);
}

/** MCP authorization: an MCP client refuses an authorization server that does not advertise S256. */
export function judgeAuthorizationServerPkce(issuer: string, metadata: Record<string, unknown> | undefined, c: CheckRecorder): void {
  if (!metadata) return void c.skip('resource.authorization_server_pkce', `no metadata for ${issuer}`);
  const methods = metadata.code_challenge_methods_supported;
  if (Array.isArray(methods) && methods.includes('S256')) c.pass('resource.authorization_server_pkce', `${issuer}: code_challenge_methods_supported ${JSON.stringify(methods)}`);
  else if (methods === undefined) c.violation('resource.authorization_server_pkce', `${issuer} publishes no code_challenge_methods_supported: an MCP client must refuse to go on`);
  else c.violation('resource.authorization_server_pkce', `${issuer}: code_challenge_methods_supported ${cut(JSON.stringify(methods) ?? String(methods), 80)} has no S256`);
}

/**
 * How a client that is not registered yet gets a client_id here, in the order the MCP specification
 * prefers after a pre-registered one: a Client ID Metadata Document, then dynamic registration. The
 * client of this run (`client_id`) is named, and a URL client_id is checked against the first.
 */
export function judgeClientRegistration(issuer: string, metadata: Record<string, unknown> | undefined, client_id: string | undefined, c: CheckRecorder): void {
  if (!metadata) return void c.skip('resource.client_registration', `no metadata for ${issuer}`);
  const ways: string[] = [];
  if (metadata.client_id_metadata_document_supported === true) ways.push('Client ID Metadata Documents');
  if (typeof metadata.registration_endpoint === 'string') ways.push(`dynamic registration at ${metadata.registration_endpoint}`);
  const documentClient = client_id !== undefined && isClientIdUrl(client_id);
  if (documentClient && metadata.client_id_metadata_document_supported !== true) {
    return void c.violation('resource.client_registration', `${client_id} is a metadata document client_id, but ${issuer} does not announce client_id_metadata_document_supported`);
  }
  if (ways.length) c.pass('resource.client_registration', `${issuer} offers ${ways.join(' and ')}${client_id ? `; this run uses ${documentClient ? 'the metadata document' : 'the registered client'} ${client_id}` : ''}`);
  else c.violation('resource.client_registration', `${issuer} offers neither Client ID Metadata Documents nor dynamic registration: only clients registered by hand${client_id ? ` (like ${client_id})` : ''} can connect`);
}
