import { CheckRecorder } from '../checks/recorder.js';
import { DEVICE_CODE_GRANT, judgeDeviceAuthorization, pollForTokens, requestDeviceAuthorization } from '../core/device.js';
import { judgeAccessToken, judgeIdToken, keySource } from '../core/login-tokens.js';
import { fetchJwks } from '../core/jwks.js';
import { requiredMember } from '../core/discovery.js';
import { judgeTokenResponse } from '../core/token-endpoint.js';
import type { Report, Section } from '../report/model.js';
import { redact } from '../util/redact.js';
import type { TokenEntry } from '../store/cache.js';
import { cacheReportData } from '../store/cache-policy.js';
import { endpointProblem } from '../core/metadata-trust.js';
import { openBrowser } from '../ui/browser.js';
import type { Context } from './context.js';
import { openSession } from './lifecycle-session.js';
import type { LoginOptions } from './login.js';

const DEFAULT_SCOPE = 'openid profile email';
const DEFAULT_TIMEOUT_SECONDS = 300;

/**
 * `login --device` (RFC 8628): for a machine without a browser. Shows the user code and where to enter
 * it, polls the token endpoint, then judges and caches the tokens like a browser login.
 */
export async function runDeviceLogin(options: LoginOptions, context: Context): Promise<Report> {
  const started = Date.now();
  const session = await openSession(options, context, { useCache: false });
  const { client, credentials, http, metadata } = session;
  // Before the user is asked to approve anything: without keys the tokens could not be judged.
  const jwksUri = requiredMember(client.issuer, metadata, 'jwks_uri');
  const scope = client.scope ?? DEFAULT_SCOPE;
  const c = new CheckRecorder();
  const params: Array<[string, string]> = [['scope', scope]];
  for (const resource of options.resource ?? []) params.push(['resource', resource]);
  if (options.audience) params.push(['audience', options.audience]);

  context.ui.step('Device authorization request (RFC 8628 §3.1)');
  context.ui.explain('The device asks for a code pair: one it keeps (device_code), one the user types elsewhere (user_code).');
  const endpoint = session.endpoint('device_authorization_endpoint');
  const response = await requestDeviceAuthorization(http, endpoint, credentials, params, client.issuer);
  const authorization = judgeDeviceAuthorization(response, c);
  if (!authorization) return { command: 'login', checks: c.results, data: { issuer: client.issuer, client_id: client.client_id, mode: 'device' }, sections: [] };
  http.addSecret(authorization.device_code);

  // The prompt is the point of this mode: shown even under --json (on stderr, never stdout).
  const say = (line: string) => context.ui.prompt(line);
  say(`To sign in, open ${authorization.verification_uri} and enter the code ${authorization.user_code}`);
  if (authorization.verification_uri_complete) say(`  or open: ${authorization.verification_uri_complete}`);
  // The browser is handed only what is safe to open: device.verification_uri_https judges, this acts.
  const page = authorization.verification_uri_complete ?? authorization.verification_uri;
  const unsafe = endpointProblem(page, context.globals.insecure);
  if (options.browserCommand && unsafe) context.ui.warn(`not opening ${JSON.stringify(page)} with --browser-command: it ${unsafe}`);
  const browser = options.browserCommand && !unsafe ? await openBrowser(page, { noBrowser: false, command: options.browserCommand, print: say }) : undefined;

  const timeout = context.globals.timeout ?? DEFAULT_TIMEOUT_SECONDS;
  const deadline = started + 1000 * Math.min(authorization.expires_in, timeout);
  context.ui.step(`Polling the token endpoint every ${authorization.interval} s (RFC 8628 §3.4)`);
  context.ui.detail(`each poll sends grant_type=${DEVICE_CODE_GRANT} device_code=${redact(authorization.device_code, context.globals.showTokens)} and the client authentication (${credentials.method})`);
  context.ui.explain('The device_code is a credential: whoever holds it gets the tokens once the user approves.');
  let result: Awaited<ReturnType<typeof pollForTokens>>;
  try {
    result = await pollForTokens(http, {
      token_endpoint: session.endpoint('token_endpoint'),
      client: credentials,
      device_code: authorization.device_code,
      interval: authorization.interval,
      deadline,
      signal: context.signal,
      onPoll: (attempt, error, interval) => context.ui.detail(`poll ${attempt}: ${error ?? 'tokens issued'}${error === 'slow_down' ? ` (next polls every ${interval + 5} s)` : ''}`),
    }, c);
  } finally {
    browser?.stop();
  }
  const openid = scope.split(' ').includes('openid');
  const { tokens } = judgeTokenResponse(result.exchange.response, { openid, basicAuth: credentials.method === 'client_secret_basic' }, c);
  const data: Record<string, unknown> = {
    issuer: client.issuer,
    client_id: client.client_id,
    mode: 'device',
    device_authorization: { user_code: authorization.user_code, verification_uri: authorization.verification_uri, verification_uri_complete: authorization.verification_uri_complete ?? null, expires_in: authorization.expires_in, interval: authorization.interval },
    polls: result.polls,
    slow_downs: result.slowDowns,
  };
  const sections: Section[] = [
    {
      title: 'Device authorization',
      kind: 'fields',
      fields: [
        ['verification_uri', authorization.verification_uri],
        ['user_code', authorization.user_code],
        ['polls', `${result.polls}${result.slowDowns ? ` (${result.slowDowns} slow_down)` : ''}, every ${authorization.interval} s`],
      ],
    },
  ];
  if (!tokens) return { command: 'login', checks: c.results, data, sections };

  http.addSecret(tokens.access_token);
  const keys = await fetchJwks(http, jwksUri);
  const algs = metadata.id_token_signing_alg_values_supported;
  const tokenContext = {
    issuer: client.issuer,
    client_id: client.client_id,
    client_secret: client.client_secret,
    nonce: undefined,
    max_age: undefined,
    apiAudience: options.audience ?? options.resource?.[0],
    advertisedAlgorithms: Array.isArray(algs) ? algs.filter((a): a is string => typeof a === 'string') : undefined,
    keys: keySource(keys.jwks.keys, jwksUri, async () => (await fetchJwks(http, jwksUri)).jwks.keys),
    clockSkew: session.clockSkew,
  };
  let claims: Record<string, unknown> | undefined;
  if (tokens.id_token) {
    const idToken = await judgeIdToken(tokens, tokenContext);
    c.merge(idToken.checks);
    claims = idToken.payload;
  }
  const access = await judgeAccessToken(tokens, tokenContext);
  if (access) c.merge(access.checks);

  const show = context.globals.showTokens;
  data.tokens = { access_token: redact(tokens.access_token, show), refresh_token: tokens.refresh_token ? redact(tokens.refresh_token, show) : null, id_token: tokens.id_token ? redact(tokens.id_token, show) : null, token_type: tokens.token_type ?? null, expires_in: tokens.expires_in ?? null, scope: tokens.scope ?? null };
  if (claims) {
    data.id_token_claims = claims;
    sections.push({ title: 'ID token claims', kind: 'json', value: claims });
  }
  // As for a browser login: cached with its verdict (store/cache-policy.ts).
  const now = Math.floor(Date.now() / 1000);
  const entry: TokenEntry = { issuer: client.issuer, client_id: client.client_id, access_token: tokens.access_token, obtained_at: now, scope: tokens.scope ?? scope };
  if (tokens.refresh_token) entry.refresh_token = tokens.refresh_token;
  if (tokens.id_token) entry.id_token = tokens.id_token;
  if (tokens.token_type) entry.token_type = tokens.token_type;
  if (tokens.expires_in !== undefined) entry.expires_at = now + tokens.expires_in;
  data.cache = cacheReportData(await session.cacheResponse(entry, c.results, c));
  return { command: 'login', checks: c.results, data, sections };
}
