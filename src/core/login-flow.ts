import type { CheckResult } from '../checks/types.js';
import { CliError } from '../errors.js';
import { redactSecret } from '../util/redact.js';
import { cut } from '../util/show.js';
import { humanDuration } from '../util/duration.js';
import { buildAuthorizationUrl, describeStrays, isFrontChannelCredential, judgeCallback, judgePkce, judgeRedirectUri, judgeStrayCallbacks, type CallbackOutcome } from './authorization.js';
import { chooseClientAuth, type ClientAuthMethod, type ClientCredentials } from './client-auth.js';
import { judgeClientAuthDiagnosis, tryClientAuthentications } from './diagnose/client-auth.js';
import { discover, requiredMember } from './discovery.js';
import { metadataRefusal } from './metadata-trust.js';
import { fetchJwks } from './jwks.js';
import { remoteKeySetFrom } from './remote-keys.js';
import { createFlow, type DiscoveredIssuer, type Flow, type LoginDeps, type LoginSettings } from './login-context.js';
import type { JudgedToken } from './token-judge.js';
import { hasOpenid, openJarmResponse, redeemCode, validateTokens } from './login-steps.js';
import { startLoopback, type Loopback, type ReceivedCallback } from './loopback.js';
import { createPkce, randomValue } from './pkce.js';
import type { Ui } from './ports.js';
import type { StepTiming } from './timing.js';
import type { TokenSet } from './token-endpoint.js';
import { NotSent, securedRequest } from './secured-request.js';
import { isJwtResponseMode, jarmState } from './jarm.js';
import { createDpopKey, type DpopKey } from './dpop.js';
import { isClientIdUrl } from './client-metadata-document.js';
import { judgeMtlsMetadata, MTLS_METADATA_IDS, mtlsFor } from './mtls.js';

export type { LoginDeps, LoginSettings } from './login-context.js';

export interface LoginResult {
  checks: CheckResult[];
  steps: StepTiming[];
  /** Where the flow stopped early, in one line; undefined when it ran to the end. */
  stoppedAt: string | undefined;
  /** The client authentication used at the token endpoint. */
  client_auth: ClientAuthMethod;
  /** With --dpop: the key the tokens are bound to (kept with the cached login). */
  dpop?: DpopKey | undefined;
  /** Undefined when the flow stopped before the listener started (untrusted discovery). */
  redirect_uri: string | undefined;
  authorization_url: string | undefined;
  callback: Array<[string, string]> | undefined;
  tokens: TokenSet | undefined;
  idToken: JudgedToken | undefined;
  accessToken: JudgedToken | undefined;
  userinfo: Record<string, unknown> | undefined;
  /** With a JWT response mode (JARM): the response JWT's claims (credentials masked) and whether it was verified. */
  jarm?: { claims: Record<string, unknown>; verified: boolean } | undefined;
}

/** The login flow of PRODUCT.md, step by step, shown live on stderr. Throws CliError for what stops it. */
export async function runLogin(settings: LoginSettings, deps: LoginDeps): Promise<LoginResult> {
  const flow = createFlow(settings, deps);
  try {
    return await loginSteps(flow);
  } catch (error) {
    // The run cannot go on (exit 3 or 4): what it judged so far goes into the one --json document.
    if (error instanceof CliError) error.judged ??= [...flow.checks.results];
    throw error;
  }
}

