import type { CheckRecorder } from '../../checks/recorder.js';
import { accessTokenOf, describeAnswer, freshCode, issuedTokens, judgeRefused, redeem, type Probe, type ProbeEnv } from './types.js';

/** RFC 6749 §4.1.2: "If an authorization code is used more than once, the authorization server MUST deny the request." */
export const codeReuse: Probe = {
  ids: ['probe.code_reuse', 'probe.code_reuse_revokes'],
  name: 'code reuse',
  needs: 'user',
  async run(env, c) {
    const got = await freshCode(env, c, this.ids);
    if (!got) return;
    const redemption = { code: got.code, redirect_uri: got.outcome.redirect_uri, code_verifier: got.outcome.code_verifier };
    const first = await redeem(env, redemption);
    if (!issuedTokens(first)) {
      for (const id of this.ids) c.skip(id, `the first redemption already failed (${describeAnswer(first)}): nothing to replay`);
      return;
    }
    const token = accessTokenOf(first)!;
    const worksBefore = await acceptedByUserinfo(env, token);
    const replay = await redeem(env, redemption);
    judgeRefused('probe.code_reuse', replay, 'the same code redeemed a second time', 'invalid_grant', c);
    if (issuedTokens(replay)) return void c.skip('probe.code_reuse_revokes', 'the replay was accepted (probe.code_reuse): there is no refusal to revoke on');
    await judgeRevoked(env, token, worksBefore, c);
  },
};

/**
 * RFC 6749 §4.1.2 continues: the server "SHOULD revoke (when possible) all tokens previously issued
 * based on that authorization code". Userinfo tells, if it accepted the token before the replay.
 */
async function judgeRevoked(env: ProbeEnv, token: string, worksBefore: boolean | undefined, c: CheckRecorder): Promise<void> {
  if (worksBefore === undefined) return void c.skip('probe.code_reuse_revokes', 'discovery lists no userinfo_endpoint to try the first access token at');
  if (!worksBefore) return void c.skip('probe.code_reuse_revokes', 'userinfo refused the first access token even before the replay (another audience?): nothing to compare');
  if (await acceptedByUserinfo(env, token)) c.violation('probe.code_reuse_revokes', 'after the refused replay, the access token issued from the first redemption still works at userinfo');
  else c.pass('probe.code_reuse_revokes', 'after the refused replay, userinfo refuses the access token issued from the first redemption');
}

/** undefined when there is no userinfo endpoint to ask. */
async function acceptedByUserinfo(env: ProbeEnv, token: string): Promise<boolean | undefined> {
  if (!env.userinfo_endpoint) return undefined;
  const response = await env.http.request({ url: env.userinfo_endpoint, headers: { accept: 'application/json', authorization: `Bearer ${token}` } });
  return response.status === 200;
}
