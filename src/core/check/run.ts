import { CATALOGUE, type CheckId } from '../../checks/catalogue.js';
import { CheckRecorder } from '../../checks/recorder.js';
import type { CheckResult } from '../../checks/types.js';
import { CliError } from '../../errors.js';
import type { HttpClient } from '../../http/types.js';
import type { ClientCredentials, SigningKey } from '../client-auth.js';
import { discover } from '../discovery.js';
import { metadataRefusal } from '../metadata-trust.js';
import { fetchJwks } from '../jwks.js';
import { runLogin } from '../login-flow.js';
import type { LoopbackOptions } from '../loopback.js';
import type { Browser, Ui } from '../ports.js';
import type { FlowLog } from '../flow-log.js';
import { PROBES, type ProbeEnv } from '../probes/index.js';
import type { TokenSet } from '../token-endpoint.js';
import { clientCredentialsTokens } from '../client-credentials.js';
import { credentialsFor, sessionFromDiscovery, type SessionClient } from '../session.js';
import { frontChannel } from '../front-channel.js';
import { pushAuthorizationRequest, pushedReference } from '../par.js';
import { byValue, requestObjectAlg, requestObjectClaims, signRequestObject, unsignedRequestObject } from '../jar.js';
import type { DpopKey } from '../dpop.js';
import { DPOP_PROBE_IDS, probeDpop, probeRefreshBound } from '../dpop-probes.js';
import { judgeMtlsMetadata, MTLS_METADATA_IDS, mtlsFor } from '../mtls.js';
import { MTLS_PROBE_IDS, probeMtls } from '../mtls-probes.js';
import { checkLifecycle, INTROSPECTION_IDS, REFRESH_IDS, REVOCATION_IDS } from './lifecycle.js';
import type { Selection } from './select.js';
import { timer, type StepTiming } from '../timing.js';
import { probeResourceTokens, RESOURCE_PROBE_IDS } from '../resource/resource-probes.js';
import { resourcePhase, resourcePkce, type ResourceSettings } from '../resource/resource-phase.js';
import { registerForCheck } from '../registration.js';
import { evidenceFor, judgePolicies, reconcile, type PolicyFacts, type PolicyName } from './policy.js';

/** Everything `oidc-cli check` decided from its options (src/commands/check.ts). */
export interface CheckSettings {
  issuer: string;
  client: ClientCredentials;
  /** False when the method was only implied by the credentials: discovery's list may then pick it, as for login. */
  clientAuthExplicit?: boolean;
  scope: string;
  /** Scope for the client_credentials grant when there is no user flow (default: none sent). */
  clientCredentialsScope: string | undefined;
  listener: LoopbackOptions;
  timeoutSeconds: number;
  clockSkew: number;
  showTokens: boolean;
  destructive: boolean;
  expectRotation: boolean | undefined;
  /** Front-channel legs (browser runs) at once; 1 when the listener port is fixed. */
  concurrency: number;
  select: Selection;
  /** --insecure: plain http endpoints are acted on anywhere, not only on loopback. */
  insecure?: boolean;
  /** A second confidential client of the IdP (--other-client-id): introspection.other_client. */
  otherClient?: SessionClient | undefined;
  /**
   * --resource: an API or MCP server checked with the IdP (./resource.ts).
   */
  resource?: ResourceSettings | undefined;
  /** --dpop: the login binds its tokens (RFC 9449), then userinfo is probed with twisted proofs. */
  dpop?: boolean;
  /** --par: the login and every probe push their request (RFC 9126); done anyway where it is required. */
  par?: boolean;
  /** --register: also register a native client by RFC 7591 (creates a client at the IdP: opt-in). */
  register?: boolean | undefined;
  /** --policy: security profiles judged over what the run saw (./policy.ts). */
  policies?: readonly PolicyName[] | undefined;
  /** A client_id that is a URL: its metadata document, judged before the run (client-metadata-document.ts). */
  clientDocument?: { checks: CheckResult[]; refusal: string | undefined } | undefined;
  /** --request-object: the login and every probe sign their request (RFC 9101); done anyway where it is required. */
  requestObject?: boolean;
  /** --request-object-key: the key to sign with; default the private_key_jwt key. */
  requestObjectKey?: SigningKey | undefined;
}

