import type { CheckRecorder, WarnableCheckId } from '../../checks/recorder.js';
import type { HttpResponse } from '../../http/types.js';
import { bearerChallenge } from '../../http/www-authenticate.js';
import { bodyOf, describeAnswer, freshCode, redeem, type Probe, type ProbeEnv } from './types.js';

/**
 * RFC 6750 §3: a protected resource (userinfo is one, OIDC Core §5.3.3) answers a request without
 * valid credentials with 401 and a `WWW-Authenticate: Bearer` challenge; for a token it could not
 * accept, with `error="invalid_token"` (§3.1). A client learns from the challenge what to do next.
 */
export const userinfoChallenges: Probe = {
  ids: ['probe.userinfo_no_token', 'probe.userinfo_bad_token'],
  name: 'userinfo challenges',
  needs: 'any',
  async run(env, c) {
    const endpoint = env.userinfo_endpoint;
    if (!endpoint) {
      for (const id of this.ids) c.skip(id, 'discovery lists no userinfo_endpoint');
      return;
    }
    judgeChallenge('probe.userinfo_no_token', await userinfo(env, endpoint, undefined), 'without a token', undefined, c);
    // A token of the right shape that this IdP never issued.
    const forged = `oidc-cli-probe-${Date.now().toString(36)}-not-a-real-token`;
    judgeChallenge('probe.userinfo_bad_token', await userinfo(env, endpoint, forged), 'with an invalid token', 'invalid_token', c);
  },
};

/**
 * RFC 6750 §2.3 allows `?access_token=` only where nothing else works, and §5.3 says not to: a token in
 * a URL lands in logs and histories. A real access token (from a code of its own) is sent in the query
 * only; userinfo should refuse it (a 401 as if no token came).
 */
export const userinfoQueryToken: Probe = {
  ids: ['probe.userinfo_query_token'],
  name: 'userinfo token in the query',
  needs: 'user',
  async run(env, c) {
    const endpoint = env.userinfo_endpoint;
    if (!endpoint) return void c.skip('probe.userinfo_query_token', 'discovery lists no userinfo_endpoint');
    const got = await freshCode(env, c, this.ids);
    if (!got) return;
    const response = await redeem(env, { code: got.code, redirect_uri: got.outcome.redirect_uri, code_verifier: got.outcome.code_verifier });
    const access_token = bodyOf(response)?.access_token;
    if (typeof access_token !== 'string') return void c.skip('probe.userinfo_query_token', `could not get an access token for the probe: ${describeAnswer(response)}`);
    const url = new URL(endpoint);
    url.searchParams.set('access_token', access_token);
    const answer = await env.http.request({ url: url.toString(), headers: { accept: 'application/json' }, tokens: [access_token] });
    if (answer.status >= 200 && answer.status < 300) c.violation('probe.userinfo_query_token', `an access token sent as ?access_token= was accepted (${describeAnswer(answer)})`);
    else c.pass('probe.userinfo_query_token', `an access token sent as ?access_token= was refused: HTTP ${answer.status}`);
  },
};

function userinfo(env: ProbeEnv, url: string, token: string | undefined): Promise<HttpResponse> {
  return env.http.request({ url, headers: { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) } });
}

export function judgeChallenge(id: WarnableCheckId, response: HttpResponse, what: string, expectedError: string | undefined, c: CheckRecorder): void {
  if (response.status >= 200 && response.status < 300) return void c.violation(id, `${what}: answered ${describeAnswer(response)}, not 401`);
  const header = response.headers['www-authenticate'];
  const { challenge, problem } = bearerChallenge(typeof header === 'string' ? header : undefined);
  if (response.status !== 401) return void c.warn(id, `${what}: refused with HTTP ${response.status}, not 401${challenge ? '' : ` (${problem})`}`);
  if (!challenge) return void c.warn(id, `${what}: HTTP 401, but ${problem}`);
  if (challenge.token68 !== undefined) return void c.warn(id, `${what}: HTTP 401, but the Bearer challenge carries a token68 instead of auth-params (RFC 6750 §3)`);
  const error = challenge.params.error;
  if (expectedError && error !== expectedError) return void c.warn(id, `${what}: HTTP 401 with a Bearer challenge, but error=${error === undefined ? '(none)' : JSON.stringify(error)}; expected "${expectedError}"`);
  c.pass(id, `${what}: HTTP 401, WWW-Authenticate: Bearer${error ? ` error="${error}"` : ''}`);
}