async function loginSteps(flow: Flow): Promise<LoginResult> {
  const { settings, deps } = flow;
  const issuer = await discoverIssuer(flow);
  if ('refused' in issuer) return stoppedBeforeBrowser(flow, issuer.refused, issuer.client.method);

  if (settings.dpop || settings.dpopKey) {
    flow.dpop = settings.dpopKey ?? (await createDpopKey());
    deps.ui.step('DPoP key (RFC 9449)');
    deps.ui.detail(`ES256 key${settings.dpopKey ? ' from --dpop-key' : ', new for this login'}, thumbprint ${flow.dpop.thumbprint} (dpop_jkt on the authorization request, cnf.jkt of the tokens)`);
    deps.ui.explain('Every token request and every call to a resource carries a proof signed with this key: a stolen token is useless without it.');
  }
  deps.ui.step('Loopback redirect listener');
  deps.ui.explain('A native app receives the code on a loopback redirect URI: only this machine can reach it (RFC 8252 §7.3).');
  // state is known before the listener starts, so the listener can refuse every response without it.
  const state = randomValue(16);
  const listener = await flow.timed('listener', () =>
    startLoopback({ ...settings.listener, state, ...(isJwtResponseMode(settings.request.response_mode) ? { stateOf: jarmState } : {}), onStray: (count) => warnStray(deps.ui, count, settings.listener.path), onFlood: (limit) => warnFlood(deps.ui, limit) }),
  );
  try {
    deps.ui.detail(`listening on ${listener.redirect_uri} (bound to ${listener.host} only; one response, then closed)`);
    judgeRedirectUri(listener.redirect_uri, flow.checks);
    let authorization: Awaited<ReturnType<typeof authorize>>;
    try {
      authorization = await authorize(flow, issuer, listener, state);
    } catch (error) {
      if (error instanceof NotSent) return { ...stoppedBeforeBrowser(flow, error.message, issuer.client.method), redirect_uri: listener.redirect_uri };
      if (!(error instanceof RedirectUriRefused)) throw error;
      // A dead end turned into a diagnosis: the report says why, the run ends with exit 1, not 4.
      flow.checks.violation('diagnosis.redirect_uri', error.message, { hint: error.hint });
      return { ...stoppedBeforeBrowser(flow, 'the sign-in never reached the redirect URI (diagnosis.redirect_uri)', issuer.client.method), redirect_uri: listener.redirect_uri };
    }
    await listener.close();
    judgeStrayCallbacks(listener.strays(), settings.listener.path, flow.checks);

    const { outcome, callback } = authorization;
    const result = (stoppedAt: string | undefined, rest: Partial<LoginResult> = {}): LoginResult => ({
      checks: flow.checks.results,
      steps: flow.steps,
      stoppedAt,
      client_auth: issuer.client.method,
      redirect_uri: listener.redirect_uri,
      authorization_url: authorization.url,
      callback: callback.params.map(([n, v]) => [n, isFrontChannelCredential(n, v) ? flow.show(v) : v] as [string, string]),
      jarm: authorization.jarm,
      tokens: undefined,
      idToken: undefined,
      accessToken: undefined,
      userinfo: undefined,
      ...rest,
    });
    if (!outcome.proceed) {
      const unverified = authorization.jarm?.verified === false || (authorization.jarm === undefined && isJwtResponseMode(settings.request.response_mode));
      if (unverified) return result('the JWT authorization response failed its checks (jarm.*); the code was not redeemed');
      return result(outcome.error ? `the IdP answered error=${outcome.error.error}` : 'the authorization response failed its checks; the code was not redeemed');
    }
    const redeemed = await redeemCode(flow, issuer, { code: outcome.code!, redirect_uri: listener.redirect_uri, code_verifier: authorization.code_verifier });
    const tokens = redeemed.tokens;
    if (!tokens) {
      if (redeemed.error?.error === 'invalid_client') await diagnoseInvalidClient(flow, issuer);
      return result(`the token request failed (HTTP ${redeemed.status}${redeemed.error ? `, error=${redeemed.error.error}` : ''})`);
    }
    const validated = await validateTokens(flow, issuer, tokens, { nonce: authorization.nonce, code: outcome.code! });
    return result(undefined, { tokens, ...validated, dpop: flow.dpop });
  } finally {
    await listener.close();
  }
}

/** invalid_client at the code exchange: which way of sending the secret does this IdP accept? */
async function diagnoseInvalidClient(flow: Flow, issuer: DiscoveredIssuer): Promise<void> {
  const { client } = issuer;
  if (flow.settings.diagnose === false) return void flow.checks.skip('diagnosis.client_auth', 'not diagnosed (--no-diagnose)');
  if (client.method !== 'client_secret_basic' && client.method !== 'client_secret_post') {
    return void flow.checks.skip('diagnosis.client_auth', `nothing to try: ${client.method} has no other way of presenting the credential`);
  }
  flow.deps.ui.step('Diagnosis: which client authentication does the IdP accept? (refresh_token grant with a made-up token: no code is spent)');
  const attempts = await tryClientAuthentications(flow.deps.http, issuer.token_endpoint, client);
  for (const attempt of attempts) flow.deps.ui.detail(`${attempt.variant.padEnd(45)} ${attempt.answer}${attempt.authenticated === true ? ' (authenticated)' : attempt.authenticated === undefined ? ' (tells nothing)' : ''}`);
  judgeClientAuthDiagnosis(client.method, attempts, flow.checks);
}

/** The endpoints a browser login hands to the browser or sends a credential to. */
const ACTED_ON = ['authorization_endpoint', 'token_endpoint'] as const;

