import { CheckRecorder } from '../checks/recorder.js';
import type { CheckResult } from '../checks/types.js';
import { CliError, usageError } from '../errors.js';
import type { HttpClient, HttpResponse } from '../http/types.js';
import { auditDiscovery } from './discovery-audit.js';

/**
 * Discovery as a request/process pair (the oauth4webapi split): `fetchDiscovery` does the HTTP,
 * `processDiscoveryResponse` and `auditDiscovery` judge what came back and are pure.
 */
export interface DiscoveryResult {
  issuer: string;
  /** The URL the document was read from (the RFC 8414 one when usedFallback). */
  url: string;
  metadata: Record<string, unknown>;
  response: HttpResponse;
  checks: CheckResult[];
  usedFallback: boolean;
}

/** Like DiscoveryResult, but `metadata` is absent when no usable document was found (see `checks`). */
export interface DiscoveryAttempt extends Omit<DiscoveryResult, 'metadata'> {
  metadata: Record<string, unknown> | undefined;
}

/** What one metadata response amounts to, before any audit of its members. */
export type DocumentOutcome =
  | { kind: 'document'; metadata: Record<string, unknown> }
  | { kind: 'redirect'; location: string }
  | { kind: 'missing'; status: number }
  | { kind: 'invalid'; reason: string };

/** Parses and checks the issuer the user typed: a usage error names the problem. */
export function parseIssuer(issuer: string): URL {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw usageError(`--issuer: "${issuer}" is not a URL`, 'give the issuer as an absolute URL, e.g. https://idp.example.com');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw usageError(`--issuer: "${issuer}" is not an http(s) URL`, 'give the issuer as an absolute URL, e.g. https://idp.example.com');
  }
  // A metadata URL pasted where the issuer belongs: name the issuer it most likely stands for. Not
  // rewritten silently: the issuer is compared byte for byte, so the user should see the one used.
  const wellKnown = /^(.*?)\/\.well-known\/openid-configuration\/?$/.exec(url.pathname);
  const rfc8414 = /^\/\.well-known\/oauth-authorization-server(\/.*)?$/.exec(url.pathname);
  if (wellKnown || rfc8414) {
    const meant = `${url.origin}${wellKnown ? wellKnown[1] : (rfc8414![1] ?? '')}`;
    throw usageError(`--issuer: "${issuer}" is the metadata document's URL, not the issuer`, `pass the issuer itself: --issuer ${meant} (the document is found from it)`);
  }
  return url;
}

/**
 * Both places metadata may live. OIDC Discovery §4: issuer (without its trailing slash) +
 * /.well-known/openid-configuration. RFC 8414 §3.1: the well-known segment goes between the host and
 * the issuer's path, whose terminating "/" is removed first.
 */
export function discoveryUrls(issuer: string): { openid: string; oauth: string } {
  const url = parseIssuer(issuer);
  const path = url.pathname.replace(/\/+$/, '');
  return {
    openid: `${url.origin}${path}/.well-known/openid-configuration`,
    oauth: `${url.origin}/.well-known/oauth-authorization-server${path}`,
  };
}

/** Judges one metadata response (pure). A 200 whose body is not JSON throws CliError PROTOCOL (exit 3). */
export function processDiscoveryResponse(response: HttpResponse): DocumentOutcome {
  if (response.status >= 300 && response.status < 400) return { kind: 'redirect', location: response.location ?? '(no Location header)' };
  if (response.status !== 200) return { kind: 'missing', status: response.status };
  const body = response.json();
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return { kind: 'invalid', reason: `the body is JSON but not an object (${Array.isArray(body) ? 'an array' : String(body === null ? 'null' : typeof body)})` };
  }
  return { kind: 'document', metadata: body as Record<string, unknown> };
}

const MAX_DISCOVERY_REDIRECTS = 3;

/** The redirect target when it stays on the origin of `from` (scheme, host and port), else undefined. */
function sameOriginTarget(from: string, location: string): string | undefined {
  try {
    const target = new URL(location, from);
    return target.origin === new URL(from).origin ? target.href : undefined;
  } catch {
    return undefined;
  }
}

