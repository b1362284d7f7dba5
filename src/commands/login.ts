import { CliError, ReportedStop, usageError } from '../errors.js';
import { PROTECTED_PARAMETERS } from '../core/authorization.js';
import { loadClientCertificate } from '../core/mtls.js';
import { loadPrivateKey, type ClientCredentials } from '../core/client-auth.js';
import { nativeClientMetadata, registerAt, registeredRedirectUri } from '../core/registration.js';
import { clientMetadataDocument, isClientIdUrl } from '../core/client-metadata-document.js';
import type { LoopbackOptions } from '../core/loopback.js';
import { discover } from '../core/discovery.js';
import { auditResource, parseResourceUrl } from '../core/resource/protected-resource.js';
import { resourcePhase, resourcePkce } from '../core/resource/resource-phase.js';
import { timeNotes } from '../core/jwt/claims.js';
import { runLogin, type LoginResult, type LoginSettings } from '../core/login-flow.js';
import type { FlowEvent } from '../core/flow-log.js';
import type { Report, Section } from '../report/model.js';
import { redact } from '../util/redact.js';
import { CheckRecorder } from '../checks/recorder.js';
import { browserFor, type BrowserOptions } from '../ui/browser.js';
import { cacheReportData, cacheTokenResponse, entryFromTokens, flagLine, nothingToCache, type CacheOutcome } from '../store/cache-policy.js';
import { resolveClient, resolveClientPartial } from '../store/profiles.js';
import type { DpopJwk } from '../store/cache.js';
import { dpopKeyFromFile, exportDpopKey } from '../core/dpop.js';
import { DEFAULT_CLOCK_SKEW_SECONDS, humanDuration } from '../util/duration.js';
import type { Context } from './context.js';
import { htmlPathOf, writeHtmlReport } from './html-file.js';
import { DEFAULT_SCOPE, listenerFor, type LoginOptions } from './login-options.js';
import { show as showValue } from '../util/show.js';

const DEFAULT_TIMEOUT_SECONDS = 300;

function parseParams(values: string[] = []): Array<[string, string]> {
  return values.map((value) => {
    const at = value.indexOf('=');
    if (at <= 0) throw usageError(`--param "${value}": expected key=value`);
    const key = value.slice(0, at);
    if (PROTECTED_PARAMETERS.includes(key)) throw usageError(`--param cannot set ${key}: oidc-cli generates it (use --redirect-uri / --client-id for those)`);
    return [key, value.slice(at + 1)];
  });
}

/** The flow's settings, and the browser that the flow is handed (LoginDeps.browser). */
async function settingsFrom(options: LoginOptions, context: Context, documented?: LoopbackOptions): Promise<LoginSettings & { browser: BrowserOptions }> {
  const client = await resolveClient(options, context);
  const credentials: ClientCredentials = { client_id: client.client_id, method: client.client_auth };
  if (client.client_secret) credentials.client_secret = client.client_secret;
  if (client.client_auth === 'private_key_jwt') credentials.privateKey = await loadPrivateKey(client.private_key_file!);
  if (client.cert_file && client.key_file) credentials.certificate = await loadClientCertificate(client.cert_file, client.key_file);
  // A client metadata document decides the redirect URI when the user did not (metadataDocumentForLogin).
  const listener = documented ?? listenerFor({ ...options, redirectUri: options.redirectUri ?? client.redirect_uri });
  const request: LoginSettings['request'] = { response_mode: responseModeOf(options.responseMode), extra: parseParams(options.param) };
  if (options.prompt) request.prompt = options.prompt;
  if (options.loginHint) request.login_hint = options.loginHint;
  if (options.maxAge !== undefined) request.max_age = options.maxAge;
  if (options.acrValues) request.acr_values = options.acrValues;
  if (options.resource?.length) request.resource = options.resource;
  if (options.audience) request.audience = options.audience;
  return {
    issuer: client.issuer,
    client: credentials,
    clientAuthExplicit: client.client_auth_explicit,
    scope: client.scope ?? DEFAULT_SCOPE,
    listener,
    request,
    browser: { noBrowser: options.browser === false, command: options.browserCommand ?? (context.env.BROWSER || undefined) },
    timeoutSeconds: context.globals.timeout ?? DEFAULT_TIMEOUT_SECONDS,
    clockSkew: options.clockSkew ?? DEFAULT_CLOCK_SKEW_SECONDS,
    showTokens: context.globals.showTokens,
    insecure: context.globals.insecure,
    diagnose: options.diagnose !== false,
    par: options.par === true,
    dpop: options.dpop === true || options.dpopKey !== undefined,
    ...(options.dpopKey !== undefined ? { dpopKey: await dpopKeyFromFile(options.dpopKey) } : {}),
    ...(await requestObjectFrom(options, credentials)),
  };
}