/** A login that stopped at discovery: no listener, no browser, no request with a secret. */
function stoppedBeforeBrowser(flow: Flow, reason: string, client_auth: ClientAuthMethod): LoginResult {
  return { checks: flow.checks.results, steps: flow.steps, stoppedAt: reason, client_auth, redirect_uri: undefined, authorization_url: undefined, callback: undefined, tokens: undefined, idToken: undefined, accessToken: undefined, userinfo: undefined };
}

/**
 * Step 1: discovery and keys, before any browser is involved, so a broken IdP fails early (exit 3).
 * A document the flow must not act on (metadata-trust.ts) stops it here, its failed checks in the report.
 */
async function discoverIssuer(flow: Flow): Promise<DiscoveredIssuer | { refused: string; client: ClientCredentials }> {
  const { settings, deps: { http, ui }, checks } = flow;
  ui.step(`Discovery: ${settings.issuer}`);
  ui.explain('Discovery tells the client where the endpoints and signing keys are; its issuer must match exactly (mix-up defence).');
  const discovery = await flow.timed('discovery', () => discover(http, settings.issuer));
  const metadata = discovery.metadata;
  const refused = metadataRefusal(discovery.issuer, metadata, ACTED_ON, settings.insecure === true);
  if (refused) {
    checks.merge(discovery.checks.filter((c) => c.status === 'fail' || c.status === 'warn'));
    return { refused, client: settings.client };
  }
  const has = { secret: Boolean(settings.client.client_secret), key: Boolean(settings.client.privateKey), certificate: settings.client.certificate };
  const client = settings.clientAuthExplicit === false ? { ...settings.client, method: chooseClientAuth(undefined, has, metadata.token_endpoint_auth_methods_supported) } : settings.client;
  // RFC 8705 §5: with a certificate the flow acts on the mTLS aliases, and only they see the certificate.
  // Judged here, passes included; discovery's audit judges them too where they are published, so its verdicts on them are not merged twice.
  if (client.certificate) judgeMtlsMetadata(metadata, checks);
  const mtls = mtlsFor(client.certificate, metadata, http, ui);
  flow.deps.http = mtls.http;
  const acted = mtls.metadata;
  const endpoint = (name: string) => (typeof acted[name] === 'string' ? (acted[name] as string) : undefined);
  const required = (name: string) => {
    const value = requiredMember(settings.issuer, acted, name);
    ui.detail(`${name.padEnd(23)} ${value}`);
    return value;
  };
  const authorization_endpoint = required('authorization_endpoint');
  const token_endpoint = required('token_endpoint');
  const jwks_uri = required('jwks_uri');
  checks.merge(discovery.checks.filter((c) => (c.status === 'fail' || c.status === 'warn') && !(client.certificate && MTLS_METADATA_IDS.includes(c.id))));
  const jwks = await flow.timed('jwks', () => fetchJwks(http, jwks_uri));
  ui.detail(`${jwks.jwks.keys.length} signing key(s): ${jwks.jwks.keys.map((k) => `${k.kid ?? '(no kid)'} ${k.alg ?? k.kty}`).join(', ')}`);
  checks.merge(jwks.checks.filter((c) => c.status === 'fail' || c.status === 'warn'));
  const keys = remoteKeySetFrom(http, jwks_uri, jwks.jwks.keys);
  return { issuer: discovery.issuer, metadata: acted, authorization_endpoint, token_endpoint, jwks_uri, userinfo_endpoint: endpoint('userinfo_endpoint'), keys, client };
}

