import type { CheckResult } from '../checks/types.js';
import { auditIssuer, type IssuerAudit } from '../core/issuer-audit.js';
import { discoverResourceServer } from '../core/resource/discover-resource.js';
import { parseResourceUrl } from '../core/resource/protected-resource.js';
import { usageError } from '../errors.js';
import { maskBody } from '../http/mask.js';
import type { Report, Section } from '../report/model.js';
import { humanDuration } from '../util/duration.js';
import type { Context } from './context.js';
import { keyRows, keysJson, keysSection } from './jwks-view.js';

export interface DiscoverOptions {
  issuer?: string;
  resource?: string;
}

const CAPABILITIES = [
  'response_types_supported',
  'response_modes_supported',
  'grant_types_supported',
  'scopes_supported',
  'subject_types_supported',
  'id_token_signing_alg_values_supported',
  'code_challenge_methods_supported',
  'token_endpoint_auth_methods_supported',
  'claims_supported',
  'authorization_response_iss_parameter_supported',
];

// Array.join calls String() on each member, which throws on {"toString": null}: each member is shown itself.
const show = (value: unknown): string => (Array.isArray(value) ? value.map(show).join(' ') : typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value)));

/** A metadata document could carry anything; a leaked token in it is masked like in traces. */
function redactedMetadata(metadata: Record<string, unknown>, showTokens: boolean): Record<string, unknown> {
  return showTokens ? metadata : (JSON.parse(maskBody(JSON.stringify(metadata))) as Record<string, unknown>);
}

function clockNote(date: Date | undefined): string {
  if (!date) return 'no Date header';
  const skew = Math.round((date.getTime() - Date.now()) / 1000);
  // Date has one-second resolution: below 2s there is nothing to report.
  return Math.abs(skew) < 2 ? `${date.toISOString()} (in sync with this machine)` : `${date.toISOString()} (IdP clock ${skew > 0 ? 'ahead' : 'behind'} by ${humanDuration(skew)})`;
}

export async function run(options: DiscoverOptions, context: Context): Promise<Report> {
  if (options.resource !== undefined) return discoverResource(options.resource, context);
  if (!options.issuer) throw usageError('discover needs --issuer URL (or OIDC_ISSUER), or --resource URL for an API or MCP server', 'e.g. oidc-cli discover --issuer https://idp.example.com');
  const { checks, data, sections } = await issuerReport(options.issuer, context);
  return { command: 'discover', checks, data, sections };
}

/** The audit of one issuer (metadata and keys) as report parts: `discover --issuer`. */
async function issuerReport(issuer: string, context: Context): Promise<{ checks: CheckResult[]; data: Record<string, unknown>; sections: Section[] }> {
  const audit = await auditIssuer(await context.http(), issuer, { ui: context.ui, signal: context.signal });
  return { checks: audit.checks, ...(await issuerParts(issuer, audit, context)) };
}

/** An issuer's audit shown: the sections and the JSON members (rendering only; the verdicts are the audit's). */
async function issuerParts(issuer: string, audit: IssuerAudit, context: Context): Promise<{ data: Record<string, unknown>; sections: Section[] }> {
  const { discovery } = audit;
  const sections: Section[] = [];
  const data: Record<string, unknown> = { issuer, url: discovery.url, used_fallback: discovery.usedFallback };
  const { metadata } = discovery;

  sections.push({
    title: 'Issuer',
    kind: 'fields',
    fields: [
      ['issuer', issuer],
      ['document', `${discovery.url}${discovery.usedFallback ? ' (RFC 8414 fallback)' : ''}`],
      ['answer', `${discovery.response.status} in ${discovery.response.elapsedMs} ms`],
      ['server date', clockNote(discovery.response.date)],
    ],
  });

  let rows: Awaited<ReturnType<typeof keyRows>> = [];
  if (metadata) {
    data.metadata = redactedMetadata(metadata, context.globals.showTokens);
    const endpoints = Object.entries(metadata).filter(([name, value]) => (name.endsWith('_endpoint') || name === 'jwks_uri' || name === 'check_session_iframe') && typeof value === 'string');
    sections.push({ title: 'Endpoints', kind: 'fields', fields: endpoints.map(([name, value]) => [name, String(value)]) });
    sections.push({ title: 'Capabilities', kind: 'fields', fields: CAPABILITIES.filter((name) => metadata[name] !== undefined).map((name) => [name, show(metadata[name])]) });

    if (audit.jwks?.jwks) {
      rows = await keyRows(audit.jwks.jwks, context.globals.showTokens);
      sections.push(keysSection(rows, `Keys (${audit.jwks.uri})`));
    }
  }
  data.keys = keysJson(rows);
  return { data, sections };
}

/**
 * `discover --resource URL`: the resource's challenge and RFC 9728 metadata, then the authorization
 * server it names, audited like `discover --issuer` (RFC 8414 path insertion or the OIDC well-known URL,
 * and which one answered), and whether it advertises PKCE S256 as MCP clients require.
 */
async function discoverResource(value: string, context: Context): Promise<Report> {
  const url = parseResourceUrl(value, '--resource').href;
  const http = await context.http();
  const found = await discoverResourceServer(http, url, { ui: context.ui, signal: context.signal, insecure: context.globals.insecure });
  const { resource } = found;
  const { metadata, challenge } = resource;
  const fields: Array<[string, string]> = [
    ['asked about', url],
    ['without a token', `${resource.unauthenticated.method} → HTTP ${resource.unauthenticated.status} in ${resource.unauthenticated.response.elapsedMs} ms`],
    ['challenge', resource.unauthenticated.challengeHeader === undefined ? '(no WWW-Authenticate)' : maskBody(resource.unauthenticated.challengeHeader)],
    ['metadata', resource.metadataUrl ? `${resource.metadataUrl} (${resource.attempts.at(-1)!.source})` : `not found (${resource.attempts.map((a) => `${a.url} → ${a.outcome}`).join('; ')})`],
  ];
  if (metadata) for (const name of RESOURCE_MEMBERS) if (metadata[name] !== undefined) fields.push([name, show(metadata[name])]);
  const sections: Section[] = [{ title: 'Protected resource', kind: 'fields', fields }];
  const data: Record<string, unknown> = {
    resource: {
      url,
      status: resource.unauthenticated.status,
      challenge: challenge ? { scheme: challenge.scheme, params: challenge.params } : null,
      metadata_url: resource.metadataUrl ?? null,
      metadata_attempts: resource.attempts,
      metadata: metadata ? redactedMetadata(metadata, context.globals.showTokens) : null,
    },
  };

  if (found.server) {
    const issuer = await issuerParts(found.server.issuer, found.server.audit, context);
    sections.push(...issuer.sections.map((section) => (section.title === 'Issuer' ? { ...section, title: 'Authorization server' } : section)));
    Object.assign(data, issuer.data);
  }
  return { command: 'discover', checks: found.checks, data, sections };
}

// What a resource says about itself, in the order worth reading (RFC 9728 §2).
const RESOURCE_MEMBERS = ['resource', 'resource_name', 'authorization_servers', 'scopes_supported', 'bearer_methods_supported', 'jwks_uri', 'resource_documentation', 'resource_signing_alg_values_supported'];
