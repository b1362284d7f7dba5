import { CheckRecorder } from '../../checks/recorder.js';
import type { CheckResult } from '../../checks/types.js';
import type { HttpClient } from '../../http/types.js';
import { auditIssuer, type IssuerAudit } from '../issuer-audit.js';
import type { Ui } from '../ports.js';
import { auditResource, type ResourceAudit } from './protected-resource.js';
import { judgeAuthorizationServerPkce, judgeClientRegistration } from './resource-checks.js';

/**
 * `discover --resource`: the resource's audit (challenge, RFC 9728 metadata), then the first
 * authorization server it names, audited as `discover --issuer` audits one (RFC 8414 path insertion or
 * the OIDC well-known URL), and whether it advertises PKCE S256 as MCP clients require.
 */
export interface ResourceDiscovery {
  resource: ResourceAudit;
  /** The authorization server audited, when the metadata names a usable one; `others` are listed, not audited. */
  server: { issuer: string; audit: IssuerAudit; others: string[] } | undefined;
  checks: CheckResult[];
}

export async function discoverResourceServer(http: HttpClient, url: string, deps: { ui: Ui; signal?: AbortSignal | undefined; insecure: boolean }): Promise<ResourceDiscovery> {
  const resource = await auditResource(http, url, deps);
  const c = new CheckRecorder();
  c.merge(resource.checks);
  const [first, ...others] = resource.authorizationServers;
  if (!first) {
    c.skip('resource.authorization_server_pkce', 'no usable authorization server in the metadata');
    return { resource, server: undefined, checks: c.results };
  }
  if (others.length) deps.ui.warn(`the metadata lists ${resource.authorizationServers.length} authorization servers: auditing the first, ${first} (run discover --issuer for the others)`);
  const audit = await auditIssuer(http, first, { ui: deps.ui, ...(deps.signal ? { signal: deps.signal } : {}) });
  judgeAuthorizationServerPkce(first, audit.discovery.metadata, c);
  judgeClientRegistration(first, audit.discovery.metadata, undefined, c);
  c.merge(audit.checks);
  return { resource, server: { issuer: first, audit, others }, checks: c.results };
}
