import { DISCOVERY_CHECKS } from '../checks/catalogue/discovery.js';
import { CheckRecorder } from '../checks/recorder.js';
import type { CheckResult } from '../checks/types.js';
import { CliError } from '../errors.js';
import type { HttpClient } from '../http/types.js';
import type { Ui } from './ports.js';
import { fetchDiscovery, type DiscoveryAttempt } from './discovery.js';
import { fetchJwksDocument, type JwksAttempt } from './jwks.js';

/**
 * `discover`'s audit of an issuer: the metadata (OIDC Discovery, RFC 8414 fallback) and the key set it
 * names, every check reported. A key set that cannot be fetched is a finding about the IdP (jwks.document),
 * not a reason to drop the report; with no document at all, each check id is still reported, as a skip.
 */
export interface IssuerAudit {
  discovery: DiscoveryAttempt;
  jwks: JwksAttempt | undefined;
  checks: CheckResult[];
}

export async function auditIssuer(http: HttpClient, issuer: string, deps: { ui: Ui; signal?: AbortSignal }): Promise<IssuerAudit> {
  const { ui } = deps;
  const options = deps.signal ? { signal: deps.signal } : {};
  ui.step(`Discovery for ${issuer}`);
  const discovery = await fetchDiscovery(http, issuer, options);
  ui.detail(`${discovery.url} → ${discovery.response.status} (${discovery.response.elapsedMs} ms)`);
  ui.explain('The metadata tells clients where to send users and tokens; a wrong issuer or endpoint here misroutes every login.');
  const c = new CheckRecorder();
  c.merge(discovery.checks);
  const { metadata } = discovery;
  if (!metadata) {
    // Scripts filter on check ids: every one is reported, as a skip when there was nothing to judge.
    const judged = new Set(c.results.map((check) => check.id));
    for (const { id } of DISCOVERY_CHECKS) if (!judged.has(id)) c.skip(id, 'no metadata document to judge');
    c.skip('jwks.document', 'no metadata, so no jwks_uri');
    return { discovery, jwks: undefined, checks: c.results };
  }
  const jwksUri = metadata.jwks_uri;
  if (typeof jwksUri !== 'string' || !URL.canParse(jwksUri)) {
    c.skip('jwks.document', 'the metadata has no usable jwks_uri');
    return { discovery, jwks: undefined, checks: c.results };
  }
  ui.step(`JWKS ${jwksUri}`);
  try {
    const jwks = await fetchJwksDocument(http, jwksUri, options);
    ui.detail(`${jwksUri} → ${jwks.response.status} (${jwks.response.elapsedMs} ms)`);
    c.merge(jwks.checks);
    return { discovery, jwks, checks: c.results };
  } catch (error) {
    // A key set that cannot be had is a finding; one that makes the run outlive its --timeout means the
    // run could not complete (exit 3, PRODUCT.md).
    if (!(error instanceof CliError) || !['NETWORK', 'TLS', 'PROTOCOL'].includes(error.code)) throw error;
    c.violation('jwks.document', `${jwksUri}: ${error.message}`, error.hint ? { hint: error.hint } : {});
    return { discovery, jwks: undefined, checks: c.results };
  }
}
