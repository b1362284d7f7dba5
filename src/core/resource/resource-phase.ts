import { CheckRecorder } from '../../checks/recorder.js';
import type { CheckResult } from '../../checks/types.js';
import type { HttpClient } from '../../http/types.js';
import type { Ui } from '../ports.js';
import { auditResource, type ResourceAudit } from './protected-resource.js';
import { judgeAuthorizationServerPkce, judgeClientRegistration } from './resource-checks.js';

/**
 * A grant for a protected resource, as an MCP client gets one (`check --resource`, `login
 * --resource-from-prm`; docs/api.md). The resource's audit (resource.*) comes first; it decides the
 * RFC 8707 resource and, when none was chosen, the scope to ask for; and an authorization server without
 * PKCE S256 ends the user flow there, as an MCP client must.
 */
/** What the command was told about the resource. */
export interface ResourceSettings {
  url: string;
  /** The audit, when the command already made it (to find the issuer). */
  audit?: ResourceAudit | undefined;
  /** No scope was chosen: the one the resource asks for is requested. */
  scopeFromResource: boolean;
  /** check --expired-token: an access token for this resource whose exp has passed, for resource.reject_expired. */
  expiredToken?: string | undefined;
  /** check --other-resource: another API of the same IdP, whose token this one must refuse (resource.reject_other_audience). */
  otherResource?: string | undefined;
}

export interface ResourcePhase {
  /** The URL asked about. */
  url: string;
  /** The RFC 8707 resource to ask a token for: the metadata's own identifier when it is this resource's. */
  indicator: string;
  checks: CheckResult[];
  /** The scope to request: the resource's (its challenge's, else its scopes_supported), with openid for an OpenID Provider; undefined when the user chose one or the resource names none. */
  scope(idpMetadata: Record<string, unknown> | undefined): string | undefined;
}

export async function resourcePhase(input: ResourceSettings, settings: { issuer: string; insecure?: boolean | undefined }, deps: { http: HttpClient; ui: Ui; signal: AbortSignal }): Promise<ResourcePhase> {
  const audit: ResourceAudit = input.audit ?? (await auditResource(deps.http, input.url, { ui: deps.ui, signal: deps.signal, insecure: settings.insecure === true }));
  if (audit.authorizationServers.length && !audit.authorizationServers.includes(settings.issuer)) {
    deps.ui.warn(`the resource names ${audit.authorizationServers.join(', ')} as its authorization servers, not ${settings.issuer}: it may refuse that issuer's tokens`);
  }
  const matched = audit.checks.some((check) => check.id === 'resource.resource_match' && check.status !== 'fail');
  const named = audit.metadata?.resource;
  // Another resource's identifier is never asked for (RFC 9728 §7.3): the URL as given is.
  const indicator = matched && typeof named === 'string' ? named : input.url;
  const asked = audit.challenge?.params.scope ?? scopesOf(audit.metadata?.scopes_supported);
  return {
    url: input.url,
    indicator,
    checks: [...audit.checks],
    scope(idpMetadata) {
      if (!input.scopeFromResource || !asked) return undefined;
      const openid = Array.isArray(idpMetadata?.scopes_supported) && idpMetadata.scopes_supported.includes('openid') && !asked.split(' ').includes('openid');
      return openid ? `openid ${asked}` : asked;
    },
  };
}

/** resource.authorization_server_pkce and resource.client_registration into the phase's checks; the reason to stop the user flow when PKCE S256 is missing. */
export function resourcePkce(phase: ResourcePhase, issuer: string, metadata: Record<string, unknown>, client_id?: string): string | undefined {
  const c = new CheckRecorder();
  judgeAuthorizationServerPkce(issuer, metadata, c);
  judgeClientRegistration(issuer, metadata, client_id, c);
  phase.checks.push(...c.results);
  return c.results.some((check) => check.id === 'resource.authorization_server_pkce' && check.status === 'fail') ? `${issuer} does not advertise PKCE S256: an MCP client must not go on (resource.authorization_server_pkce)` : undefined;
}

function scopesOf(value: unknown): string | undefined {
  return Array.isArray(value) && value.length > 0 && value.every((s) => typeof s === 'string') ? value.join(' ') : undefined;
}
