import type { HttpClient, HttpResponse } from '../http/types.js';
import { applyClientAuth, type ClientCredentials } from './client-auth.js';

/**
 * A form POST with client authentication, for the endpoints beside the token endpoint that take the
 * same client credentials: introspection (RFC 7662 §2.1), revocation (RFC 7009 §2.1) and device
 * authorization (RFC 8628 §3.1). `client` undefined sends no authentication at all (the probe).
 */
export async function postForm(
  http: HttpClient,
  endpoint: string,
  params: Array<[string, string]>,
  client: ClientCredentials | undefined,
  options: { assertionAudience?: string; tokens?: string[] } = {},
): Promise<HttpResponse> {
  const form = new URLSearchParams(params);
  const auth = client ? await applyClientAuth(client, form, options.assertionAudience ?? endpoint) : { headers: {}, secrets: [] };
  return http.request({
    url: endpoint,
    method: 'POST',
    headers: { ...auth.headers, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: form,
    secrets: auth.secrets,
    tokens: options.tokens ?? [],
  });
}

/** The body as a JSON object, or undefined (wrong type, not JSON): judging code reports what it got. */
export function jsonObject(response: HttpResponse): Record<string, unknown> | undefined {
  try {
    const body = response.json();
    return body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
