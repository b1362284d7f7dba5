import { requestToken } from '../token-endpoint.js';
import { judgeRefused, type Probe } from './types.js';

/**
 * RFC 6749 §5.2: an invalid, expired or revoked refresh token is `invalid_grant`. IdPs that answer
 * invalid_request or a 5xx make clients retry or give up instead of starting a new sign-in.
 */
export const refreshUnknown: Probe = {
  ids: ['probe.refresh_unknown'],
  name: 'unknown refresh token',
  // Not with client credentials alone: such a client is usually not allowed the refresh_token grant
  // at all, and unauthorized_client would be the right answer, not a quirk.
  needs: 'user',
  async run(env, c) {
    const grants = env.grant_types_supported;
    if (grants && !grants.includes('refresh_token')) return void c.skip('probe.refresh_unknown', 'grant_types_supported does not list refresh_token');
    const refresh_token = `oidc-cli-probe-${Date.now().toString(36)}-unknown-refresh-token`;
    const exchange = await requestToken(env.http, { token_endpoint: env.token_endpoint, params: [['grant_type', 'refresh_token'], ['refresh_token', refresh_token]], client: env.client });
    judgeRefused('probe.refresh_unknown', exchange.response, 'a refresh token the IdP never issued', 'invalid_grant', c);
  },
};