/** Steps 3-4: PKCE, state and nonce, the authorization request in a browser, and the judged callback. */
async function authorize(flow: Flow, issuer: DiscoveredIssuer, listener: Loopback, state: string) {
  const { settings, deps: { ui }, checks, show } = flow;
  const pkce = createPkce();
  flow.deps.http.addSecret(pkce.code_verifier);
  const nonce = hasOpenid(settings.scope) ? randomValue(16) : undefined;
  ui.step('PKCE, state and nonce (RFC 7636, RFC 6749 §10.12, OIDC Core §3.1.2.1)');
  ui.detail(`code_verifier   ${redactSecret(pkce.code_verifier, settings.showTokens)} (${pkce.code_verifier.length} characters, 256 random bits; kept here until the token request)`);
  ui.detail(`code_challenge  ${pkce.code_challenge} = BASE64URL(SHA-256(code_verifier)), method S256`);
  ui.detail(`state           ${state}`);
  ui.detail(`nonce           ${nonce ?? '(none: openid not requested)'}`);
  ui.explain('PKCE binds the code to this client: only the holder of code_verifier can redeem it, so an intercepted code is useless.');
  ui.explain('state ties the response to this request (CSRF defence); nonce ties the ID token to this login (replay defence).');
  judgePkce(issuer.metadata.code_challenge_methods_supported, checks);

  const url = buildAuthorizationUrl({
    ...settings.request,
    authorization_endpoint: issuer.authorization_endpoint,
    client_id: settings.client.client_id,
    redirect_uri: listener.redirect_uri,
    scope: settings.scope,
    state,
    nonce,
    pkce,
  });
  // RFC 9449 §10: the code is bound to the key, so only this run's proof can redeem it.
  if (flow.dpop) url.searchParams.set('dpop_jkt', flow.dpop.thumbprint);
  const jarm = isJwtResponseMode(settings.request.response_mode) ? settings.request.response_mode : undefined;
  const secured = await securedRequest(flow, issuer, url);
  const browserUrl = secured.url;
  ui.step(`Authorization request: GET ${issuer.authorization_endpoint}${secured.pushed ? ' (the pushed request, by reference)' : ''}`);
  for (const [name, value] of browserUrl.searchParams) ui.detail(`${name.padEnd(21)} ${name === 'request' ? `${cut(value, 24)} (${value.length} characters, the signed request object)` : value}`);
  ui.explain('The browser carries this request to the IdP, where the user signs in; nothing secret is in it.');

  // A URL client_id the server does not say it fetches is the likelier reason for a page of its own.
  const unknownClient = isClientIdUrl(settings.client.client_id) && issuer.metadata.client_id_metadata_document_supported !== true;
  const callback = await flow.timed('authorization (browser)', () => waitForResponse(browserUrl.toString(), settings, flow.deps, listener, unknownClient));
  // A code or token in the front channel is as secret as one from the token endpoint: masked everywhere.
  for (const [name, value] of callback.params) if (isFrontChannelCredential(name, value)) flow.deps.http.addToken(value);
  ui.step(`Authorization response (${callback.via})`);
  for (const [name, value] of callback.params) ui.detail(`${name.padEnd(21)} ${isFrontChannelCredential(name, value) ? show(value) : value}`);
  ui.explain('The response is checked before the code is used: state must match, iss (RFC 9207) must name this issuer.');
  const iss = { state, responseType: url.searchParams.get('response_type') ?? 'code', issuer: issuer.issuer, issParameterSupported: issuer.metadata.authorization_response_iss_parameter_supported === true };
  const opened = jarm ? await openJarmResponse(flow, issuer, callback, jarm) : { callback, jarm: undefined };
  const outcome = opened.callback ? judgeCallback(opened.callback, iss, checks) : { proceed: false, code: undefined, error: undefined };
  callback.reply(pageFor(outcome));
  return { url: browserUrl.toString(), callback, outcome, nonce, code_verifier: pkce.code_verifier, jarm: opened.jarm };
}

/** Opens the browser and waits for the one authorization response, bounded by --timeout and Ctrl-C. */
async function waitForResponse(url: string, settings: LoginSettings, deps: LoginDeps, listener: Loopback, unknownClient: boolean): Promise<ReceivedCallback> {
  const deadline = deps.deadline ?? AbortSignal.timeout(settings.timeoutSeconds * 1000);
  const signal = AbortSignal.any([deps.signal, deadline]);
  const received = listener.waitForCallback(signal);
  received.catch(() => undefined);
  const legEnded = deps.log?.frontChannel(url);
  received.then(legEnded, () => legEnded?.(undefined));
  const browser = await deps.browser.open(url);
  deps.ui.step(`Waiting for the authorization response (timeout ${humanDuration(settings.timeoutSeconds)}, Ctrl-C to cancel)`);
  let waiting = true;
  const stopSpinner = await deps.ui.spinner('Waiting for the sign-in to finish in the browser…');
  try {
    return await Promise.race([received, browser.failed, afterBrowserCommand(browser.exited, listener, deps.ui, () => waiting)]);
  } catch (error) {
    if (deps.signal.aborted) throw new CliError('CANCELLED', 'login cancelled (Ctrl-C) while waiting for the authorization response');
    if (deadline.aborted) {
      const strays = listener.strays();
      if (listener.strayCount() === 0) throw new CliError('CANCELLED', `timed out after ${humanDuration(settings.timeoutSeconds)} waiting for the authorization response`, { hint: 'finish the sign-in in the browser sooner, or raise --timeout' });
      throw new CliError('CANCELLED', `timed out after ${humanDuration(settings.timeoutSeconds)} waiting for the authorization response; ${describeStrays(strays, settings.listener.path)}`, {
        hint: strays.state > 0
          ? 'if the identity provider sent the ones without state, it does not return state unchanged (RFC 6749 §4.1.2, check authorization.state); otherwise another local process is probing the redirect URI'
          : 'another local process is probing the redirect URI',
      });
    }
    // Nothing reached the listener at all (no request, no flood): the IdP kept the browser.
    if (error instanceof CliError && error.code === 'CANCELLED' && listener.strayCount() === 0 && listener.evicted() === 0) throw new RedirectUriRefused(error, listener.redirect_uri, settings.listener.port === 0, unknownClient ? settings.client.client_id : undefined);
    throw error;
  } finally {
    waiting = false;
    stopSpinner();
    browser.stop();
  }
}

