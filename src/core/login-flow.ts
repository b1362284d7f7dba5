import type { JWK } from 'jose';
import { CheckRecorder } from '../checks/recorder.js';
import type { CheckResult } from '../checks/types.js';
import { CliError } from '../errors.js';
import type { HttpClient } from '../http/types.js';
import { redact } from '../report/redact.js';
import type { StepTiming } from '../report/model.js';
import { openBrowser } from '../ui/browser.js';
import type { Ui } from '../ui/ui.js';
import { humanDuration } from '../util/duration.js';
import { buildAuthorizationUrl, judgeCallback, judgePkce, judgeRedirectUri, type AuthorizationRequest, type CallbackOutcome } from './authorization.js';
import { chooseClientAuth, type ClientAuthMethod, type ClientCredentials } from './client-auth.js';
import { discover } from './discovery.js';
import { fetchJwks } from './jwks.js';
import { judgeAccessToken, judgeIdToken, keySource, type JudgedToken } from './login-tokens.js';
import { startLoopback, type LoopbackOptions, type ReceivedCallback } from './loopback.js';
import { createPkce, randomValue } from './pkce.js';
import { describeForm, judgeTokenResponse, requestToken, type TokenSet } from './token-endpoint.js';
import { judgeUserinfo, requestUserinfo } from './userinfo.js';

/** Everything `oidc-cli login` decided from its options (src/commands/login.ts). */
export interface LoginSettings {
  issuer: string;
  client: ClientCredentials;
  /** False when the method was only implied by the credentials: discovery's list may then pick it. */
  clientAuthExplicit?: boolean;
  scope: string;
  listener: LoopbackOptions;
  request: Pick<AuthorizationRequest, 'response_mode' | 'prompt' | 'login_hint' | 'max_age' | 'acr_values' | 'resource' | 'audience' | 'extra'>;
  browser: { noBrowser: boolean; command: string | undefined };
  timeoutSeconds: number;
  clockSkew: number;
  showTokens: boolean;
}

export interface LoginDeps {
  http: HttpClient;
  ui: Ui;
  /** Ctrl-C (context.signal). */
  signal: AbortSignal;
  /** Aborted at the --timeout deadline of the whole login; default: settings.timeoutSeconds from now. */
  deadline?: AbortSignal;
}

export interface LoginResult {
  checks: CheckResult[];
  steps: StepTiming[];
  /** Where the flow stopped early, in one line; undefined when it ran to the end. */
  stoppedAt: string | undefined;
  /** The client authentication used at the token endpoint. */
  client_auth: ClientAuthMethod;
  redirect_uri: string;
  authorization_url: string;
  callback: Array<[string, string]> | undefined;
  tokens: TokenSet | undefined;
  idToken: JudgedToken | undefined;
  accessToken: JudgedToken | undefined;
  userinfo: Record<string, unknown> | undefined;
}

const hasOpenid = (scope: string) => scope.split(/\s+/).includes('openid');
const strings = (value: unknown) => (Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]) : undefined);

