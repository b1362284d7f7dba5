import type { CheckRecorder } from '../../checks/recorder.js';
import type { HttpResponse } from '../../http/types.js';
import { randomValue } from '../pkce.js';
import { requestToken } from '../token-endpoint.js';
import { describeAnswer, freshCode, issuedTokens, oauthErrorOf, redeem, type Probe } from './types.js';

/**
 * RFC 6749 §2.3.1, §5.2: a wrong secret is refused with invalid_client. With a user flow the probe
 * redeems a fresh code (the realistic attack: a stolen code with a guessed secret); without one it asks
 * for client credentials.
 */
export const clientSecretWrong: Probe = {
  ids: ['probe.client_secret_wrong'],
  name: 'wrong client secret',
  needs: 'any',
  async run(env, c) {
    if (!env.client.client_secret || (env.client.method !== 'client_secret_basic' && env.client.method !== 'client_secret_post')) {
      return void c.skip('probe.client_secret_wrong', `the client authenticates with ${env.client.method}: no secret to get wrong`);
    }
    const wrong = { ...env.client, client_secret: randomValue(24) };
    if (env.front) {
      const got = await freshCode(env, c, this.ids);
      if (!got) return;
      const response = await redeem(env, { code: got.code, redirect_uri: got.outcome.redirect_uri, code_verifier: got.outcome.code_verifier, client: wrong });
      return judgeWrongSecret(response, `a valid code redeemed with a wrong secret (${env.client.method})`, c);
    }
    const params: Array<[string, string]> = [['grant_type', 'client_credentials']];
    if (env.scope) params.push(['scope', env.scope]);
    const exchange = await requestToken(env.http, { token_endpoint: env.token_endpoint, params, client: wrong });
    judgeWrongSecret(exchange.response, `client_credentials with a wrong secret (${env.client.method})`, c);
  },
};

function judgeWrongSecret(response: HttpResponse, what: string, c: CheckRecorder): void {
  if (issuedTokens(response)) c.violation('probe.client_secret_wrong', `${what}: accepted, ${describeAnswer(response)}`);
  else if (oauthErrorOf(response) === 'invalid_client') c.pass('probe.client_secret_wrong', `${what}: refused, ${describeAnswer(response)}`);
  else c.pass('probe.client_secret_wrong', `${what}: refused, ${describeAnswer(response)} (RFC 6749 §5.2 names invalid_client for this)`);
}
