import { CheckRecorder } from '../checks/recorder.js';
import type { CheckResult } from '../checks/types.js';
import { redact } from '../util/redact.js';
import { DEVICE_CODE_GRANT, judgeDeviceAuthorization, pollForTokens, requestDeviceAuthorization, type DeviceAuthorization } from './device.js';
import { requiredMember } from './discovery.js';
import { endpointProblem } from './metadata-trust.js';
import type { Browser } from './ports.js';
import { bindingContext, type IssuerSession } from './session.js';
import { judgeTokenResponse, type TokenSet } from './token-endpoint.js';
import { judgeAccessToken, judgeIdToken, type JudgedToken } from './token-judge.js';
import { judgeCertificateBinding } from './mtls.js';

/**
 * `login --device` (RFC 8628), for a machine without a browser: the device authorization request, the
 * user code shown, the token endpoint polled, then the tokens judged like a browser login's
 * (core/token-judge.ts). Caching is the caller's (store/cache-policy.ts).
 */
export interface DeviceLoginSettings {
  scope: string;
  resource?: readonly string[] | undefined;
  audience?: string | undefined;
  /** Epoch milliseconds: polling stops here (--timeout) or at the code's expiry, whichever is first. */
  timeoutSeconds: number;
  /** --insecure, for the verification page handed to a browser command. */
  insecure: boolean;
}

export interface DeviceLoginDeps {
  /** A browser command to open the verification page (a person types the code elsewhere otherwise). */
  browser: Browser | undefined;
  signal: AbortSignal;
}

export interface DeviceLoginResult {
  authorization: DeviceAuthorization | undefined;
  polls: number;
  slowDowns: number;
  tokens: TokenSet | undefined;
  idToken: JudgedToken | undefined;
  accessToken: JudgedToken | undefined;
  checks: CheckResult[];
}

export async function runDeviceLogin(session: IssuerSession, settings: DeviceLoginSettings, deps: DeviceLoginDeps): Promise<DeviceLoginResult> {
  const started = Date.now();
  const { http, ui, client } = session;
  // Before the user is asked to approve anything: without keys the tokens could not be judged.
  requiredMember(session.issuer, session.metadata, 'jwks_uri');
  const c = new CheckRecorder();
  const result: DeviceLoginResult = { authorization: undefined, polls: 0, slowDowns: 0, tokens: undefined, idToken: undefined, accessToken: undefined, checks: c.results };
  const params: Array<[string, string]> = [['scope', settings.scope]];
  for (const resource of settings.resource ?? []) params.push(['resource', resource]);
  if (settings.audience) params.push(['audience', settings.audience]);

  ui.step('Device authorization request (RFC 8628 §3.1)');
  ui.explain('The device asks for a code pair: one it keeps (device_code), one the user types elsewhere (user_code).');
  const response = await requestDeviceAuthorization(http, session.endpoint('device_authorization_endpoint'), client, params, session.issuer);
  const authorization = judgeDeviceAuthorization(response, c);
  result.authorization = authorization;
  if (!authorization) return result;
  http.addToken(authorization.device_code);

  // The prompt is the point of this mode: shown even under --json (on stderr, never stdout).
  ui.prompt(`To sign in, open ${authorization.verification_uri} and enter the code ${authorization.user_code}`);
  if (authorization.verification_uri_complete) ui.prompt(`  or open: ${authorization.verification_uri_complete}`);
  // The browser is handed only what is safe to open: device.verification_uri_https judges, this acts.
  const page = authorization.verification_uri_complete ?? authorization.verification_uri;
  const unsafe = endpointProblem(page, settings.insecure);
  if (deps.browser && unsafe) ui.warn(`not opening ${JSON.stringify(page)} with --browser-command: it ${unsafe}`);
  const browser = deps.browser && !unsafe ? await deps.browser.open(page) : undefined;

  const deadline = started + 1000 * Math.min(authorization.expires_in, settings.timeoutSeconds);
  ui.step(`Polling the token endpoint every ${authorization.interval} s (RFC 8628 §3.4)`);
  ui.detail(`each poll sends grant_type=${DEVICE_CODE_GRANT} device_code=${redact(authorization.device_code, session.showTokens)} and the client authentication (${client.method})`);
  ui.explain('The device_code is a credential: whoever holds it gets the tokens once the user approves.');
  let polled: Awaited<ReturnType<typeof pollForTokens>>;
  const stopSpinner = await ui.spinner(`Waiting for the code ${authorization.user_code} to be entered and approved…`);
  try {
    polled = await pollForTokens(http, {
      token_endpoint: session.endpoint('token_endpoint'),
      client,
      device_code: authorization.device_code,
      interval: authorization.interval,
      deadline,
      signal: deps.signal,
      onPoll: (attempt, error, interval) => ui.detail(`poll ${attempt}: ${error ?? 'tokens issued'}${error === 'slow_down' ? ` (next polls every ${interval + 5} s)` : ''}`),
    }, c);
  } finally {
    stopSpinner();
    browser?.stop();
  }
  result.polls = polled.polls;
  result.slowDowns = polled.slowDowns;
  const openid = settings.scope.split(' ').includes('openid');
  const { tokens } = judgeTokenResponse(polled.exchange.response, { openid, basicAuth: client.method === 'client_secret_basic' }, c);
  result.tokens = tokens;
  if (!tokens) return result;

  http.addToken(tokens.access_token);
  if (tokens.refresh_token) http.addToken(tokens.refresh_token);
  // RFC 8705 §3: polled over mTLS, the tokens may be bound to the certificate.
  if (client.certificate) await judgeCertificateBinding(tokens, client.certificate, bindingContext(session), c);
  if (tokens.id_token) {
    result.idToken = await judgeIdToken(tokens.id_token, session.tokens, { accessToken: tokens.access_token, serverDate: tokens.date });
    c.merge(result.idToken.checks);
  }
  result.accessToken = await judgeAccessToken(tokens.access_token, session.tokens, { audience: settings.audience ?? settings.resource?.[0], serverDate: tokens.date });
  if (result.accessToken) c.merge(result.accessToken.checks);
  return result;
}
