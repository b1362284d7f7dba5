import { randomValue } from '../pkce.js';
import { describeOutcome, param } from '../front-channel.js';
import { describeAnswer, freshCode, issuedTokens, judgeRefused, redeem, type Probe } from './types.js';

/** RFC 7636 §4.6: the code was bound to a code_challenge; a token request without the verifier must fail. */
export const pkceMissing: Probe = {
  ids: ['probe.pkce_missing'],
  name: 'PKCE: no code_verifier',
  needs: 'user',
  async run(env, c) {
    const got = await freshCode(env, c, this.ids);
    if (!got) return;
    const response = await redeem(env, { code: got.code, redirect_uri: got.outcome.redirect_uri, code_verifier: undefined });
    judgeRefused('probe.pkce_missing', response, 'a code issued for an S256 code_challenge, redeemed without code_verifier', 'invalid_grant', c);
  },
};

export const pkceWrong: Probe = {
  ids: ['probe.pkce_wrong'],
  name: 'PKCE: wrong code_verifier',
  needs: 'user',
  async run(env, c) {
    const got = await freshCode(env, c, this.ids);
    if (!got) return;
    const response = await redeem(env, { code: got.code, redirect_uri: got.outcome.redirect_uri, code_verifier: randomValue(32) });
    judgeRefused('probe.pkce_wrong', response, 'redeemed with another, well-formed code_verifier', 'invalid_grant', c);
  },
};

/**
 * RFC 9700 §4.8.2 (downgrade): authorize without code_challenge, redeem with a code_verifier. The same
 * request tells whether PKCE is required at all (RFC 9700 §2.1.1).
 */
export const pkceDowngrade: Probe = {
  ids: ['probe.pkce_required', 'probe.pkce_downgrade'],
  name: 'PKCE: downgrade',
  needs: 'user',
  async run(env, c) {
    const outcome = await env.front!.authorize({ pkce: 'none' });
    const code = param(outcome, 'code');
    if (!code) {
      const what = `an authorization request without code_challenge got ${describeOutcome(outcome)}`;
      c.pass('probe.pkce_required', what);
      c.pass('probe.pkce_downgrade', `${what}: there is no code to downgrade`);
      return;
    }
    c.violation('probe.pkce_required', `an authorization request without code_challenge got a code (client authentication: ${env.client.method})`);
    const response = await redeem(env, { code, redirect_uri: outcome.redirect_uri, code_verifier: randomValue(32) });
    judgeRefused('probe.pkce_downgrade', response, 'a code issued without code_challenge, redeemed with a code_verifier', 'invalid_grant', c);
  },
};

/** RFC 9700 §2.1.1: plain must not be used; an IdP should refuse it rather than accept it. */
export const pkcePlain: Probe = {
  ids: ['probe.pkce_plain'],
  name: 'PKCE: plain',
  needs: 'user',
  async run(env, c) {
    const outcome = await env.front!.authorize({ pkce: 'plain' });
    const code = param(outcome, 'code');
    if (!code) return void c.pass('probe.pkce_plain', `code_challenge_method=plain got ${describeOutcome(outcome)}`);
    const response = await redeem(env, { code, redirect_uri: outcome.redirect_uri, code_verifier: outcome.code_verifier });
    if (issuedTokens(response)) c.violation('probe.pkce_plain', 'code_challenge_method=plain accepted: a code was issued and redeemed with code_verifier = code_challenge');
    else c.pass('probe.pkce_plain', `a code was issued for code_challenge_method=plain, but redeeming it failed (${describeAnswer(response)})`);
  },
};
