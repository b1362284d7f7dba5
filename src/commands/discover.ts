import { DISCOVERY_CHECKS } from '../checks/catalogue/discovery.js';
import { CheckRecorder } from '../checks/recorder.js';
import { fetchDiscovery } from '../core/discovery.js';
import { fetchJwksDocument, type JwksAttempt } from '../core/jwks.js';
import { CliError, usageError } from '../errors.js';
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

async function tryJwks(context: Context, jwksUri: string): Promise<JwksAttempt | { error: CliError }> {
  try {
    return await fetchJwksDocument(await context.http(), jwksUri, { signal: context.signal });
  } catch (error) {
    // The document was fine and named a JWKS we cannot read: that is a finding about the IdP, not a
    // reason to drop the whole report.
    if (error instanceof CliError && ['NETWORK', 'TLS', 'TIMEOUT', 'PROTOCOL'].includes(error.code)) return { error };
    throw error;
  }
}

export async function run(options: DiscoverOptions, context: Context): Promise<Report> {
  if (!options.issuer) throw usageError('discover needs --issuer URL (or OIDC_ISSUER)', 'e.g. oidc-cli discover --issuer https://idp.example.com');
  const { ui } = context;
  const http = await context.http();
  ui.step(`Discovery for ${options.issuer}`);
  const discovery = await fetchDiscovery(http, options.issuer, { signal: context.signal });
  ui.detail(`${discovery.url} → ${discovery.response.status} (${discovery.response.elapsedMs} ms)`);
  ui.explain('The metadata tells clients where to send users and tokens; a wrong issuer or endpoint here misroutes every login.');
  const checks = new CheckRecorder();
  checks.merge(discovery.checks);
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

    const jwksUri = metadata.jwks_uri;
    if (typeof jwksUri === 'string' && URL.canParse(jwksUri)) {
      ui.step(`JWKS ${jwksUri}`);
      const jwks = await tryJwks(context, jwksUri);
      if ('error' in jwks) {
        checks.violation('jwks.document', `${jwksUri}: ${jwks.error.message}`, jwks.error.hint ? { hint: jwks.error.hint } : {});
      } else {
        ui.detail(`${jwksUri} → ${jwks.response.status} (${jwks.response.elapsedMs} ms)`);
        checks.merge(jwks.checks);
        rows = await keyRows(jwks.jwks, context.globals.showTokens);
        sections.push(keysSection(rows, `Keys (${jwksUri})`));
      }
    } else checks.skip('jwks.document', 'the metadata has no usable jwks_uri');
  } else {
    // Scripts filter on check ids: every one is reported, as a skip when there was nothing to judge.
    const judged = new Set(checks.results.map((check) => check.id));
    for (const { id } of DISCOVERY_CHECKS) if (!judged.has(id)) checks.skip(id, 'no metadata document to judge');
    checks.skip('jwks.document', 'no metadata, so no jwks_uri');
  }
  data.keys = keysJson(rows);
  return { command: 'discover', checks: checks.results, data, sections };
}