/**
 * JARM's fragment.jwt cannot be received: a browser never sends the fragment to the loopback listener
 * (RFC 8252 §7.3 listeners see the query and a form_post body only).
 */
function responseModeOf(mode: LoginOptions['responseMode']): LoginSettings['request']['response_mode'] {
  if (mode !== 'fragment.jwt') return mode ?? 'query';
  throw usageError('--response-mode fragment.jwt cannot reach a loopback listener: a browser never sends the URL fragment to a server', 'use --response-mode jwt (query.jwt for response_type=code, OAuth JARM §2.3.4) or form_post.jwt');
}

/** --request-object(-key): the key to sign with; --request-object alone needs the private_key_jwt key. */
async function requestObjectFrom(options: LoginOptions, client: ClientCredentials): Promise<Pick<LoginSettings, 'requestObject' | 'requestObjectKey'>> {
  if (options.requestObjectKey) return { requestObject: true, requestObjectKey: await loadPrivateKey(options.requestObjectKey, '--request-object-key') };
  if (options.requestObject && !client.privateKey) throw usageError('--request-object needs a key to sign with', 'pass --request-object-key FILE, or --private-key FILE for a private_key_jwt client (that key is used)');
  return { requestObject: options.requestObject === true };
}

export async function run(options: LoginOptions, context: Context): Promise<Report> {
  const htmlPath = htmlPathOf(options.html);
  if (htmlPath === undefined) return login(options, context);
  // The page is written whatever the end; the issuer named there is the one asked for until discovery says.
  const asked = options.issuer ?? context.env.OIDC_ISSUER ?? '';
  let report: Report;
  try {
    report = await login(options, context);
  } catch (error) {
    await writeHtmlReport(htmlPath, 'login', asked, error, context);
    throw error;
  }
  await writeHtmlReport(htmlPath, 'login', typeof report.data.issuer === 'string' ? report.data.issuer : asked, report, context);
  return report;
}

async function login(options: LoginOptions, context: Context): Promise<Report> {
  if (options.device) return (await import('./device-login.js')).runDeviceLogin(options, context);
  const fromResource = options.resourceFromPrm !== undefined ? await resourceForLogin(options, context) : undefined;
  const asked = fromResource?.options ?? options;
  const registered = asked.register ? await registerForLogin(asked, context) : undefined;
  const documented = registered ? undefined : await metadataDocumentForLogin(asked, context);
  const settings = await settingsFrom(registered ? { ...asked, clientId: registered.client_id, ...(registered.client_secret ? { clientSecret: registered.client_secret } : {}) } : asked, context, documented?.listener);
  // Each request's own limit is never shorter than the whole login's, so the deadline (exit 4) fires first.
  const http = await context.http({ timeoutSeconds: Math.min(30, settings.timeoutSeconds + 1) });
  if (settings.client.client_secret) http.addSecret(settings.client.client_secret);
  const deadline = AbortSignal.timeout(settings.timeoutSeconds * 1000);
  const result = await untilCancelled(runLogin(settings, { http, ui: context.ui, browser: browserFor({ ...settings.browser, print: context.ui.prompt }), signal: context.signal, deadline, log: context.flowLog }), settings.timeoutSeconds, context.signal, deadline);
  const cache = await cacheTokens(settings, result, context);
  if (result.stoppedAt) context.ui.warn(`login stopped: ${result.stoppedAt}`);
  const report = buildReport(settings, result, cache, context.flowLog.events);
  // What came before the sign-in leads the report: the resource, then the registration or the client's document.
  if (registered) report.checks.unshift(...registered.checks);
  if (documented) {
    report.checks.unshift(...documented.checks);
    report.data.client_metadata_document = documented.data;
  }
  if (fromResource) {
    report.checks.unshift(...fromResource.checks);
    report.data.resource = { url: fromResource.url, indicator: fromResource.indicator };
  }
  if (registered) report.data.registration = { registration_endpoint: registered.registration_endpoint, status: registered.response.status, client: registered.client ?? null };
  return report;
}

