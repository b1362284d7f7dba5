import { auditIssuer } from '../core/issuer-audit.js';
import { usageError } from '../errors.js';
import { maskBody } from '../http/mask.js';
import type { Report, Section } from '../report/model.js';
import { humanDuration } from '../util/duration.js';
import type { Context } from './context.js';
import { keyRows, keysJson, keysSection } from './jwks-view.js';

export interface DiscoverOptions {
  issuer?: string;
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
  if (!options.issuer) throw usageError('discover needs --issuer URL (or OIDC_ISSUER)', 'e.g. oidc-cli discover --issuer https://idp.example.com');
  const audit = await auditIssuer(await context.http(), options.issuer, { ui: context.ui, signal: context.signal });
  const { discovery } = audit;
  const sections: Section[] = [];
  const data: Record<string, unknown> = { issuer: options.issuer, url: discovery.url, used_fallback: discovery.usedFallback };
  const { metadata } = discovery;

  sections.push({
    title: 'Issuer',
    kind: 'fields',
    fields: [
      ['issuer', options.issuer],
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
  return { command: 'discover', checks: audit.checks, data, sections };
}