export interface CheckDeps {
  http: HttpClient;
  ui: Ui;
  /** The browser for the login and the probes (--browser-command or $BROWSER): without it there is no user flow. */
  browser: Browser | undefined;
  signal: AbortSignal;
  /** The run's flow log (--html, --json `flow`). */
  log?: FlowLog;
}

export type GrantMode = 'authorization_code' | 'client_credentials' | 'none';

export interface CheckOutcome {
  checks: CheckResult[];
  steps: StepTiming[];
  mode: GrantMode;
  /** The client authentication the run used: the explicit one, or what the credentials and the metadata chose. */
  client_auth: ClientCredentials['method'];
  metadata: Record<string, unknown>;
  /** Why there is no user flow, when there is none. */
  noUserFlow: string | undefined;
  probes: Array<{ name: string; ids: CheckId[]; ran: boolean; ms: number }>;
}

const LOGIN_GROUPS = ['par', 'jar', 'authorization', 'jarm', 'token_response', 'dpop', 'mtls', 'id_token', 'access_token', 'userinfo', 'client_credentials', 'refresh', 'introspection', 'revocation'];
const groupOf = (id: string) => id.split('.')[0]!;

/** The phases of `check`: discovery → (login → lifecycle) ∥ probes. Report order is fixed whatever finishes first. */
export async function runCheck(settings: CheckSettings, deps: CheckDeps): Promise<CheckOutcome> {
  const { ui } = deps;
  // Replaced after discovery by the client that presents --cert to the mTLS endpoints alone (core/mtls.ts).
  let http = deps.http;
  const started = Date.now();
  const remainingMs = () => Math.max(1, started + settings.timeoutSeconds * 1000 - Date.now());
  const steps: StepTiming[] = [];
  const timed = timer(steps);

  // 0. The resource, with --resource: what it says about itself, before the IdP it names.
  // (Not timed again when the command already audited it to find the issuer.)
  const toResource = (input: ResourceSettings) => resourcePhase(input, settings, { http, ui, signal: deps.signal });
  const resource = !settings.resource ? undefined : settings.resource.audit ? await toResource(settings.resource) : await timed('resource', () => toResource(settings.resource!));

  // 1. Discovery and keys: everything else needs the endpoints.
  ui.step(`Discovery: ${settings.issuer}`);
  // A document the run must not act on (metadata-trust.ts) is audited, and nothing else happens:
  // no keys fetched from it, no browser, no grant, no probe sends a secret to what it names.
  const discovery = await timed('discovery + jwks', async () => {
    const found = await discover(http, settings.issuer);
    const refused = metadataRefusal(found.issuer, found.metadata, ['authorization_endpoint', 'token_endpoint'], settings.insecure === true);
    const jwks_uri = found.metadata.jwks_uri;
    let jwks: Awaited<ReturnType<typeof fetchJwks>> | undefined;
    try {
      jwks = !refused && typeof jwks_uri === 'string' ? await fetchJwks(http, jwks_uri) : undefined;
    } catch (error) {
      // The run cannot go on without keys (exit 3): its discovery verdicts still go into the --json document.
      if (error instanceof CliError) error.judged ??= found.checks;
      throw error;
    }
    return { ...found, refused, jwksChecks: jwks?.checks ?? [] };
  });
  const metadata = discovery.metadata;
  // RFC 8705 §5: with a certificate the run acts on the mTLS aliases; the document is judged as published.
  const certificate = settings.client.certificate;
  const mtlsChecks = new CheckRecorder();
  const mtls = mtlsFor(discovery.refused === undefined ? certificate : undefined, metadata, http, ui);
  // Discovery's audit judged them already where they are published; a run with a certificate says so where they are not.
  if (certificate && !discovery.refused && !discovery.checks.some((check) => MTLS_METADATA_IDS.includes(check.id))) judgeMtlsMetadata(metadata, mtlsChecks);
  http = mtls.http;
  const acted = mtls.metadata;
  const endpoint = (name: string) => (discovery.refused === undefined && typeof acted[name] === 'string' ? (acted[name] as string) : undefined);
  const phase1 = [...(settings.clientDocument?.checks ?? []), ...discovery.checks, ...discovery.jwksChecks, ...mtlsChecks.results, ...(settings.register ? await timed('registration', () => registerForCheck(http, discovery.refused ? undefined : metadata, settings.listener, deps.signal)) : [])];
  if (discovery.refused) ui.warn(`stopped at discovery: ${discovery.refused}`);
  // MCP: a client stops at an authorization server that does not advertise PKCE S256.
  const pkceStop = resource ? resourcePkce(resource, discovery.issuer, metadata, settings.client.client_id) : undefined;
  if (pkceStop) ui.warn(`no user flow: ${pkceStop}`);
  if (settings.clientDocument?.refusal) ui.warn(`no user flow: ${settings.clientDocument.refusal}`);
  const scope = resource?.scope(metadata) ?? settings.scope;

  const authorization_endpoint = endpoint('authorization_endpoint');
  const token_endpoint = endpoint('token_endpoint');
  // One choice of client authentication for the login, the lifecycle and the probes (session.ts).
  const chosen = settings.clientAuthExplicit === false ? credentialsFor({ ...settings.client, explicitMethod: undefined }, metadata) : settings.client;
  // A FAPI 2.0 client's assertions name the issuer, as that profile's servers require.
  const client = settings.policies?.includes('fapi2-security') && chosen.method === 'private_key_jwt' ? { ...chosen, assertionAudience: discovery.issuer } : chosen;
  // The first reason there can be no sign-in, in the order the run found them.
  const noUserFlow = [
    discovery.refused && `stopped at discovery: ${discovery.refused}`,
    settings.clientDocument?.refusal && `no user flow: ${settings.clientDocument.refusal}`,
    pkceStop && `no user flow: ${pkceStop}`,
    !deps.browser && 'no user flow: pass --browser-command CMD (a headless sign-in script) to run it',
    (!authorization_endpoint || !token_endpoint) && 'discovery lists no authorization_endpoint or token_endpoint',
  ].find((reason): reason is string => typeof reason === 'string' && reason !== '');
  const mode: GrantMode = !noUserFlow ? 'authorization_code' : client.method !== 'none' && token_endpoint ? 'client_credentials' : 'none';
  // What runs: what the report shows, and what a --policy reads (policy.ts evidenceFor).
  const needed = evidenceFor(settings.policies ?? []);
  const runs = (id: string) => settings.select(id) || needed.has(id);
  const wants = (groups: string[]) => CATALOGUE.some((d) => groups.includes(groupOf(d.id)) && runs(d.id));
  const quiet: Ui = { ...ui, step: () => undefined, detail: () => undefined, explain: () => undefined };

  // What the policies (--policy) need to know of the grant beside its checks.
  const facts: PolicyFacts = { client_auth: client.method, dpop: settings.dpop === true, mtls: certificate !== undefined };

  // 2a. The grant, then the lifecycle of its tokens.
  const grantPhase = async (): Promise<CheckResult[]> => {
    if (!wants(resource ? [...LOGIN_GROUPS, 'resource'] : LOGIN_GROUPS) || mode === 'none') return mode === 'none' ? noGrant(discovery.refused, Boolean(resource)) : [];
    const c = new CheckRecorder();
    let tokens: TokenSet | undefined;
    let dpopKey: DpopKey | undefined;
    const session = sessionFromDiscovery(
      { issuer: discovery.issuer, client: { ...client, explicitMethod: client.method }, clockSkew: settings.clockSkew, insecure: settings.insecure === true, showTokens: settings.showTokens },
      { metadata, checks: discovery.checks },
      { http, ui: quiet },
    );
    if (mode === 'authorization_code') {
      ui.step(`Login through the browser command (authorization code + PKCE, ${client.method})`);
      const login = await timed('login', () =>
        runLogin(
          {
            issuer: settings.issuer,
            client,
            scope,
            listener: settings.listener,
            request: { response_mode: 'query', extra: [], ...(resource ? { resource: [resource.indicator] } : {}) },
            timeoutSeconds: remainingMs() / 1000,
            clockSkew: settings.clockSkew,
            showTokens: settings.showTokens,
            insecure: settings.insecure === true,
            dpop: settings.dpop === true,
            par: settings.par === true,
            requestObject: settings.requestObject === true,
            requestObjectKey: settings.requestObjectKey,
          },
          { http, ui: quiet, browser: deps.browser!, signal: deps.signal, log: deps.log },
        ),
      );
      dpopKey = login.dpop;
      // Discovery, JWKS and the mTLS metadata were judged in phase 1 already.
      c.merge(login.checks.filter((check) => !['discovery', 'jwks'].includes(groupOf(check.id)) && !MTLS_METADATA_IDS.includes(check.id)));
      if (login.stoppedAt) ui.warn(`login stopped: ${login.stoppedAt}`);
      tokens = login.tokens;
      facts.id_token_alg = typeof login.idToken?.header.alg === 'string' ? login.idToken.header.alg : undefined;
    } else {
      ui.step(`Client credentials grant (no user flow; ${client.method})`);
      const ccScope = resource?.scope(undefined) ?? settings.clientCredentialsScope;
      const granted = await timed('client_credentials', () => clientCredentialsTokens(session, { scope: ccScope, ...(resource ? { resource: [resource.indicator] } : {}) }));
      c.merge(granted.checks);
      // No refresh token here (client_credentials.refresh_token judges one): the lifecycle judges introspection only.
      tokens = granted.tokens && { ...granted.tokens, refresh_token: undefined };
    }
    facts.token_type = tokens?.token_type;
    facts.certificate_bound = c.results.some((check) => check.id === 'mtls.cnf_x5t' && check.status === 'pass');
    // mTLS: userinfo must refuse the certificate-bound token without the certificate (before the lifecycle rotates it).
    if (certificate) {
      const plain = typeof metadata.userinfo_endpoint === 'string' ? metadata.userinfo_endpoint : undefined;
      const viaMtls = endpoint('userinfo_endpoint');
      if (!tokens) for (const id of MTLS_PROBE_IDS) c.skip(id, 'no tokens: the grant failed');
      else if (mode !== 'authorization_code') for (const id of MTLS_PROBE_IDS) c.skip(id, 'the binding is probed at userinfo, with a user\'s token (--browser-command)');
      else if (!facts.certificate_bound) for (const id of MTLS_PROBE_IDS) c.skip(id, 'the token is not seen to be bound to the certificate (mtls.cnf_x5t)');
      else if (!plain || !viaMtls) for (const id of MTLS_PROBE_IDS) c.skip(id, 'discovery lists no userinfo_endpoint to probe');
      else {
        ui.step('mTLS at userinfo: the certificate-bound token without the certificate');
        await timed('mtls probes', () => probeMtls(http, { mtls_userinfo: viaMtls, plain_userinfo: plain, access_token: tokens!.access_token }, c));
      }
    }
    // DPoP: userinfo must refuse the bound token without a valid proof of its key (before the lifecycle rotates it).
    if (settings.dpop) {
      const userinfo_endpoint = endpoint('userinfo_endpoint');
      if (!tokens || !dpopKey) for (const id of DPOP_PROBE_IDS) c.skip(id, mode === 'authorization_code' ? 'no DPoP-bound tokens: the login failed' : 'DPoP is probed on the user flow only (--browser-command)');
      else if (tokens.token_type?.toLowerCase() !== 'dpop') for (const id of DPOP_PROBE_IDS) c.skip(id, `the IdP issued token_type "${tokens.token_type}", not a bound token (dpop.token_type)`);
      else if (!userinfo_endpoint) for (const id of DPOP_PROBE_IDS) c.skip(id, 'discovery lists no userinfo_endpoint to probe');
      else {
        ui.step(`DPoP at userinfo: the bound token as Bearer, a replayed proof, a proof for another URL and method`);
        await timed('dpop probes', () => probeDpop(http, { userinfo_endpoint, access_token: tokens!.access_token, key: dpopKey! }, c));
      }
      // RFC 9449 §5: a public client's refresh token is bound to its key; one taken without a proof
      // rotates the grant, so the lifecycle goes on with what came back.
      const rebound = tokens && dpopKey && token_endpoint ? await timed('dpop refresh', () => probeRefreshBound(http, { token_endpoint, client, tokens: tokens!, key: dpopKey! }, c)) : undefined;
      if (!tokens || !dpopKey || !token_endpoint) c.skip('dpop.refresh_bound', 'no DPoP-bound grant to refresh');
      else if (rebound) tokens = { ...tokens, refresh_token: rebound };
    }
    // Before the lifecycle: a refresh rotates and --destructive revokes the tokens the resource is asked about.
    if (resource) {
      if (!tokens) for (const id of RESOURCE_PROBE_IDS) c.skip(id, 'no tokens: the grant failed');
      else {
        ui.step(`The resource with the token issued for it: ${resource.url}`);
        await timed('resource calls', () => probeResourceTokens(http, { url: resource.url, indicator: resource.indicator, access_token: tokens.access_token, id_token: tokens.id_token, expired_token: settings.resource?.expiredToken, dpop: dpopKey && { key: dpopKey, token_type: tokens.token_type } }, { ui: quiet, signal: deps.signal }, c));
      }
    }
    if (!tokens) {
      for (const id of [...REFRESH_IDS, ...INTROSPECTION_IDS, ...REVOCATION_IDS]) c.skip(id, 'no tokens: the grant failed');
    } else if (wants(['refresh', 'introspection', 'revocation'])) {
      ui.step(`Token lifecycle: refresh, introspection${settings.destructive ? ', refresh-token replay, revocation' : ''}`);
      await timed('lifecycle', () => checkLifecycle({ session, tokens, destructive: settings.destructive, expectRotation: settings.expectRotation, otherClient: settings.otherClient, dpop: dpopKey }, c));
    }
    return c.results;
  };

  // RFC 9126: an IdP that requires pushed requests refuses every other one, so each probe pushes too
  // (the login pushes by itself, login-flow.ts); with --par, where it is optional, as well.
  const parRequired = metadata.require_pushed_authorization_requests === true;
  const pushEndpoint = parRequired || settings.par ? endpoint('pushed_authorization_request_endpoint') : undefined;
  const pushEach = (endpointUrl: string) => async (url: URL) => {
    const pushed = await pushAuthorizationRequest(http, { endpoint: endpointUrl, params: url.searchParams, client, issuer: discovery.issuer });
    if (!pushed.request_uri) return { refused: pushed.checks.find((check) => check.status === 'fail')?.message ?? `HTTP ${pushed.status}` };
    return { url: pushedReference(authorization_endpoint!, client.client_id, pushed.request_uri) };
  };

  // RFC 9101: where the IdP requires signed request objects, each probe signs its request too (the login
  // signs by itself); with --request-object, where it is optional, as well. probe.jar_unsigned sends alg none.
  const jarRequired = metadata.require_signed_request_object === true;
  const requestObjectKey = settings.requestObjectKey ?? client.privateKey;
  const requestObject = async (url: URL, alg: 'signed' | 'none') => {
    const claims = requestObjectClaims(url.searchParams, { client_id: client.client_id, issuer: discovery.issuer, now: Math.floor(Date.now() / 1000) });
    const signed = alg === 'signed' && requestObjectKey ? await signRequestObject(claims, { key: requestObjectKey, alg: requestObjectAlg(requestObjectKey, metadata.request_object_signing_alg_values_supported).alg }) : unsignedRequestObject(claims);
    return byValue(authorization_endpoint!, client.client_id, signed);
  };

  // 2b. The probes, independent of the login and of each other.
  const front = !noUserFlow
    ? frontChannel(
        {
          authorization_endpoint: authorization_endpoint!,
          client_id: client.client_id,
          scope: settings.scope,
          browser: deps.browser!,
          listener: settings.listener,
          waitMs: () => Math.min(remainingMs(), 60_000),
          refusalWaitMs: () => Math.min(remainingMs(), 30_000),
          signal: deps.signal,
          trace: (line) => ui.trace(line),
          addSecret: (value) => http.addSecret(value),
          addToken: (value) => http.addToken(value),
          log: deps.log,
          ...(pushEndpoint ? { push: pushEach(pushEndpoint) } : {}),
          requestObject,
          signs: (jarRequired || settings.requestObject === true) && requestObjectKey !== undefined,
        },
        settings.concurrency,
      )
    : undefined;
  const grantTypes = metadata.grant_types_supported;
  const probeEnv: ProbeEnv | undefined = token_endpoint
    ? {
        http,
        token_endpoint,
        client,
        front,
        scope: settings.clientCredentialsScope,
        userinfo_endpoint: endpoint('userinfo_endpoint'),
        grant_types_supported: Array.isArray(grantTypes) && grantTypes.every((t) => typeof t === 'string') ? (grantTypes as string[]) : undefined,
        parRequired,
        pushes: pushEndpoint !== undefined,
        jarRequired,
        resource: resource && { url: resource.url, indicator: resource.indicator, other: settings.resource?.otherResource, scope },
      }
    : undefined;
  const probeRuns: CheckOutcome['probes'] = [];
  const probePhase = async (): Promise<CheckResult[]> => {
    // The resource's probes belong to check --resource only.
    const chosen = PROBES.filter((probe) => probe.ids.some(runs) && (resource || !probe.ids.every((id) => id.startsWith('resource.'))));
    if (chosen.length === 0) return [];
    ui.step(`Active probes: ${chosen.length}${front ? `, up to ${settings.listener.port === 0 ? settings.concurrency : 1} browser runs at once` : ''}`);
    const results = await timed('probes', () =>
      Promise.all(
        chosen.map(async (probe) => {
          const c = new CheckRecorder();
          const t0 = performance.now();
          const runnable = probeEnv && (probe.needs === 'any' || front);
          if (!runnable) for (const id of probe.ids) c.skip(id, discovery.refused ? `stopped at discovery: ${discovery.refused}` : (noUserFlow ?? 'discovery lists no token_endpoint'));
          else await probe.run(probeEnv, c);
          const ms = Math.round(performance.now() - t0);
          probeRuns.push({ name: probe.name, ids: probe.ids, ran: Boolean(runnable), ms });
          ui.detail(`${probe.name}: ${c.results.map((r) => `${r.id} ${r.status}`).join(', ')} (${ms} ms)`);
          return c.results;
        }),
      ),
    );
    return results.flat();
  };

  // A fixed listener port cannot serve the login and the probes at once.
  const [phase2, phase3] = settings.listener.port === 0 ? await Promise.all([grantPhase(), probePhase()]) : [await grantPhase(), await probePhase()];
  probeRuns.sort((a, b) => PROBES.findIndex((p) => p.name === a.name) - PROBES.findIndex((p) => p.name === b.name));
  const judged = reconcile(settings.policies ?? [], [...(resource?.checks ?? []), ...phase1, ...phase2, ...phase3]);
  // 4. The policies, over everything judged (before --only/--skip, which only choose what is shown).
  const policy = new CheckRecorder();
  if (settings.policies?.length) judgePolicies(settings.policies, { metadata, checks: judged, facts }, policy, discovery.refused && `stopped at discovery: ${discovery.refused}`);
  const checks = groupStable([...judged, ...policy.results].filter((check) => settings.select(check.id)));
  steps.push({ name: 'total', ms: Date.now() - started });
  return { checks, steps, mode, client_auth: client.method, metadata, noUserFlow, probes: probeRuns };
}

function noGrant(refused: string | undefined, resource: boolean): CheckResult[] {
  const c = new CheckRecorder();
  const reason = refused ? `stopped at discovery: ${refused}` : 'no user flow (--browser-command) and no client secret or key for client_credentials: no tokens to judge';
  for (const id of [...REFRESH_IDS, ...INTROSPECTION_IDS, ...REVOCATION_IDS, ...(resource ? RESOURCE_PROBE_IDS : [])]) c.skip(id, reason);
  return c.results;
}

/** Groups stay together in the order they first appear; within a group, the order of judging. */
function groupStable(checks: CheckResult[]): CheckResult[] {
  const order = new Map<string, number>();
  for (const check of checks) if (!order.has(groupOf(check.id))) order.set(groupOf(check.id), order.size);
  return checks
    .map((check, index) => ({ check, index }))
    .sort((a, b) => order.get(groupOf(a.check.id))! - order.get(groupOf(b.check.id))! || a.index - b.index)
    .map(({ check }) => check);
}