/**
 * login --resource-from-prm URL: sign in for an API or MCP server as an MCP client would. Its RFC 9728
 * metadata names the issuer (unless --issuer does), the resource to ask for (RFC 8707) and, unless
 * --scope is given, the scope; an authorization server without PKCE S256 ends it there (MCP). The
 * resource's checks lead the report.
 */
async function resourceForLogin(options: LoginOptions, context: Context) {
  const url = parseResourceUrl(options.resourceFromPrm!, '--resource-from-prm').href;
  const partial = await resolveClientPartial(options, context);
  const http = await context.http({ timeoutSeconds: Math.min(30, (context.globals.timeout ?? DEFAULT_TIMEOUT_SECONDS) + 1) });
  const deps = { ui: context.ui, signal: context.signal };
  const audit = await auditResource(http, url, { ...deps, insecure: context.globals.insecure });
  const issuer = partial.issuer ?? audit.authorizationServers[0];
  if (!issuer) throw new ReportedStop(`${url} names no authorization server that can be asked: pass --issuer URL`, { checks: audit.checks, data: { resource: { url } }, sections: [] });
  const phase = await resourcePhase({ url, audit, scopeFromResource: !partial.scope }, { issuer, insecure: context.globals.insecure }, { http, ...deps });
  const { metadata } = await discover(http, issuer, { signal: context.signal });
  const stop = resourcePkce(phase, issuer, metadata, partial.client_id);
  if (stop) throw new ReportedStop(stop, { checks: phase.checks, data: { resource: { url, indicator: phase.indicator }, issuer }, sections: [] });
  const scope = phase.scope(metadata);
  context.ui.detail(`for ${url}: issuer ${issuer}, resource=${phase.indicator}${scope ? `, scope "${scope}"` : ''}`);
  return { url, indicator: phase.indicator, checks: phase.checks, options: { ...options, issuer, resource: [...(options.resource ?? []), phase.indicator], ...(scope ? { scope } : {}) } };
}

/**
 * login --register: no client yet, so a native public client is registered first (RFC 7591), with the
 * redirect URI this login's listener will use (loopback, any port per RFC 8252 §7.3 unless --port or
 * --redirect-uri fix it). A refusal ends the login with the registration's checks as its report.
 */
async function registerForLogin(options: LoginOptions, context: Context) {
  // commander copies OIDC_CLIENT_ID into the flag: only a client id typed on the command line contradicts --register.
  if (options.clientId && options.clientId !== context.env.OIDC_CLIENT_ID) throw usageError('--register registers a new client: leave out --client-id');
  const { issuer } = await resolveClientPartial({ ...options, clientId: undefined }, context);
  if (!issuer) throw usageError('--register needs --issuer URL (or OIDC_ISSUER): the IdP to register with');
  const listener = listenerFor(options);
  const redirect_uri = registeredRedirectUri(listener);
  const http = await context.http({ timeoutSeconds: Math.min(30, (context.globals.timeout ?? DEFAULT_TIMEOUT_SECONDS) + 1) });
  const registration = await registerAt(http, { issuer, metadata: nativeClientMetadata({ redirect_uris: [redirect_uri] }) }, { ui: context.ui, signal: context.signal, insecure: context.globals.insecure });
  if (!registration.client_id) {
    throw new ReportedStop(`${issuer} did not register a client`, { checks: registration.checks, data: { issuer, registration: { status: registration.response.status, client: registration.client ?? null } }, sections: [] });
  }
  context.ui.warn(`registered client ${registration.client_id} at ${issuer}: pass --client-id ${registration.client_id} next time (each --register creates another client)`);
  const client_secret = typeof registration.client?.client_secret === 'string' ? registration.client.client_secret : undefined;
  return { ...registration, client_id: registration.client_id, client_secret };
}