/** Fetches the metadata (with the RFC 8414 fallback) and audits it. Never throws for a bad document. */
export async function fetchDiscovery(http: HttpClient, issuer: string, options: { signal?: AbortSignal } = {}): Promise<DiscoveryAttempt> {
  const urls = discoveryUrls(issuer);
  const recorder = new CheckRecorder();
  let url = urls.openid;
  let response = await http.request({ url, ...options });
  let outcome = processDiscoveryResponse(response);
  let usedFallback = false;
  if (outcome.kind === 'missing') {
    const first = response.status;
    const fallback = await http.request({ url: urls.oauth, ...options });
    const fallbackOutcome = processDiscoveryResponse(fallback);
    if (fallbackOutcome.kind === 'document') {
      recorder.violation('discovery.fallback', `${urls.openid} answered ${first}; used the RFC 8414 metadata at ${urls.oauth}`);
      ({ url, response, outcome, usedFallback } = { url: urls.oauth, response: fallback, outcome: fallbackOutcome, usedFallback: true });
    } else if (fallbackOutcome.kind === 'missing') {
      recorder.violation('discovery.document', `no metadata: ${urls.openid} answered ${first} and ${urls.oauth} answered ${fallback.status}`);
      return { issuer, url, metadata: undefined, response, checks: recorder.results, usedFallback };
    }
  }
  const redirects: string[] = [];
  const asked = new Set([url]);
  while (outcome.kind === 'redirect') {
    // Frameworks answer the well-known URL with a redirect (Django's APPEND_SLASH adds a slash). The
    // spec wants the document at that URL, so it fails; but a same-origin hop is followed, a few at
    // most, so the rest of the report is still judged. Another origin could serve anyone's metadata.
    const next = sameOriginTarget(url, outcome.location);
    if (!next || asked.has(next) || redirects.length >= MAX_DISCOVERY_REDIRECTS) {
      const why = !next
        ? 'not followed: another origin, or no usable Location'
        : asked.has(next)
          ? 'not followed: it loops back to a URL already asked'
          : `not followed: more than ${MAX_DISCOVERY_REDIRECTS} redirects`;
      recorder.violation('discovery.redirect', `${[...redirects, `${url} answered ${response.status} with a redirect to ${outcome.location}`].join('; ')} (${why})`);
      return { issuer, url, metadata: undefined, response, checks: recorder.results, usedFallback };
    }
    redirects.push(`${url} answered ${response.status} with a redirect to ${outcome.location}`);
    url = next;
    asked.add(url);
    response = await http.request({ url, ...options });
    outcome = processDiscoveryResponse(response);
  }
  if (redirects.length) recorder.violation('discovery.redirect', `${redirects.join('; ')} (followed on the same origin; clients that do not follow redirects cannot discover this issuer)`);
  if (outcome.kind === 'invalid') {
    recorder.violation('discovery.document', `${url}: ${outcome.reason}`);
    return { issuer, url, metadata: undefined, response, checks: recorder.results, usedFallback };
  }
  if (outcome.kind === 'missing') {
    recorder.violation('discovery.document', `${url} answered ${outcome.status}, not 200`);
    return { issuer, url, metadata: undefined, response, checks: recorder.results, usedFallback };
  }
  recorder.pass('discovery.document', `${url} answered 200 with a JSON object (${Object.keys(outcome.metadata).length} members)`);
  if (!usedFallback) recorder.pass('discovery.fallback', 'served at /.well-known/openid-configuration');
  if (!redirects.length) recorder.pass('discovery.redirect', 'answered directly');
  recorder.merge(auditDiscovery(issuer, outcome.metadata, { insecure: http.insecure === true }));
  return { issuer, url, metadata: outcome.metadata, response, checks: recorder.results, usedFallback };
}

/**
 * A member the command cannot go on without (jwks_uri, token_endpoint...). Its absence is the IdP's fault
 * (OIDC Discovery §3, judged by `discover` as discovery.required_members), not the user's, so every
 * command stops on it the same way: exit 3, this one line.
 */
export function requiredMember(issuer: string, metadata: Record<string, unknown>, name: string): string {
  const value = advertisedEndpoint(issuer, metadata, name);
  if (value !== undefined) return value;
  throw new CliError('PROTOCOL', `the discovery document of ${issuer} has no ${name}`, { hint: `run oidc-cli discover --issuer ${issuer} for the full audit (discovery.required_members)` });
}

/** What a JSON value is, in a message: bounded, whatever size the value has. */
function kindOf(value: unknown): string {
  if (value === '') return 'an empty string';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/**
 * A URL member of the document (an *_endpoint, jwks_uri): the string, or undefined when the IdP does
 * not advertise it (absent, or null). Any other value is the IdP's fault, not the user's: CliError
 * PROTOCOL (exit 3) naming the member, as for a missing required one.
 */
export function advertisedEndpoint(issuer: string, metadata: Record<string, unknown>, name: string): string | undefined {
  const value = Object.hasOwn(metadata, name) ? metadata[name] : undefined;
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string' && value !== '') return value;
  throw new CliError('PROTOCOL', `the discovery document of ${issuer} has a ${name} that is ${kindOf(value)}, not a URL`, { hint: `run oidc-cli discover --issuer ${issuer} for the full audit` });
}

/** id_token_signing_alg_values_supported as the strings it lists; undefined when it is not a list. */
export function advertisedAlgorithms(metadata: Record<string, unknown>): string[] | undefined {
  const algs = metadata.id_token_signing_alg_values_supported;
  return Array.isArray(algs) ? algs.filter((alg): alg is string => typeof alg === 'string') : undefined;
}

/**
 * Fetch + audit, for commands that need the metadata to go on (login, decode --issuer). Throws
 * CliError PROTOCOL when there is no usable document at all; transport failures throw from the client.
 */
export async function discover(http: HttpClient, issuer: string, options: { signal?: AbortSignal } = {}): Promise<DiscoveryResult> {
  const attempt = await fetchDiscovery(http, issuer, options);
  if (attempt.metadata === undefined) {
    const failed = attempt.checks.find((check) => check.status === 'fail');
    throw new CliError('PROTOCOL', `discovery failed for ${issuer}: ${failed?.message ?? 'no metadata document'}`, failed?.hint ? { hint: failed.hint } : {});
  }
  return { ...attempt, metadata: attempt.metadata };
}
