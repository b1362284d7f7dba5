import type { JWK } from 'jose';
import type { CheckRecorder } from '../../checks/recorder.js';
import type { HttpClient } from '../../http/types.js';
import type { ClientCredentials } from '../client-auth.js';
import { fetchJwks } from '../jwks.js';
import { judgeAccessToken, keySource } from '../login-tokens.js';
import { judgeTokenResponse, requestToken, type TokenSet } from '../token-endpoint.js';

export interface ClientCredentialsInput {
  http: HttpClient;
  issuer: string;
  metadata: Record<string, unknown>;
  client: ClientCredentials;
  scope: string | undefined;
  clockSkew: number;
}

/**
 * RFC 6749 §4.4, for `check` without a user flow: the token response and a JWT access token judged by
 * the same functions as login's. No ID token and no refresh token are expected.
 */
export async function clientCredentialsGrant(input: ClientCredentialsInput, c: CheckRecorder): Promise<TokenSet | undefined> {
  const token_endpoint = input.metadata.token_endpoint as string;
  const params: Array<[string, string]> = [['grant_type', 'client_credentials']];
  if (input.scope) params.push(['scope', input.scope]);
  const exchange = await requestToken(input.http, { token_endpoint, params, client: input.client });
  const { tokens } = judgeTokenResponse(exchange.response, { openid: false, basicAuth: input.client.method === 'client_secret_basic' }, c);
  if (!tokens) return undefined;
  input.http.addSecret(tokens.access_token);
  c.expect('client_credentials.refresh_token', tokens.refresh_token === undefined, 'no refresh token (RFC 6749 §4.4.3)', 'a refresh token was issued with client credentials');
  const jwks_uri = input.metadata.jwks_uri;
  if (typeof jwks_uri === 'string') {
    const refetch = async (): Promise<JWK[]> => (await fetchJwks(input.http, jwks_uri)).jwks.keys;
    const judged = await judgeAccessToken(tokens, {
      issuer: input.issuer,
      client_id: input.client.client_id,
      client_secret: input.client.client_secret,
      nonce: undefined,
      max_age: undefined,
      apiAudience: undefined,
      advertisedAlgorithms: undefined,
      keys: keySource(await refetch(), jwks_uri, refetch),
      clockSkew: input.clockSkew,
    });
    if (judged) c.merge(judged.checks);
  }
  // No refresh token here: the lifecycle phase then judges introspection only.
  return { ...tokens, refresh_token: undefined };
}
