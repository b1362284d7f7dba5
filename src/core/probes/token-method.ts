import type { HttpResponse } from '../../http/types.js';
import { applyClientAuth } from '../client-auth.js';
import { describeAnswer, freshCode, issuedTokens, type Probe, type ProbeEnv } from './types.js';

/**
 * RFC 6749 §3.2: "The client MUST use the HTTP POST method when making access token requests." An IdP
 * that also answers GET invites codes and credentials into URLs, server logs and proxies.
 */
export const tokenGet: Probe = {
  ids: ['probe.token_get'],
  name: 'token request by GET',
  needs: 'any',
  async run(env, c) {
    let params: Array<[string, string]>;
    if (env.front) {
      const got = await freshCode(env, c, this.ids);
      if (!got) return;
      params = [['grant_type', 'authorization_code'], ['code', got.code], ['redirect_uri', got.outcome.redirect_uri]];
      if (got.outcome.code_verifier) params.push(['code_verifier', got.outcome.code_verifier]);
    } else if (env.client.method !== 'none') {
      params = [['grant_type', 'client_credentials']];
      if (env.scope) params.push(['scope', env.scope]);
    } else {
      return void c.skip('probe.token_get', 'no user flow and no client secret: nothing to request');
    }
    const response = await getToken(env, params);
    if (issuedTokens(response)) c.violation('probe.token_get', `GET ${env.token_endpoint}?grant_type=${params[0]![1]}&… was answered ${describeAnswer(response)}`);
    else c.pass('probe.token_get', `GET refused: ${describeAnswer(response)}`);
  },
};

async function getToken(env: ProbeEnv, params: Array<[string, string]>): Promise<HttpResponse> {
  const query = new URLSearchParams(params);
  // A secret never goes into the URL, even for a probe: client_secret_post is sent as Basic here.
  const client = env.client.method === 'client_secret_post' ? { ...env.client, method: 'client_secret_basic' as const } : env.client;
  const auth = await applyClientAuth(client, query, env.token_endpoint);
  // The code, code_verifier or refresh_token in the query are registered by name (http/mask.ts secretsSent);
  // grant_type and the like are not secrets, and masking them would hide them in every report.
  const url = new URL(env.token_endpoint);
  for (const [name, value] of query) url.searchParams.append(name, value);
  return env.http.request({ url: url.toString(), method: 'GET', headers: { ...auth.headers, accept: 'application/json' }, secrets: auth.secrets });
}
