import { CheckRecorder } from '../checks/recorder.js';
import type { CheckResult } from '../checks/types.js';
import { isLoopback } from '../http/loopback.js';
import { cut, listed, show, shownList } from '../util/show.js';
import { isResponseType, registryFor, usesCode } from './metadata-registries.js';
import { judgeMtlsMetadata } from './mtls.js';

/** The pure judge of a metadata document (CHECKS.md "Discovery"); unit-tested without a network. */

const REQUIRED_URLS = ['issuer', 'authorization_endpoint', 'token_endpoint', 'jwks_uri'] as const;
const REQUIRED_LISTS = ['response_types_supported', 'subject_types_supported', 'id_token_signing_alg_values_supported'] as const;

const isStringList = (value: unknown): value is string[] => Array.isArray(value) && value.every((v) => typeof v === 'string');

function tryUrl(value: unknown): URL | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

/**
 * Explains how two issuer strings differ, in the terms people get wrong: trailing slash, scheme, host
 * case, port, path. Falls back to the first differing character.
 */
export function describeIssuerDifference(expected: string, actual: string): string {
  // A space or a newline pasted with the URL: nothing else differs, and the parts below would misname it.
  if (expected.trim() === actual.trim()) return expected !== expected.trim() ? 'whitespace around the issuer given (pasted with the URL?)' : 'whitespace around the issuer in the document';
  const a = tryUrl(expected);
  const b = tryUrl(actual);
  const reasons: string[] = [];
  if (a && b) {
    const schemeA = /^[a-z][a-z0-9+.-]*/i.exec(expected)?.[0] ?? '';
    const schemeB = /^[a-z][a-z0-9+.-]*/i.exec(actual)?.[0] ?? '';
    if (a.protocol !== b.protocol) reasons.push(`scheme ${a.protocol.slice(0, -1)} vs ${b.protocol.slice(0, -1)}`);
    else if (schemeA !== schemeB) reasons.push(`scheme case ${schemeA} vs ${schemeB}`);
    const hostA = /^[a-z]+:\/\/([^/:?#]*)/i.exec(expected)?.[1] ?? a.hostname;
    const hostB = /^[a-z]+:\/\/([^/:?#]*)/i.exec(actual)?.[1] ?? b.hostname;
    if (hostA !== hostB) reasons.push(hostA.toLowerCase() === hostB.toLowerCase() ? `host case ${hostA} vs ${hostB}` : `host ${hostA} vs ${hostB}`);
    const portA = /^[a-z]+:\/\/[^/?#]*:(\d*)/i.exec(expected)?.[1];
    const portB = /^[a-z]+:\/\/[^/?#]*:(\d*)/i.exec(actual)?.[1];
    if (portA !== portB) reasons.push(`port ${portA === undefined ? '(none)' : `:${portA}`} vs ${portB === undefined ? '(none)' : `:${portB}`}`);
    const pathA = expected.replace(/^[a-z]+:\/\/[^/?#]*/i, '');
    const pathB = actual.replace(/^[a-z]+:\/\/[^/?#]*/i, '');
    if (pathA !== pathB) {
      if (pathA.replace(/\/$/, '') === pathB.replace(/\/$/, '')) {
        reasons.push(pathB.endsWith('/') ? 'trailing slash in the document only' : 'trailing slash in the discovered issuer only');
      } else reasons.push(`path "${pathA}" vs "${pathB}"`);
    }
  }
  if (reasons.length === 0) {
    let i = 0;
    while (i < expected.length && expected[i] === actual[i]) i += 1;
    reasons.push(`first difference at character ${i + 1}`);
  }
  return reasons.join(', ');
}

function auditIssuer(r: CheckRecorder, expected: string, metadata: Record<string, unknown>): void {
  const issuer = metadata.issuer;
  if (typeof issuer !== 'string') {
    r.violation('discovery.issuer_match', `the document has no issuer string (expected "${expected}")`);
    r.skip('discovery.issuer_url', 'no issuer in the document');
    return;
  }
  if (issuer === expected) r.pass('discovery.issuer_match', `"${issuer}" is identical to the issuer discovered`);
  else if (/\{[^{}]*\}/.test(issuer)) {
    // Multi-tenant endpoints publish an issuer template: each tenant's tokens carry its own issuer.
    r.violation('discovery.issuer_match', `document says "${issuer}", a multi-tenant issuer template, not an issuer: tokens from this endpoint carry their tenant's own issuer, never "${expected}"`, {
      hint: `Discover the tenant's own issuer instead: replace the template part (${/\{[^{}]*\}/.exec(issuer)?.[0]}) with your tenant's id in the URL you pass to --issuer, and check that the document found there names that exact issuer.`,
    });
  } else {
    const difference = describeIssuerDifference(expected, issuer);
    // Only a spelling of the same place (slash, case, scheme, port) gets a command line: another host
    // or path is another issuer, and following the document there is exactly the mix-up to avoid.
    const spelling = difference.split(', ').every((reason) => /^(trailing slash|host case|scheme|port|whitespace around the issuer given)/.test(reason));
    const usable = /^https?:\/\/[^\s"'`]+$/.test(issuer);
    r.violation('discovery.issuer_match', `document says "${issuer}" but it was discovered as "${expected}": ${difference}`, spelling && usable ? {
      hint: `The IdP spells its issuer "${issuer}": pass exactly that, --issuer ${issuer}, and configure your client with the same string (every token's iss must equal it byte for byte).`,
    } : {});
  }

  const url = tryUrl(issuer);
  if (!url) r.violation('discovery.issuer_url', `issuer "${issuer}" is not a URL`);
  else if (url.search || url.hash || /[?#]/.test(issuer)) r.violation('discovery.issuer_url', `issuer "${issuer}" has a query or fragment`);
  else if (url.protocol === 'https:') r.pass('discovery.issuer_url', 'https, no query or fragment');
  else if (url.protocol === 'http:' && isLoopback(url.hostname)) r.pass('discovery.issuer_url', `http on loopback (${url.host}): acceptable for development only`);
  else r.violation('discovery.issuer_url', `issuer "${issuer}" uses ${url.protocol.slice(0, -1)}, not https`);
}

/**
 * False only when the document says the code flow is not offered at all: response_types_supported is
 * a list of strings and none of them includes `code` (an implicit-only provider).
 */
function offersCodeFlow(metadata: Record<string, unknown>): boolean {
  const types = metadata.response_types_supported;
  return !isStringList(types) || types.length === 0 || types.some(usesCode);
}

function auditRequired(r: CheckRecorder, metadata: Record<string, unknown>): void {
  const problems: string[] = [];
  // OIDC Discovery §3: token_endpoint is REQUIRED "unless only the Implicit Flow is used".
  const implicitOnly = !offersCodeFlow(metadata);
  for (const name of REQUIRED_URLS) {
    if (metadata[name] === undefined && name === 'token_endpoint' && implicitOnly) continue;
    if (metadata[name] === undefined) problems.push(`${name} missing`);
    else if (!tryUrl(metadata[name])) problems.push(`${name} is not a URL (${JSON.stringify(metadata[name])})`);
  }
  for (const name of REQUIRED_LISTS) {
    if (metadata[name] === undefined) problems.push(`${name} missing`);
    else if (!isStringList(metadata[name]) || (metadata[name] as string[]).length === 0) problems.push(`${name} is not a non-empty array of strings`);
  }
  if (problems.length) r.violation('discovery.required_members', problems.join('; '));
  else if (implicitOnly && metadata.token_endpoint === undefined) r.pass('discovery.required_members', 'required members present and well typed; no token_endpoint, which OIDC Discovery §3 allows when only the implicit flow is offered');
  else r.pass('discovery.required_members', `${REQUIRED_URLS.length + REQUIRED_LISTS.length} required members present and well typed`);

  const scopes = metadata.scopes_supported;
  if (scopes === undefined) r.skip('discovery.scopes_openid', 'scopes_supported not published');
  else if (!isStringList(scopes)) r.violation('discovery.scopes_openid', 'scopes_supported is not an array of strings');
  else r.expect('discovery.scopes_openid', scopes.includes('openid'), 'scopes_supported contains openid', `scopes_supported is ${shownList(scopes)}, without "openid"`);

  if (metadata.userinfo_endpoint === undefined) r.violation('discovery.userinfo_endpoint', 'userinfo_endpoint is not published');
  else r.pass('discovery.userinfo_endpoint', show(metadata.userinfo_endpoint));
}

/** Every member naming a URL a client will call: *_endpoint, jwks_uri, check_session_iframe, mTLS aliases. */
const isEndpointName = (name: string) => name.endsWith('_endpoint') || name === 'jwks_uri' || name === 'check_session_iframe';

export function endpointMembers(metadata: Record<string, unknown>): Array<[name: string, value: string]> {
  const out: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(metadata)) {
    if (isEndpointName(name) && typeof value === 'string') out.push([name, value]);
  }
  const aliases = metadata.mtls_endpoint_aliases;
  if (aliases && typeof aliases === 'object' && !Array.isArray(aliases)) {
    for (const [name, value] of Object.entries(aliases)) if (typeof value === 'string') out.push([`mtls_endpoint_aliases.${name}`, value]);
  }
  return out;
}

function auditEndpoints(r: CheckRecorder, metadata: Record<string, unknown>, options: AuditOptions): void {
  const issuer = tryUrl(metadata.issuer);
  // Loopback http is the development exception only when the issuer itself is loopback http: an
  // https issuer with an http endpoint is a downgrade wherever the endpoint is.
  const devIssuer = issuer?.protocol === 'http:' && isLoopback(issuer.hostname);
  const endpoints = endpointMembers(metadata);
  const insecure: string[] = [];
  // An endpoint member that is not a string at all (an object, an array, a number) is not a URL either;
  // null is how some IdPs say a feature is off, and is left alone.
  for (const [name, value] of Object.entries(metadata)) {
    if (isEndpointName(name) && value !== null && typeof value !== 'string') insecure.push(`${name} is ${cut(show(value))}, not a URL string`);
  }
  const foreign: ForeignEndpoint[] = [];
  for (const [name, value] of endpoints) {
    const url = tryUrl(value);
    if (!url) {
      insecure.push(`${name} is not a URL (${value})`);
      continue;
    }
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && devIssuer && isLoopback(url.hostname))) insecure.push(`${name} ${value}`);
    if (issuer && url.hostname.toLowerCase() !== issuer.hostname.toLowerCase()) {
      foreign.push({ where: `${name} on ${url.host}`, ipLiteral: isIpLiteral(url.hostname) && !isIpLiteral(issuer.hostname) && !isLoopback(url.hostname), plainHttp: url.protocol === 'http:' });
    }
  }
  if (endpoints.length === 0 && insecure.length === 0) r.skip('discovery.https', 'no endpoints published');
  else if (insecure.length) r.violation('discovery.https', `not https: ${insecure.join(', ')}`);
  else r.pass('discovery.https', devIssuer ? `${endpoints.length} endpoints, http on loopback (development only)` : `${endpoints.length} endpoints, all https`);

  auditEndpointHosts(r, issuer, foreign, endpoints.length, options);
}

/**
 * No spec ties endpoints to the issuer's host, and large providers spread them over their hosts by
 * design: a note that lists them (discovery.endpoint_host). Whether anything vouches for them is its
 * own check: a document fetched over TLS with a verified certificate does; a document nobody could
 * authenticate (plain http) sending clients elsewhere, or a bare IP address, is the risk.
 */
function auditEndpointHosts(r: CheckRecorder, issuer: URL | undefined, foreign: ForeignEndpoint[], endpointCount: number, options: AuditOptions): void {
  if (!issuer || endpointCount === 0) {
    r.skip('discovery.endpoint_host', 'no issuer URL or no endpoints to compare');
    r.skip('discovery.endpoint_host_vouched', 'no issuer URL or no endpoints to compare');
    return;
  }
  if (foreign.length === 0) {
    r.pass('discovery.endpoint_host', `all endpoints on ${issuer.hostname}`);
    r.skip('discovery.endpoint_host_vouched', `every endpoint is on the issuer's host ${issuer.hostname}: none to vouch for`);
    return;
  }
  const label = ({ where, plainHttp }: ForeignEndpoint) => (plainHttp ? `${where} (plain http)` : where);
  r.pass('discovery.endpoint_host', `note: endpoints on other hosts than ${issuer.hostname}: ${foreign.map(label).join(', ')}`);

  const ipLiterals = foreign.filter((endpoint) => endpoint.ipLiteral).map(({ where }) => where);
  const all = foreign.map(({ where }) => where).join(', ');
  if (ipLiterals.length) r.violation('discovery.endpoint_host_vouched', `issuer is on ${issuer.hostname} but ${ipLiterals.join(', ')}: an IP address, not a name a certificate vouches for`);
  else if (issuer.protocol !== 'https:') r.violation('discovery.endpoint_host_vouched', `issuer is on ${issuer.hostname} over plain http (no TLS vouches for the document) but ${all}`);
  else if (options.insecure) r.skip('discovery.endpoint_host_vouched', `not judged: --insecure skipped the certificate check, so nothing authenticated the document that names ${all}`);
  else {
    const overTls = foreign.filter(({ plainHttp }) => !plainHttp).map(({ where }) => where);
    const plain = foreign.filter(({ plainHttp }) => plainHttp).map(({ where }) => `${where} is plain http: the document names it, but nothing protects the connection to it (discovery.https)`);
    const named = overTls.length ? [`${overTls.join(', ')}: named by the document fetched from ${issuer.host} over TLS, certificate verified`] : [];
    r.pass('discovery.endpoint_host_vouched', [...named, ...plain].join('; '));
  }
}

interface ForeignEndpoint {
  /** "token_endpoint on api.example", for messages. */
  where: string;
  ipLiteral: boolean;
  plainHttp: boolean;
}

const isIpLiteral = (hostname: string) => /^\d{1,3}(\.\d{1,3}){3}$/.test(hostname) || hostname.startsWith('[');

function auditCapabilities(r: CheckRecorder, metadata: Record<string, unknown>): void {
  const algs = metadata.id_token_signing_alg_values_supported;
  if (!isStringList(algs)) {
    r.skip('discovery.alg_rs256', 'id_token_signing_alg_values_supported not published as a list');
    r.skip('discovery.alg_none', 'id_token_signing_alg_values_supported not published as a list');
  } else {
    r.expect('discovery.alg_rs256', algs.includes('RS256'), 'RS256 listed', `RS256 missing from id_token_signing_alg_values_supported ${shownList(algs)}`);
    r.expect('discovery.alg_none', !algs.includes('none'), '"none" not listed', `id_token_signing_alg_values_supported lists "none": ${shownList(algs)}`);
  }

  const methods = metadata.code_challenge_methods_supported;
  if (!offersCodeFlow(metadata)) {
    r.skip('discovery.pkce_s256', 'no response type includes code: PKCE protects the authorization code, which this provider does not issue');
    r.skip('discovery.pkce_plain', 'no response type includes code');
  } else if (methods === undefined) {
    r.violation('discovery.pkce_s256', 'code_challenge_methods_supported is absent: clients cannot tell whether PKCE is supported');
    r.skip('discovery.pkce_plain', 'code_challenge_methods_supported is absent');
  } else if (!isStringList(methods)) {
    r.violation('discovery.pkce_s256', `code_challenge_methods_supported is not an array of strings (${JSON.stringify(methods)})`);
    r.skip('discovery.pkce_plain', 'code_challenge_methods_supported is malformed');
  } else {
    r.expect('discovery.pkce_s256', methods.includes('S256'), 'S256 listed', `code_challenge_methods_supported is ${shownList(methods)}, without "S256"`);
    r.expect('discovery.pkce_plain', !methods.includes('plain'), '"plain" not listed', '"plain" is listed in code_challenge_methods_supported');
  }

  const responseTypes = isStringList(metadata.response_types_supported) ? metadata.response_types_supported : [];
  const grantTypes = isStringList(metadata.grant_types_supported) ? metadata.grant_types_supported : [];
  const found = [
    ...responseTypes.filter((type) => type.split(' ').includes('token')).map((type) => `response type "${type}"`),
    ...grantTypes.filter((type) => type === 'password').map(() => 'grant type "password"'),
  ];
  if (found.length) r.violation('discovery.implicit_or_password', `advertises ${listed(found, ', ')}`);
  else r.pass('discovery.implicit_or_password', 'neither implicit response types nor the password grant advertised');

  const iss = metadata.authorization_response_iss_parameter_supported;
  if (iss === true) r.pass('discovery.iss_parameter', 'authorization_response_iss_parameter_supported is true');
  else r.violation('discovery.iss_parameter', iss === undefined ? 'authorization_response_iss_parameter_supported is absent (RFC 9207 iss not advertised)' : `authorization_response_iss_parameter_supported is ${JSON.stringify(iss)}`);
}

/** Every `*_supported` list against the registry its values come from (metadata-registries.ts). */
function auditRegistries(r: CheckRecorder, metadata: Record<string, unknown>): void {
  const responseTypes = metadata.response_types_supported;
  if (!isStringList(responseTypes)) r.skip('discovery.response_types', 'response_types_supported is not a list of strings');
  else {
    const wrong = responseTypes.filter((type) => !isResponseType(type));
    if (wrong.length) r.violation('discovery.response_types', `response_types_supported holds values that are not response types: ${shownList(wrong)}`);
    else r.pass('discovery.response_types', `${responseTypes.length} response types, each registered`);
  }

  const unknown: string[] = [];
  let closedBroken = false;
  let judged = 0;
  for (const [member, value] of Object.entries(metadata)) {
    const registry = member.endsWith('_supported') ? registryFor(member) : undefined;
    if (!registry || !Array.isArray(value)) continue;
    judged += 1;
    const outside = value.filter((v) => typeof v !== 'string' || !registry.accepts(v));
    if (outside.length === 0) continue;
    unknown.push(`${member} ${shownList(outside)} (not in ${registry.name})`);
    closedBroken ||= registry.closed;
  }
  if (judged === 0) r.skip('discovery.registry_values', 'no *_supported list with a known registry is published');
  else if (closedBroken) r.violation('discovery.registry_values', `values outside their registry: ${listed(unknown)}`);
  // Only descriptive registries (types, modes, grants, authentication methods), where providers publish
  // private extensions: a warning, so a real provider's document does not fail for an extension.
  else if (unknown.length) r.warn('discovery.registry_values', `values outside their registry (descriptive registries, where extensions are common: a warning): ${listed(unknown)}`);
  else r.pass('discovery.registry_values', `${judged} *_supported lists, every value registered`);
}

/** How the document was fetched, as far as the judge must know. */
export interface AuditOptions {
  /** TLS certificates were not verified (--insecure): a document over https vouches for nothing. */
  insecure?: boolean;
}

/** All Discovery checks on a parsed document; `expectedIssuer` is the issuer exactly as it was discovered. */
export function auditDiscovery(expectedIssuer: string, metadata: Record<string, unknown>, options: AuditOptions = {}): CheckResult[] {
  const r = new CheckRecorder();
  auditIssuer(r, expectedIssuer, metadata);
  auditRequired(r, metadata);
  auditEndpoints(r, metadata, options);
  auditCapabilities(r, metadata);
  auditRegistries(r, metadata);
  // RFC 8705's members, judged when published (a run with --cert judges them in any case).
  if (metadata.mtls_endpoint_aliases !== undefined || metadata.tls_client_certificate_bound_access_tokens !== undefined) judgeMtlsMetadata(metadata, r);
  return r.results;
}
