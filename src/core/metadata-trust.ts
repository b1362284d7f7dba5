import type { CheckResult } from '../checks/types.js';
import { ReportedStop } from '../errors.js';
import { isLoopback } from '../http/loopback.js';

/** Quoted as JSON: a value from the document may hold a newline or a control character. */
const quote = (value: unknown) => JSON.stringify(value) ?? String(value);

/**
 * Whether a flow may act on a discovery document at all (pure). The audit (discovery-audit.ts) says
 * what is wrong with a document; this says when it is too wrong to use: a login must not open a
 * browser on, or send a secret to, what a document names if the document itself cannot be trusted.
 *
 * - OIDC Discovery §4.3: the issuer in the document must be identical to the one asked for, or the
 *   document MUST NOT be used (the mix-up defence: another issuer's metadata, or an attacker's).
 * - An endpoint that receives the user (authorization_endpoint, through the browser) or a credential
 *   (token_endpoint, device_authorization_endpoint...) must be https; plain http only on loopback
 *   (development IdPs), or anywhere with --insecure. The HTTP client refuses such a request too, but
 *   the browser is not the HTTP client.
 *
 * Returns the reason to stop, in one line, or undefined when the flow may go on.
 */
export function metadataRefusal(expectedIssuer: string, metadata: Record<string, unknown>, endpoints: readonly string[], insecure: boolean): string | undefined {
  if (metadata.issuer !== expectedIssuer) {
    return `the discovery document names the issuer ${quote(metadata.issuer)}, not ${quote(expectedIssuer)}: it is not used (OIDC Discovery §4.3)`;
  }
  for (const name of endpoints) {
    const value = metadata[name];
    if (value === undefined) continue;
    const problem = endpointProblem(value, insecure);
    if (problem) return `${name} ${quote(value)} ${problem}: not used`;
  }
  return undefined;
}

/** Why a URL from the IdP may not be opened or called (https; http on loopback or with --insecure), or undefined. */
export function endpointProblem(value: unknown, insecure: boolean): string | undefined {
  if (typeof value !== 'string') return 'is not a URL';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not a URL';
  }
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && (insecure || isLoopback(url.hostname))) return undefined;
  return url.protocol === 'http:' ? 'is plain http to a host that is not loopback (--insecure allows it for a throwaway setup)' : `uses ${url.protocol.slice(0, -1)}, not https`;
}

/**
 * The stop of a run on a document it must not use: the failed and warned discovery checks are the
 * report (exit 1), and nothing the document names was contacted. `data` adds who was asking.
 */
export function untrustedStop(issuer: string, reason: string, discoveryChecks: readonly CheckResult[], data: Record<string, unknown> = {}): ReportedStop {
  return new ReportedStop(reason, {
    checks: discoveryChecks.filter((check) => check.status === 'fail' || check.status === 'warn'),
    data: { issuer, ...data, stopped_at: reason },
    sections: [{ title: 'Stopped at discovery', kind: 'text', text: `${reason}. Nothing was fetched from or sent to what it names; run oidc-cli discover --issuer ${issuer} for the full audit.` }],
  });
}

/** Throws untrustedStop when a document names another issuer (OIDC Discovery §4.3): for commands that only read what it names (keys). */
export function assertSameIssuer(issuer: string, discovery: { metadata: Record<string, unknown>; checks: readonly CheckResult[] }): void {
  const refused = metadataRefusal(issuer, discovery.metadata, [], true);
  if (refused) throw untrustedStop(issuer, refused, discovery.checks);
}
