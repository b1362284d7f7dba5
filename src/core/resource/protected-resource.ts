import { RESOURCE_CHECKS } from '../../checks/catalogue/resource.js';
import { CheckRecorder } from '../../checks/recorder.js';
import type { CheckResult } from '../../checks/types.js';
import { CliError, usageError } from '../../errors.js';
import type { HttpClient, HttpResponse } from '../../http/types.js';
import type { Challenge } from '../../http/www-authenticate.js';
import type { Ui } from '../ports.js';
import { judgeAuthorizationServers, judgeBearerMethods, judgeChallenge, judgeResourceMatch, judgeScopesSupported, type MetadataAttempt } from './resource-checks.js';
import { jsonObject } from '../client-request.js';

/**
 * A protected resource (an API, an MCP server) and what it says about itself: a request without a
 * token (RFC 6750 §3), then its RFC 9728 metadata, from the challenge's resource_metadata or the
 * well-known URL. The requests live here; the verdicts in resource-checks.ts.
 */

/**
 * RFC 9728 §3.1: /.well-known/oauth-protected-resource goes between the host and the resource's path
 * (a lone "/" path is dropped); the query, if any, stays. The fragment never belongs to a resource.
 */
export function resourceMetadataUrl(resource: string): string {
  const url = new URL(resource);
  const path = url.pathname === '/' ? '' : url.pathname;
  return `${url.origin}/.well-known/oauth-protected-resource${path}${url.search}`;
}

/** Parses what the user gave as a resource URL: a usage error names the problem. */
export function parseResourceUrl(value: string, flag: string): URL {
  if (!URL.canParse(value)) throw usageError(`${flag}: "${value}" is not a URL`, 'give the API or MCP server as an absolute URL, e.g. https://api.example.com/mcp');
  const url = new URL(value);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw usageError(`${flag}: "${value}" is not an http(s) URL`);
  if (url.hash) throw usageError(`${flag}: "${value}" has a fragment`, 'a resource identifier has no fragment (RFC 8707 §2)');
  return url;
}

// Streamable HTTP MCP servers refuse a request that does not accept both (406).
export const RESOURCE_ACCEPT = 'application/json, text/event-stream, */*;q=0.5';

/**
 * One request to the resource as a client that knows nothing about it makes it: GET, and when GET is not
 * a method the resource serves (405: an MCP endpoint may be POST only), a JSON-RPC ping by POST.
 */
export async function askResource(http: HttpClient, url: string, headers: Record<string, string>, options: { signal?: AbortSignal; tokens?: string[] }): Promise<{ method: 'GET' | 'POST'; response: HttpResponse }> {
  const response = await http.request({ url, headers: { accept: RESOURCE_ACCEPT, ...headers }, ...options });
  if (response.status !== 405) return { method: 'GET', response };
  const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' });
  return { method: 'POST', response: await http.request({ url, method: 'POST', headers: { accept: RESOURCE_ACCEPT, 'content-type': 'application/json', ...headers }, body, ...options }) };
}

export interface ResourceAudit {
  /** The URL asked about, as given. */
  url: string;
  /** What the request without a token got. */
  unauthenticated: { method: string; status: number; challengeHeader: string | undefined; response: HttpResponse };
  challenge: Challenge | undefined;
  attempts: MetadataAttempt[];
  /** The metadata document and where it came from, when one was found. */
  metadata: Record<string, unknown> | undefined;
  metadataUrl: string | undefined;
  /** The authorization servers the metadata lists that can be asked (https, or http on loopback). */
  authorizationServers: string[];
  checks: CheckResult[];
}

export async function auditResource(http: HttpClient, url: string, deps: { ui: Ui; signal?: AbortSignal | undefined; insecure?: boolean }): Promise<ResourceAudit> {
  const { ui } = deps;
  const options = deps.signal ? { signal: deps.signal } : {};
  const c = new CheckRecorder();
  ui.step(`Protected resource ${url}`);
  ui.explain('An API says it needs a token with a 401 and a WWW-Authenticate challenge; RFC 9728 metadata names the authorization servers whose tokens it takes.');

  const { method, response } = await askResource(http, url, {}, options);
  ui.detail(`${method} ${url} → ${response.status} (${response.elapsedMs} ms)`);
  const unauthenticated = { method, status: response.status, challengeHeader: response.headers['www-authenticate'], response };
  const challenge = judgeChallenge(unauthenticated, c);

  const found = await findMetadata(http, url, challenge?.params.resource_metadata, options);
  for (const attempt of found.attempts) ui.detail(`${attempt.url} (${attempt.source}) → ${attempt.outcome}`);
  const base: Omit<ResourceAudit, 'checks' | 'authorizationServers'> = { url, unauthenticated, challenge, attempts: found.attempts, metadata: found.metadata, metadataUrl: found.url };
  if (!found.metadata) {
    c.violation('resource.metadata', `no protected resource metadata: ${found.attempts.map((a) => `${a.url} (${a.source}) → ${a.outcome}`).join('; ')}`);
    for (const { id } of RESOURCE_CHECKS) if (!c.results.some((r) => r.id === id)) c.skip(id, 'no protected resource metadata to judge');
    return { ...base, authorizationServers: [], checks: c.results };
  }
  const source = found.attempts.at(-1)!.source;
  c.pass('resource.metadata', `${found.url} (${source}) answered 200 with a JSON object (${Object.keys(found.metadata).length} members)`);
  judgeResourceMatch(found.metadata, url, c);
  const authorizationServers = judgeAuthorizationServers(found.metadata, c, deps.insecure);
  judgeBearerMethods(found.metadata, c);
  judgeScopesSupported(found.metadata, c);
  return { ...base, authorizationServers, checks: c.results };
}

/**
 * Where the metadata is (RFC 9728 §3.1, §5.1; the MCP authorization spec's order): the challenge's
 * resource_metadata, then the well-known URL with path insertion, then the well-known URL at the root.
 * No token is sent to any of them.
 */
export async function findMetadata(http: HttpClient, url: string, fromChallenge: string | undefined, options: { signal?: AbortSignal }) {
  const candidates: Array<Omit<MetadataAttempt, 'outcome'>> = [];
  if (fromChallenge && URL.canParse(fromChallenge) && /^https?:$/.test(new URL(fromChallenge).protocol)) candidates.push({ url: fromChallenge, source: 'challenge' });
  const wellKnown = resourceMetadataUrl(url);
  if (!candidates.some((c) => c.url === wellKnown)) candidates.push({ url: wellKnown, source: 'well-known' });
  const root = `${new URL(url).origin}/.well-known/oauth-protected-resource`;
  if (!candidates.some((c) => c.url === root)) candidates.push({ url: root, source: 'well-known (root)' });

  const attempts: MetadataAttempt[] = [];
  for (const candidate of candidates) {
    try {
      const response = await http.request({ url: candidate.url, headers: { accept: 'application/json' }, ...options });
      const metadata = response.status === 200 ? jsonObject(response) : undefined;
      attempts.push({ ...candidate, outcome: response.status === 200 && !metadata ? '200, but not a JSON object' : response.status });
      if (metadata) return { attempts, metadata, url: candidate.url };
    } catch (error) {
      // An unreachable or unreadable metadata URL is a finding about the resource, not the end of the run.
      if (!(error instanceof CliError) || !['NETWORK', 'TLS', 'PROTOCOL'].includes(error.code)) throw error;
      attempts.push({ ...candidate, outcome: error.message });
    }
  }
  return { attempts, metadata: undefined, url: undefined };
}
