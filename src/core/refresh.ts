import type { HttpClient } from '../http/types.js';
import type { ClientCredentials } from './client-auth.js';
import { requestToken, type TokenExchange } from './token-endpoint.js';

export interface RefreshInput {
  token_endpoint: string;
  client: ClientCredentials;
  refresh_token: string;
  /** A narrower scope (RFC 6749 §6: may not exceed the original grant). */
  scope?: string;
}

/** RFC 6749 §6: grant_type=refresh_token at the token endpoint, with the client's authentication. */
export function refreshGrant(http: HttpClient, input: RefreshInput): Promise<TokenExchange> {
  const params: Array<[string, string]> = [
    ['grant_type', 'refresh_token'],
    ['refresh_token', input.refresh_token],
  ];
  if (input.scope) params.push(['scope', input.scope]);
  return requestToken(http, { token_endpoint: input.token_endpoint, params, client: input.client });
}

/** The error member of a token endpoint answer, for messages. */
export function oauthError(body: unknown): string | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const { error, error_description } = body as Record<string, unknown>;
  if (typeof error !== 'string') return undefined;
  return typeof error_description === 'string' ? `${error} ("${error_description}")` : error;
}