/**
 * The browser command gave up and nothing at all reached the listener: the IdP kept the browser on a
 * page of its own. By far the most common cause is a redirect_uri it refuses: many IdPs compare it
 * byte for byte, port included, instead of allowing any port on loopback (RFC 8252 §7.3).
 */
class RedirectUriRefused extends Error {
  readonly hint: string;

  constructor(error: CliError, redirect_uri: string, randomPort: boolean, unknownDocumentClient?: string) {
    super(unknownDocumentClient
      ? `${error.message}, and no request reached ${redirect_uri}: the IdP most likely does not know the client ${unknownDocumentClient} (it does not announce client_id_metadata_document_supported, so it may never fetch the document) and showed its own error page`
      : `${error.message}, and no request reached ${redirect_uri}: the IdP most likely refused this redirect_uri and showed its own error page`);
    const example = 'http://127.0.0.1:8765/callback';
    this.hint = unknownDocumentClient
      ? 'use a client registered at this IdP (--client-id ID), or --register where it offers dynamic registration; the IdP\'s page names the real reason when the URL is opened by hand'
      : randomPort
      ? `many IdPs compare redirect_uri exactly, port included, and do not allow any port on loopback (RFC 8252 §7.3): register one fixed URI for the client, e.g. ${example}, and pass --redirect-uri ${example} (or --port 8765); the IdP's page names the real reason when the URL is opened by hand`
      : `register exactly ${redirect_uri} for this client (scheme, host, port and path are compared byte for byte), or pass the --redirect-uri that is registered`;
  }
}

/**
 * A --browser-command that has finished will deliver nothing more. If only refused responses came, the
 * last one is most likely the IdP's, with a garbled state: judge it (authorization.state fails, the code
 * is never redeemed) instead of waiting for --timeout. Never resolves for a person's browser.
 */
async function afterBrowserCommand(exited: Promise<number | null>, listener: Loopback, ui: Ui, stillWaiting: () => boolean): Promise<ReceivedCallback> {
  await exited;
  await listener.settled(BROWSER_EXIT_GRACE_MS);
  const stray = listener.lastStray();
  if (!stray || !stillWaiting()) return new Promise<never>(() => undefined);
  ui.warn('the browser command finished and no response carried the state that was sent: judging the last one that came');
  return { ...stray, reply: () => undefined };
}

// A response already on its way when the browser command exits still lands (loopback.ts settled), waited
// for at most this long.
const BROWSER_EXIT_GRACE_MS = 500;

/** Live, but not once per request: a burst of strays must not flood the terminal. */
function warnStray(ui: Ui, count: number, path: string): void {
  if (count === 1 || count === 10 || count === 100 || count === 1000) {
    ui.warn(`${count} request${count === 1 ? '' : 's'} to ${path} refused so far (not the authorization response); still waiting for it`);
  }
}

/** Once: a connection is no callback, but a flood of them is worth knowing about. */
function warnFlood(ui: Ui, limit: number): void {
  ui.warn(`more than ${limit} connections to the listener at once: closing the oldest to make room (another local process is flooding it); still waiting for the authorization response`);
}

function pageFor(outcome: CallbackOutcome): { ok: boolean; title: string; message: string } {
  if (outcome.proceed) return { ok: true, title: 'Signed in', message: 'oidc-cli received the authorization response and is now redeeming the code. The report is in your terminal.' };
  if (outcome.error) return { ok: false, title: 'Sign-in refused', message: `The identity provider answered error=${outcome.error.error}. See the terminal for details.` };
  return { ok: false, title: 'Authorization response rejected', message: 'The response failed its checks (state, iss or code), so the code was not used. See the terminal for details.' };
}