/**
 * A client_id that is an https URL names a Client ID Metadata Document: the authorization server will
 * fetch it, so it is fetched and judged here first (cimd.*). A document the server would refuse ends the
 * login before the browser opens, with its checks as the report; a usable one gives the redirect URI.
 */
async function metadataDocumentForLogin(options: LoginOptions, context: Context) {
  const partial = await resolveClientPartial(options, context);
  const client_id = partial.client_id;
  if (!client_id || !partial.issuer || !isClientIdUrl(client_id)) return undefined;
  const http = await context.http({ timeoutSeconds: Math.min(30, (context.globals.timeout ?? DEFAULT_TIMEOUT_SECONDS) + 1) });
  const found = await clientMetadataDocument(http, { client_id, issuer: partial.issuer, askedRedirectUri: options.redirectUri ?? partial.redirect_uri }, { ui: context.ui, signal: context.signal });
  if (!found.redirect) {
    context.ui.warn(`login stopped before the browser: ${found.refusal}`);
    throw new ReportedStop(found.refusal, { checks: found.checks, data: { issuer: partial.issuer, client_id, client_metadata_document: found.data }, sections: [] });
  }
  if (found.method === 'private_key_jwt' && !partial.private_key_file) throw usageError(`${client_id} says token_endpoint_auth_method private_key_jwt: pass --private-key FILE, the key its jwks names`);
  return { checks: found.checks, listener: options.redirectUri ? undefined : found.redirect.listener, data: found.data };
}

/**
 * --timeout bounds the whole login, not only the browser wait (PRODUCT.md "Durations"), and Ctrl-C ends
 * it at any step: both exit 4. The step that was running gets a moment to say what it was waiting for.
 */
async function untilCancelled<T>(work: Promise<T>, timeoutSeconds: number, cancel: AbortSignal, deadline: AbortSignal): Promise<T> {
  let onAbort: (() => void) | undefined;
  const either = AbortSignal.any([cancel, deadline]);
  const stop = new Promise<never>((_, reject) => {
    onAbort = () =>
      void setTimeout(() => {
        reject(cancel.aborted ? new CliError('CANCELLED', 'login cancelled (Ctrl-C)') : new CliError('CANCELLED', `timed out after ${humanDuration(timeoutSeconds)} (--timeout bounds the whole login)`, { hint: 'raise --timeout, or check that the IdP answers' }));
      }, 100);
    either.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work, stop]);
  } finally {
    either.removeEventListener('abort', onAbort!);
    work.catch(() => undefined);
  }
}

/** Every token response is cached with its verdict (store/cache-policy.ts): a failed login stays there to investigate. */
async function cacheTokens(settings: LoginSettings, result: LoginResult, context: Context): Promise<CacheOutcome | undefined> {
  const checks = new CheckRecorder();
  const entry = result.tokens && entryFromTokens({ issuer: settings.issuer, client_id: settings.client.client_id }, result.tokens, Math.floor(Date.now() / 1000), settings.scope);
  // The key the tokens are bound to stays with them (0600 file), so call, userinfo and refresh can prove it.
  if (entry && result.dpop) entry.dpop_jwk = (await exportDpopKey(result.dpop)) as DpopJwk;
  // Which certificate the tokens are bound to (its thumbprint only), so a later command without it can say why it is refused.
  const certificate = settings.client.certificate;
  if (entry && certificate && result.checks.some((check) => check.id === 'mtls.cnf_x5t' && check.status === 'pass')) entry.cnf_x5t = certificate.thumbprint;
  const saved = entry ? await cacheTokenResponse(entry, result.checks, { env: context.env, warn: context.ui.warn }, checks) : nothingToCache(checks);
  result.checks.push(...checks.results);
  return saved;
}

