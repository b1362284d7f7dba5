import { describeAnswer, freshCode, issuedTokens, judgeRefused, redeem, type Probe } from './types.js';

/** RFC 6749 §4.1.2: "If an authorization code is used more than once, the authorization server MUST deny the request." */
export const codeReuse: Probe = {
  ids: ['probe.code_reuse'],
  name: 'code reuse',
  needs: 'user',
  async run(env, c) {
    const got = await freshCode(env, c, this.ids);
    if (!got) return;
    const redemption = { code: got.code, redirect_uri: got.outcome.redirect_uri, code_verifier: got.outcome.code_verifier };
    const first = await redeem(env, redemption);
    if (!issuedTokens(first)) return void c.skip('probe.code_reuse', `the first redemption already failed (${describeAnswer(first)}): nothing to replay`);
    judgeRefused('probe.code_reuse', await redeem(env, redemption), 'the same code redeemed a second time', 'invalid_grant', c);
  },
};