/** The login flow of PRODUCT.md, step by step, shown live on stderr. Throws CliError for what stops it. */
export async function runLogin(settings: LoginSettings, deps: LoginDeps): Promise<LoginResult> {
  const { http, ui } = deps;
  const checks = new CheckRecorder();
  const steps: StepTiming[] = [];
  const timed = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await work();
    } finally {
      steps.push({ name, ms: Math.round(performance.now() - t0) });
    }
  };
  const show = (value: string) => redact(value, settings.showTokens);

  // 1. Discovery and keys: fail early, before a browser is involved.
  ui.step(`Discovery: ${settings.issuer}`);
  ui.explain('Discovery tells the client where the endpoints and signing keys are; its issuer must match exactly (mix-up defence).');
  const discovery = await timed('discovery', () => discover(http, settings.issuer));
  const metadata = discovery.metadata;
  const endpoint = (name: string) => (typeof metadata[name] === 'string' ? (metadata[name] as string) : undefined);
  const authorization_endpoint = endpoint('authorization_endpoint');
  const token_endpoint = endpoint('token_endpoint');
  const jwks_uri = endpoint('jwks_uri');
  for (const [name, value] of [['authorization_endpoint', authorization_endpoint], ['token_endpoint', token_endpoint], ['jwks_uri', jwks_uri]] as const) {
    if (!value) throw new CliError('PROTOCOL', `discovery for ${settings.issuer} has no ${name}: cannot log in`, { hint: `run oidc-cli discover --issuer ${settings.issuer} for the full audit` });
  }
  ui.detail(`authorization_endpoint  ${authorization_endpoint}`);
  ui.detail(`token_endpoint          ${token_endpoint}`);
  ui.detail(`jwks_uri                ${jwks_uri}`);
  checks.merge(discovery.checks.filter((c) => c.status === 'fail' || c.status === 'warn'));
  const client: ClientCredentials = settings.clientAuthExplicit === false
    ? { ...settings.client, method: chooseClientAuth(undefined, { secret: Boolean(settings.client.client_secret), key: Boolean(settings.client.privateKey) }, metadata.token_endpoint_auth_methods_supported) }
    : settings.client;
  const jwks = await timed('jwks', () => fetchJwks(http, jwks_uri!));
  ui.detail(`${jwks.jwks.keys.length} signing key(s): ${jwks.jwks.keys.map((k) => `${k.kid ?? '(no kid)'} ${k.alg ?? k.kty}`).join(', ')}`);
  checks.merge(jwks.checks.filter((c) => c.status === 'fail' || c.status === 'warn'));

  // 2. Listener, 3. authorization request.
  ui.step('Loopback redirect listener');
  ui.explain('A native app receives the code on a loopback redirect URI: only this machine can reach it (RFC 8252 §7.3).');
  const listener = await timed('listener', () => startLoopback(settings.listener));
  try {
    ui.detail(`listening on ${listener.redirect_uri} (bound to ${listener.host} only; one response, then closed)`);
    judgeRedirectUri(listener.redirect_uri, checks);

    const pkce = createPkce();
    const state = randomValue(16);
    const nonce = hasOpenid(settings.scope) ? randomValue(16) : undefined;
    ui.step('PKCE, state and nonce (RFC 7636, RFC 6749 §10.12, OIDC Core §3.1.2.1)');
    ui.detail(`code_verifier   ${show(pkce.code_verifier)} (${pkce.code_verifier.length} characters, 256 random bits; kept here until the token request)`);
    ui.detail(`code_challenge  ${pkce.code_challenge} = BASE64URL(SHA-256(code_verifier)), method S256`);
    ui.detail(`state           ${state}`);
    ui.detail(`nonce           ${nonce ?? '(none: openid not requested)'}`);
    ui.explain('PKCE binds the code to this client: only the holder of code_verifier can redeem it, so an intercepted code is useless.');
    ui.explain('state ties the response to this request (CSRF defence); nonce ties the ID token to this login (replay defence).');
    judgePkce(metadata.code_challenge_methods_supported, checks);

    const authorizationUrl = buildAuthorizationUrl({
      ...settings.request,
      authorization_endpoint: authorization_endpoint!,
      client_id: settings.client.client_id,
      redirect_uri: listener.redirect_uri,
      scope: settings.scope,
      state,
      nonce,
      pkce,
    });
    ui.step(`Authorization request: GET ${authorization_endpoint}`);
    for (const [name, value] of authorizationUrl.searchParams) ui.detail(`${name.padEnd(21)} ${value}`);
    ui.explain('The browser carries this request to the IdP, where the user signs in; nothing secret is in it.');

    const callback = await timed('authorization (browser)', () => waitForResponse(authorizationUrl.toString(), settings, deps, listener.waitForCallback.bind(listener)));
    ui.step(`Authorization response (${callback.via === 'form_post' ? 'form_post' : callback.via})`);
    for (const [name, value] of callback.params) ui.detail(`${name.padEnd(21)} ${name === 'code' ? show(value) : value}`);
    ui.explain('The response is checked before the code is used: state must match, iss (RFC 9207) must name this issuer.');
    const outcome = judgeCallback(callback, { state, issuer: discovery.issuer, issParameterSupported: metadata.authorization_response_iss_parameter_supported === true }, checks);
    callback.reply(pageFor(outcome));
    await listener.close();
    const base = { client_auth: client.method, redirect_uri: listener.redirect_uri, authorization_url: authorizationUrl.toString(), callback: callback.params.map(([n, v]) => [n, n === 'code' ? show(v) : v] as [string, string]) };
    const empty = { tokens: undefined, idToken: undefined, accessToken: undefined, userinfo: undefined };
    if (!outcome.proceed) {
      const reason = outcome.error ? `the IdP answered error=${outcome.error.error}` : 'the authorization response failed its checks; the code was not redeemed';
      return { checks: checks.results, steps, stoppedAt: reason, ...base, ...empty };
    }

    // 5. Token request.
    ui.step(`Token request: POST ${token_endpoint} (grant_type=authorization_code, ${client.method})`);
    ui.explain('The code is redeemed over a back channel with code_verifier and the client credentials: tokens never pass through the browser.');
    const exchange = await timed('token request', () =>
      requestToken(http, {
        token_endpoint: token_endpoint!,
        // RFC 8707 §2.2: the resource is named again so the access token is minted for it.
        params: [
          ['grant_type', 'authorization_code'],
          ['code', outcome.code!],
          ['redirect_uri', listener.redirect_uri],
          ['code_verifier', pkce.code_verifier],
          ...(settings.request.resource ?? []).map((r) => ['resource', r] as [string, string]),
        ],
        client,
      }),
    );
    if (exchange.authorizationHeader) ui.detail(`Authorization: ${exchange.authorizationHeader.split(' ')[0]} ${show(exchange.authorizationHeader.split(' ')[1] ?? '')}`);
    for (const line of describeForm(exchange.form, settings.showTokens)) ui.detail(line);
    const response = exchange.response;
    ui.detail(`← HTTP ${response.status}${response.headers['cache-control'] ? `, Cache-Control: ${response.headers['cache-control']}` : ''}`);
    const judgement = judgeTokenResponse(response, { openid: hasOpenid(settings.scope), basicAuth: client.method === 'client_secret_basic' }, checks);
    const tokens = judgement.tokens;
    // The answer in its own words, tokens redacted; an error body (error, error_description) too.
    const body = judgement.body !== null && typeof judgement.body === 'object' && !Array.isArray(judgement.body) ? (judgement.body as Record<string, unknown>) : {};
    for (const [name, value] of Object.entries(body)) {
      ui.detail(`${name.padEnd(17)} ${typeof value !== 'string' ? JSON.stringify(value) : /token$/.test(name) ? show(value) : value}`);
    }
    if (tokens) {
      http.addSecret(tokens.access_token);
      if (tokens.refresh_token) http.addSecret(tokens.refresh_token);
    }
    if (!tokens) return { checks: checks.results, steps, stoppedAt: `the token request failed (HTTP ${response.status}${judgement.error ? `, error=${judgement.error.error}` : ''})`, ...base, ...empty };

    // 6. Validate what came back.
    const refetch = async (): Promise<JWK[]> => (await fetchJwks(http, jwks_uri!)).jwks.keys;
    const context = {
      issuer: discovery.issuer,
      client_id: settings.client.client_id,
      client_secret: settings.client.client_secret,
      nonce,
      code: outcome.code,
      max_age: settings.request.max_age,
      apiAudience: settings.request.audience ?? settings.request.resource?.[0],
      advertisedAlgorithms: strings(metadata.id_token_signing_alg_values_supported),
      keys: keySource(jwks.jwks.keys, jwks_uri!, refetch),
      clockSkew: settings.clockSkew,
    };
    let idToken: JudgedToken | undefined;
    if (tokens.id_token) {
      ui.step('ID token (OIDC Core §3.1.3.7)');
      ui.explain('The ID token is for the client: it says who signed in; signature, iss, aud, nonce and times must all hold.');
      idToken = await timed('id_token validation', () => judgeIdToken(tokens, context));
      ui.detail(`alg ${String(idToken.header.alg)}, kid ${String(idToken.header.kid ?? '(none)')}, signature ${idToken.verified ? 'verified' : 'NOT verified'}`);
      if (idToken.payload) ui.detail(`sub ${String(idToken.payload.sub)}, aud ${JSON.stringify(idToken.payload.aud)}, nonce ${idToken.payload.nonce === nonce ? 'matches' : JSON.stringify(idToken.payload.nonce)}`);
      checks.merge(idToken.checks);
    }
    ui.step('Access token');
    ui.explain('The access token is for APIs; a client treats it as opaque. A JWT access token is judged by RFC 9068.');
    const accessToken = await judgeAccessToken(tokens, context);
    ui.detail(accessToken ? `a JWT: alg ${String(accessToken.header.alg)}, typ ${String(accessToken.header.typ ?? '(none)')}` : 'opaque to the client (not a JWT)');
    if (accessToken) checks.merge(accessToken.checks);

    const userinfo_endpoint = endpoint('userinfo_endpoint');
    const apiOnly = userinfo_endpoint && accessToken && isForAnotherApi(accessToken.payload?.aud, [userinfo_endpoint, discovery.issuer]);
    const userinfo = apiOnly
      ? void checks.skip('userinfo.status', `the access token is for ${JSON.stringify(accessToken.payload?.aud)} (--resource/--audience), not for userinfo; run without them to check userinfo`)
      : await timed('userinfo', () => callUserinfo(userinfo_endpoint, tokens, idToken, context, settings, deps, checks));
    return { checks: checks.results, steps, stoppedAt: undefined, ...base, tokens, idToken, accessToken, userinfo };
  } finally {
    await listener.close();
  }
}