/** The time claims as "ISO (relative)" notes beside the payload; the one guarded timeNotes of claims.ts. */
function notesOf(payload: Record<string, unknown>): Record<string, string> {
  const notes = timeNotes(payload, Math.floor(Date.now() / 1000));
  return Object.fromEntries(Object.entries(notes).map(([claim, note]) => [claim, `${note.iso} (${note.relative})`]));
}

function buildReport(settings: LoginSettings, result: LoginResult, cache: CacheOutcome | undefined, flow: readonly FlowEvent[]): Report {
  const show = (value: string | undefined) => (value === undefined ? undefined : redact(value, settings.showTokens));
  const t = result.tokens;
  const tokens = t && { token_type: t.token_type, expires_in: t.expires_in, scope: t.scope, access_token: show(t.access_token), refresh_token: show(t.refresh_token), id_token: show(t.id_token) };
  const data: Record<string, unknown> = {
    issuer: settings.issuer,
    client_id: settings.client.client_id,
    client_auth: result.client_auth,
    scope: settings.scope,
    redirect_uri: result.redirect_uri,
    authorization_url: result.authorization_url,
    callback: result.callback && Object.fromEntries(result.callback),
    jarm_response: result.jarm,
    stopped_at: result.stoppedAt,
    tokens,
    id_token: result.idToken && { header: result.idToken.header, payload: result.idToken.payload, signature_verified: result.idToken.signature.verified },
    access_token: t && (result.accessToken ? { kind: 'jwt', header: result.accessToken.header, payload: result.accessToken.payload, signature_verified: result.accessToken.signature.verified } : { kind: 'opaque' }),
    userinfo: result.userinfo,
    cache: cacheReportData(cache),
    flow,
  };
  const sections: Section[] = [
    {
      title: 'Login',
      kind: 'fields',
      fields: [
        ['issuer', settings.issuer],
        ['client_id', `${settings.client.client_id} (${result.client_auth})`],
        ['redirect_uri', result.redirect_uri ?? '(no listener: stopped at discovery)'],
        ['scope', settings.scope],
        ['result', result.stoppedAt ? `stopped: ${result.stoppedAt}` : 'completed'],
      ],
    },
  ];
  if (result.callback) sections.push({ title: 'Authorization response', kind: 'fields', fields: result.callback });
  if (result.jarm) sections.push({ title: `JWT authorization response (JARM, ${result.jarm.verified ? 'verified' : 'NOT verified: its code was not used'})`, kind: 'json', value: result.jarm.claims, notes: notesOf(result.jarm.claims) });
  if (tokens) {
    const fields: Array<[string, string]> = Object.entries(tokens).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)]);
    fields.push(['cache', `${cache?.saved ? cache.path : cache?.reason ?? 'not cached'}${cache?.flagged ? ` (${flagLine(cache)})` : ''}`]);
    sections.push({ title: 'Token response', kind: 'fields', fields });
  }
  if (result.idToken?.payload) sections.push({ title: `ID token (alg ${showValue(result.idToken.header.alg)}, kid ${showValue(result.idToken.header.kid ?? 'none')})`, kind: 'json', value: result.idToken.payload, notes: notesOf(result.idToken.payload) });
  if (result.accessToken?.payload) sections.push({ title: 'Access token (JWT)', kind: 'json', value: result.accessToken.payload, notes: notesOf(result.accessToken.payload) });
  if (result.userinfo) sections.push({ title: 'Userinfo', kind: 'json', value: result.userinfo });
  return { command: 'login', checks: result.checks, data, sections, steps: result.steps };
}
