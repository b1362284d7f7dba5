import { isIP } from 'node:net';
import { CheckRecorder } from '../checks/recorder.js';
import type { CheckResult } from '../checks/types.js';
import { isLoopback } from '../http/loopback.js';
import type { HttpClient, HttpResponse } from '../http/types.js';
import { cut } from '../util/show.js';
import { jsonObject } from './client-request.js';
import { discover } from './discovery.js';
import type { LoopbackOptions } from './loopback.js';
import type { Ui } from './ports.js';

/**
 * OAuth Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document): the client_id is an
 * https URL, and the document served there is the client's registration. The authorization server fetches
 * it; oidc-cli fetches it first, so a document that would fail is explained before a browser opens, and
 * the login's redirect URI is taken from it. The request lives here, and the pure judge beside it.
 */

/** What an authorization server treats as a metadata document client: a client_id that is an https URL. */
export function isClientIdUrl(client_id: string): boolean {
  return /^https:\/\//i.test(client_id);
}

/** The draft's Client Identifier rules, as problems in words (none: the URL may be a client_id). */
export function clientIdUrlProblems(client_id: string): string[] {
  if (!URL.canParse(client_id)) return ['not a URL'];
  const problems: string[] = [];
  const url = new URL(client_id);
  if (url.protocol !== 'https:') problems.push('not https');
  // The raw string, not the parsed URL: parsing would already have resolved "." and ".." away.
  const rawPath = client_id.replace(/^https:\/\/[^/?#]*/i, '').split(/[?#]/)[0] ?? '';
  if (rawPath === '' || rawPath === '/') problems.push('no path (the document needs one, e.g. /client.json)');
  if (rawPath.split('/').some((segment) => /^(?:\.|%2e){1,2}$/i.test(segment))) problems.push('a "." or ".." path segment');
  if (client_id.includes('#')) problems.push('a fragment');
  if (url.username || url.password) problems.push('a user name or password');
  return problems;
}

/** GET the document at the client_id URL: no redirect is followed (an authorization server follows none). */
export function fetchClientMetadataDocument(http: HttpClient, client_id: string, signal?: AbortSignal): Promise<HttpResponse> {
  return http.request({ url: client_id, headers: { accept: 'application/json' }, ...(signal ? { signal } : {}) });
}

/** A document as a login finds it: usable (redirect set), or the reason the login stops before the browser. */
export type FoundDocument =
  | (JudgedDocument & { redirect: ChosenRedirect; data: DocumentData })
  | (JudgedDocument & { redirect: undefined; refusal: string; data: DocumentData });

export interface DocumentData {
  url: string;
  status: number;
  document: Record<string, unknown> | null;
}

/**
 * The step before a login whose client_id is a URL: the authorization server's metadata, the document,
 * its verdict. Any failed check stops the login, since the server would refuse the same document.
 */
export async function clientMetadataDocument(http: HttpClient, input: { client_id: string; issuer: string; askedRedirectUri?: string | undefined }, deps: { ui: Ui; signal?: AbortSignal | undefined }): Promise<FoundDocument> {
  const { metadata } = await discover(http, input.issuer, deps.signal ? { signal: deps.signal } : {});
  deps.ui.step(`Client ID Metadata Document: GET ${input.client_id}`);
  deps.ui.explain('The client_id is a URL: the authorization server fetches the client\'s registration from it. oidc-cli reads it first, to take the redirect URI from it and to explain a document the server would refuse.');
  const response = await fetchClientMetadataDocument(http, input.client_id, deps.signal);
  deps.ui.detail(`← HTTP ${response.status} (${response.elapsedMs} ms)`);
  const judged = judgeClientMetadataDocument({ client_id: input.client_id, response, serverMetadata: metadata, askedRedirectUri: input.askedRedirectUri });
  const data: DocumentData = { url: input.client_id, status: response.status, document: judged.document ?? null };
  const failed = judged.checks.filter((check) => check.status === 'fail').map((check) => check.id);
  if (failed.length || !judged.redirect) return { ...judged, redirect: undefined, refusal: `the client metadata document at ${input.client_id} cannot be used (${failed.join(', ')})`, data };
  deps.ui.detail(`redirect_uri from the document: ${judged.redirect.registered}`);
  return { ...judged, redirect: judged.redirect, data };
}

/** The loopback redirect URI a login uses, and where its listener binds. */
export interface ChosenRedirect {
  /** As the document lists it (the port may be left to the listener). */
  registered: string;
  listener: LoopbackOptions;
}

export interface JudgedDocument {
  checks: CheckResult[];
  document: Record<string, unknown> | undefined;
  /** Undefined when the document lists no redirect URI this login can use. */
  redirect: ChosenRedirect | undefined;
  /** The document's token_endpoint_auth_method when it is one oidc-cli can use without a secret. */
  method: 'none' | 'private_key_jwt' | undefined;
}

/**
 * The document, judged (pure): its URL, whether the authorization server says it fetches documents, the
 * answer, its client_id, its authentication method and its redirect URIs. `askedRedirectUri` is the
 * --redirect-uri the user gave, which must be one of the document's.
 */
export function judgeClientMetadataDocument(input: { client_id: string; response: HttpResponse; serverMetadata: Record<string, unknown> | undefined; askedRedirectUri?: string | undefined }): JudgedDocument {
  const c = new CheckRecorder();
  const { client_id, response } = input;
  const problems = clientIdUrlProblems(client_id);
  c.expect('cimd.client_id_url', problems.length === 0, `${client_id}: an https URL with a path`, `${client_id}: ${problems.join(', ')}`);

  const supported = input.serverMetadata?.client_id_metadata_document_supported;
  if (supported === true) c.pass('cimd.supported', 'client_id_metadata_document_supported: true');
  else c.warn('cimd.supported', supported === undefined ? 'the authorization server metadata has no client_id_metadata_document_supported: it may not fetch the document' : `client_id_metadata_document_supported is ${cut(JSON.stringify(supported) ?? '', 40)}, not true`);

  const document = response.status === 200 ? jsonObject(response) : undefined;
  const skipRest = (reason: string) => {
    for (const id of ['cimd.client_id', 'cimd.auth_method', 'cimd.redirect_uri'] as const) c.skip(id, reason);
    return { checks: c.results, document, redirect: undefined, method: undefined };
  };
  if (response.status >= 300 && response.status < 400) {
    c.violation('cimd.document', `HTTP ${response.status} to ${cut(response.location ?? '(no Location)', 100)}: the document must be at the client_id URL itself`);
    return skipRest('no document');
  }
  if (response.status !== 200) {
    c.violation('cimd.document', `HTTP ${response.status}: no document at the client_id URL`);
    return skipRest('no document');
  }
  if (!document) {
    c.violation('cimd.document', `HTTP 200 with ${response.headers['content-type'] ?? 'no Content-Type'}, but the body is not a JSON object`);
    return skipRest('the document is not a JSON object');
  }
  c.pass('cimd.document', `HTTP 200, a JSON object of ${Object.keys(document).length} members`);

  const named = document.client_id;
  if (named === client_id) c.pass('cimd.client_id', 'the document names its own URL as client_id');
  else c.violation('cimd.client_id', named === undefined ? 'the document has no client_id member' : `the document says client_id ${cut(JSON.stringify(named) ?? '', 100)}, not ${client_id}`);

  const method = judgeAuthMethod(document, c);
  const redirect = judgeRedirectUris(document.redirect_uris, input.askedRedirectUri, c);
  return { checks: c.results, document, redirect, method };
}

function judgeAuthMethod(document: Record<string, unknown>, c: CheckRecorder): JudgedDocument['method'] {
  const method = document.token_endpoint_auth_method;
  const secrets = ['client_secret', 'client_secret_expires_at'].filter((name) => name in document);
  if (secrets.length) {
    c.violation('cimd.auth_method', `the document holds ${secrets.join(' and ')}: a published document cannot keep a secret`);
    return undefined;
  }
  if (method === 'none' || method === 'private_key_jwt') {
    c.pass('cimd.auth_method', `token_endpoint_auth_method ${method}`);
    return method;
  }
  if (method === undefined) c.violation('cimd.auth_method', 'no token_endpoint_auth_method: the default, client_secret_basic, needs a secret the document cannot give');
  else c.violation('cimd.auth_method', `token_endpoint_auth_method ${cut(JSON.stringify(method) ?? '', 60)}: ${typeof method === 'string' && method.startsWith('client_secret') ? 'a shared secret, which a published document cannot hold' : 'not a method oidc-cli can use here (none or private_key_jwt)'}`);
  return undefined;
}

/** A loopback http URI a listener can answer: no query or fragment (the response parameters go there). */
function loopbackUri(value: unknown): URL | undefined {
  if (typeof value !== 'string' || !URL.canParse(value)) return undefined;
  const url = new URL(value);
  return url.protocol === 'http:' && isLoopback(url.hostname) && !url.search && !url.hash ? url : undefined;
}

/** RFC 8252 §7.3: for a loopback IP literal the port is the client's choice; a document may leave it out. */
function sameExceptPort(listed: URL, asked: URL): boolean {
  return listed.port === '' && isIP(listed.hostname.replace(/^\[|\]$/g, '')) !== 0 && listed.hostname === asked.hostname && listed.pathname === asked.pathname;
}

function listenerOf(url: URL): LoopbackOptions {
  const literal = url.hostname.replace(/^\[|\]$/g, '');
  const port = url.port === '' ? 0 : Number(url.port);
  if (isIP(literal)) return { host: literal, port, path: url.pathname };
  // A name (localhost) is bound on 127.0.0.1 and kept as written in redirect_uri.
  return { host: '127.0.0.1', port, path: url.pathname, redirectHost: url.hostname };
}

function judgeRedirectUris(value: unknown, asked: string | undefined, c: CheckRecorder): ChosenRedirect | undefined {
  const listed = Array.isArray(value) ? value : [];
  const usable = listed.map(loopbackUri).filter((url): url is URL => url !== undefined);
  if (asked !== undefined) {
    const askedUrl = new URL(asked);
    const match = usable.find((url) => url.href === askedUrl.href || sameExceptPort(url, askedUrl));
    if (!match) {
      c.violation('cimd.redirect_uri', `--redirect-uri ${asked} is not among the document's redirect_uris (${listed.length ? listed.map((uri) => cut(String(uri), 80)).join(', ') : 'none'})`);
      return undefined;
    }
    c.pass('cimd.redirect_uri', `${asked} is registered as ${match.href}`);
    return { registered: match.href, listener: listenerOf(askedUrl) };
  }
  // An IP literal first: RFC 8252 §8.3 advises against "localhost" (it may resolve elsewhere).
  const best = usable.find((url) => url.hostname === '127.0.0.1') ?? usable.find((url) => url.hostname === '[::1]') ?? usable[0];
  if (!best) {
    c.violation('cimd.redirect_uri', listed.length ? `no loopback http redirect URI among ${listed.map((uri) => cut(String(uri), 80)).join(', ')}: a command-line login cannot receive the response` : 'the document lists no redirect_uris');
    return undefined;
  }
  const anyPort = best.port === '' && isIP(best.hostname.replace(/^\[|\]$/g, '')) !== 0;
  c.pass('cimd.redirect_uri', `${best.href}${anyPort ? ' (any port, RFC 8252 §7.3)' : ''}`);
  return { registered: best.href, listener: listenerOf(best) };
}