/** RFC 8707: a token minted for an API is rightly refused by userinfo unless userinfo is among its audiences. */
function isForAnotherApi(aud: unknown, userinfoAudiences: string[]): boolean {
  const list = Array.isArray(aud) ? aud : typeof aud === 'string' ? [aud] : [];
  return list.length > 0 && !list.some((a) => userinfoAudiences.includes(a));
}

async function callUserinfo(
  userinfo_endpoint: string | undefined,
  tokens: TokenSet,
  idToken: JudgedToken | undefined,
  context: { issuer: string; client_id: string; keys: { keys: JWK[] } },
  settings: LoginSettings,
  deps: LoginDeps,
  checks: CheckRecorder,
): Promise<Record<string, unknown> | undefined> {
  if (!hasOpenid(settings.scope)) return void checks.skip('userinfo.status', 'openid was not requested');
  if (!userinfo_endpoint) return void checks.skip('userinfo.status', 'discovery lists no userinfo_endpoint');
  deps.ui.step(`Userinfo: GET ${userinfo_endpoint}`);
  deps.ui.explain('Userinfo returns claims about the user; its sub must equal the ID token\'s, or the two responses may have been swapped.');
  const response = await requestUserinfo(deps.http, userinfo_endpoint, tokens.access_token, tokens.token_type);
  deps.ui.detail(`← HTTP ${response.status} ${response.headers['content-type'] ?? ''}`);
  const sub = typeof idToken?.payload?.sub === 'string' ? idToken.payload.sub : undefined;
  return judgeUserinfo(response, { sub, issuer: context.issuer, client_id: context.client_id, keys: context.keys.keys }, checks);
}

