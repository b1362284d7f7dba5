import { judgeCertificateBinding } from './mtls.js';
import { bindingContext } from './session.js';
import { CheckRecorder } from '../checks/recorder.js';
import type { CheckResult } from '../checks/types.js';
import type { IssuerSession } from './session.js';
import { describeForm, judgeTokenResponse, requestToken, type TokenSet } from './token-endpoint.js';
import { judgeAccessToken, type JudgedToken } from './token-judge.js';

/**
 * The client credentials grant (RFC 6749 §4.4) as `token --grant client_credentials` and `check` (without
 * a user flow) both run it: the token response judged, no refresh token expected (§4.4.3), and a JWT
 * access token judged by RFC 9068 against the API it was asked for.
 */
export interface ClientCredentialsInput {
  scope?: string | undefined;
  /** RFC 8707 resource indicators. */
  resource?: readonly string[] | undefined;
  /** The audience parameter some IdPs take instead (Auth0). */
  audience?: string | undefined;
}

export interface ClientCredentialsResult {
  tokens: TokenSet | undefined;
  accessToken: JudgedToken | undefined;
  checks: CheckResult[];
}

export async function clientCredentialsTokens(session: IssuerSession, input: ClientCredentialsInput): Promise<ClientCredentialsResult> {
  const { http, ui, client } = session;
  const params: Array<[string, string]> = [['grant_type', 'client_credentials']];
  if (input.scope) params.push(['scope', input.scope]);
  for (const resource of input.resource ?? []) params.push(['resource', resource]);
  if (input.audience) params.push(['audience', input.audience]);

  ui.step(`Client credentials grant (RFC 6749 §4.4, ${client.method})`);
  ui.explain('A machine client authenticates as itself; there is no user, so no ID token and no refresh token.');
  const exchange = await requestToken(http, { token_endpoint: session.endpoint('token_endpoint'), params, client });
  for (const line of describeForm(exchange.form, session.showTokens)) ui.detail(`  ${line}`);
  ui.detail(`← HTTP ${exchange.response.status}`);
  const c = new CheckRecorder();
  const openid = (input.scope ?? '').split(' ').includes('openid');
  const { tokens } = judgeTokenResponse(exchange.response, { openid, basicAuth: client.method === 'client_secret_basic' }, c);
  if (!tokens) return { tokens, accessToken: undefined, checks: c.results };
  http.addToken(tokens.access_token);
  if (client.certificate) await judgeCertificateBinding(tokens, client.certificate, bindingContext(session), c);
  c.expect('client_credentials.refresh_token', tokens.refresh_token === undefined, 'no refresh token (RFC 6749 §4.4.3)', 'a refresh token was issued with client credentials');
  const accessToken = await judgeAccessToken(tokens.access_token, session.tokens, { audience: input.audience ?? input.resource?.[0], serverDate: tokens.date });
  if (accessToken) c.merge(accessToken.checks);
  return { tokens, accessToken, checks: c.results };
}
