import { readClaims } from '../jwt/parse.js';
import { askResource } from '../resource/protected-resource.js';
import { accessTokenOf, describeAnswer, freshCode, issuedTokens, redeem, type Probe } from './types.js';

/**
 * The confused deputy (RFC 8707 §2, RFC 9068 §4, MCP "Token Audience Binding"): a token this IdP issued
 * for another API (--other-resource) must be refused by the API under test (--resource). It is asked for
 * like any token of that other API — resource= on the authorization and the token request — so only its
 * audience is wrong.
 */
export const otherAudience: Probe = {
  ids: ['resource.reject_other_audience'],
  name: 'a token for another resource',
  needs: 'user',
  async run(env, c) {
    const target = env.resource;
    if (!target?.other) return void c.skip('resource.reject_other_audience', 'no other API named: --other-resource URI (another resource of this IdP) lets check ask for a token that is not for this one');
    const resource: Array<[string, string]> = [['resource', target.other]];
    // The login's scope (what the API under test asks for): a refusal must be about the audience alone.
    const got = await freshCode(env, c, this.ids, { extra: [...resource, ['scope', target.scope]] });
    if (!got) return;
    const answer = await redeem(env, { code: got.code, redirect_uri: got.outcome.redirect_uri, code_verifier: got.outcome.code_verifier, extra: resource });
    if (!issuedTokens(answer)) return void c.skip('resource.reject_other_audience', `no token for ${target.other}: ${describeAnswer(answer)}`);
    const token = accessTokenOf(answer)!;
    const aud = [readClaims(token)?.aud ?? []].flat();
    // A token that names this API too would rightly be taken: it says nothing about the audience check.
    if (aud.includes(target.indicator) || aud.includes(target.url)) return void c.skip('resource.reject_other_audience', `the token asked for ${target.other} names ${target.indicator} in its aud as well`);
    const { method, response } = await askResource(env.http, target.url, { authorization: `Bearer ${token}` }, { tokens: [token] });
    if (/insufficient_scope/.test(response.headers['www-authenticate'] ?? '')) {
      return void c.skip('resource.reject_other_audience', `${method} with a token issued for ${target.other}: refused for its scope (insufficient_scope), which says nothing of its audience`);
    }
    const refused = response.status === 401 || response.status === 403;
    c.expect('resource.reject_other_audience', refused, `${method} with a token issued for ${target.other}: refused, HTTP ${response.status}`, `${method} with a token issued for ${target.other}: accepted, HTTP ${response.status} — the resource does not check that a token was issued for it`);
  },
};