/** Opens the browser and waits for the one authorization response, bounded by --timeout and Ctrl-C. */
async function waitForResponse(url: string, settings: LoginSettings, deps: LoginDeps, wait: (signal: AbortSignal) => Promise<ReceivedCallback>): Promise<ReceivedCallback> {
  const deadline = deps.deadline ?? AbortSignal.timeout(settings.timeoutSeconds * 1000);
  const signal = AbortSignal.any([deps.signal, deadline]);
  const received = wait(signal);
  received.catch(() => undefined);
  const browser = await openBrowser(url, settings.browser);
  deps.ui.step(`Waiting for the authorization response (timeout ${humanDuration(settings.timeoutSeconds)}, Ctrl-C to cancel)`);
  try {
    return await Promise.race([received, browser.failed]);
  } catch (error) {
    if (deps.signal.aborted) throw new CliError('CANCELLED', 'login cancelled (Ctrl-C) while waiting for the authorization response');
    if (deadline.aborted) {
      throw new CliError('CANCELLED', `timed out after ${humanDuration(settings.timeoutSeconds)} waiting for the authorization response`, { hint: 'finish the sign-in in the browser sooner, or raise --timeout' });
    }
    throw error;
  } finally {
    browser.stop();
  }
}

function pageFor(outcome: CallbackOutcome): { ok: boolean; title: string; message: string } {
  if (outcome.proceed) return { ok: true, title: 'Signed in', message: 'oidc-cli received the authorization response and is now redeeming the code. The report is in your terminal.' };
  if (outcome.error) return { ok: false, title: 'Sign-in refused', message: `The identity provider answered error=${outcome.error.error}. See the terminal for details.` };
  return { ok: false, title: 'Authorization response rejected', message: 'The response failed its checks (state, iss or code), so the code was not used. See the terminal for details.' };
}
