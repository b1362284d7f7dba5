import { DEFAULT_CLOCK_SKEW_SECONDS } from '../util/duration.js';
import { resolve } from 'node:path';
import { loadClientCertificate } from '../core/mtls.js';
import { loadPrivateKey, type ClientCredentials } from '../core/client-auth.js';
import { runCheck, type CheckOutcome, type CheckSettings } from '../core/check/run.js';
import type { SessionClient } from '../core/session.js';
import { discoveryUrls } from '../core/discovery.js';
import { auditResource, parseResourceUrl } from '../core/resource/protected-resource.js';
import { selection } from '../core/check/select.js';
import { CliError, usageError } from '../errors.js';
import { renderJunit, renderJunitError } from '../report/junit.js';
import { renderSarif, renderSarifError } from '../report/sarif.js';
import { applyBaseline, baselineOf, parseBaseline, type Baseline } from '../report/baseline.js';
import { countStatuses, isOk, type Report, type Section } from '../report/model.js';
import { clientMetadataDocument, isClientIdUrl } from '../core/client-metadata-document.js';
import { isPolicyName, POLICIES, type PolicyName } from '../core/check/policy.js';
import { readSecretFile, resolveClient, resolveClientPartial, type ClientFlags } from '../store/profiles.js';
import { browserFor } from '../ui/browser.js';
import type { Context } from './context.js';
import { htmlPathOf, writeHtmlReport } from './html-file.js';
import { DEFAULT_SCOPE, listenerFor } from './login-options.js';

/** The client flags every issuer-facing command shares (issuer, client, secret, scope, redirect_uri), plus its own. */
export interface CheckOptions extends ClientFlags {
  port?: string;
  browserCommand?: string;
  destructive?: boolean;
  expectRotation?: boolean;
  only?: string[];
  skip?: string[];
  junit?: string;
  sarif?: string;
  html?: string;
  failOn?: 'warn' | 'fail';
  baseline?: string;
  updateBaseline?: boolean;
  concurrency?: string;
  clockSkew?: number;
  otherClientId?: string;
  otherClientSecretFile?: string;
  resource?: string;
  /** RFC 7591: also register a native client (creates one at the IdP). */
  register?: boolean;
  /** --policy NAME (repeatable): security profiles judged over the run (core/check/policy.ts). */
  policy?: string[];
  /** An access token for the resource whose exp has passed, for resource.reject_expired. */
  expiredToken?: string;
  /** Another API of the IdP: a token asked for it must be refused by --resource (resource.reject_other_audience). */
  otherResource?: string;
  all?: boolean;
  dpop?: boolean;
  par?: boolean;
  requestObject?: boolean;
  requestObjectKey?: string;
}

const DEFAULT_TIMEOUT_SECONDS = 120;
const DEFAULT_CONCURRENCY = 4;

async function settingsFrom(options: CheckOptions, context: Context): Promise<CheckSettings & { browserCommand: string | undefined; redirectUri: string | undefined }> {
  const select = selection(options.only, options.skip);
  const concurrency = options.concurrency === undefined ? DEFAULT_CONCURRENCY : Number(options.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 16) throw usageError(`--concurrency: "${options.concurrency}" is not a number from 1 to 16`);
  const client = await resolveClient(options, context);
  const credentials: ClientCredentials = { client_id: client.client_id, method: client.client_auth };
  if (client.client_secret) credentials.client_secret = client.client_secret;
  if (client.client_auth === 'private_key_jwt') credentials.privateKey = await loadPrivateKey(client.private_key_file!);
  if (client.cert_file && client.key_file) credentials.certificate = await loadClientCertificate(client.cert_file, client.key_file);
  const browserCommand = options.browserCommand ?? (context.env.BROWSER || undefined);
  if (options.requestObject && !options.requestObjectKey && !credentials.privateKey) throw usageError('--request-object needs a key to sign with', 'pass --request-object-key FILE, or --private-key FILE for a private_key_jwt client (that key is used)');
  return {
    issuer: client.issuer,
    client: credentials,
    clientAuthExplicit: client.client_auth_explicit,
    scope: options.scope ?? (browserCommand ? client.scope : undefined) ?? DEFAULT_SCOPE,
    clientCredentialsScope: options.scope ?? (browserCommand ? undefined : client.scope),
    listener: listenerFor({ ...options, redirectUri: options.redirectUri ?? client.redirect_uri }),
    redirectUri: options.redirectUri ?? client.redirect_uri,
    browserCommand,
    timeoutSeconds: context.globals.timeout ?? DEFAULT_TIMEOUT_SECONDS,
    clockSkew: options.clockSkew ?? DEFAULT_CLOCK_SKEW_SECONDS,
    showTokens: context.globals.showTokens,
    destructive: options.destructive === true,
    expectRotation: options.expectRotation,
    concurrency,
    select,
    insecure: context.globals.insecure,
    otherClient: await otherClientFrom(options, context),
    dpop: options.dpop === true,
    par: options.par === true,
    register: options.register === true,
    policies: policiesFrom(options.policy),
    requestObject: options.requestObject === true || options.requestObjectKey !== undefined,
    requestObjectKey: options.requestObjectKey ? await loadPrivateKey(options.requestObjectKey, '--request-object-key') : undefined,
  };
}

/**
 * --resource URL: an API or MCP server to smoke-test with its authorization server (docs/api.md). Without
 * --issuer (or OIDC_ISSUER, or a profile's), the resource's own RFC 9728 metadata names the issuer: the
 * audit that found it is handed on, not repeated.
 */
async function resourceFrom(options: CheckOptions, context: Context): Promise<NonNullable<CheckSettings['resource']> | undefined> {
  if (options.resource === undefined) {
    if (options.expiredToken !== undefined) throw usageError('--expired-token goes with --resource: it is sent to that API to see that it refuses it');
    if (options.otherResource !== undefined) throw usageError('--other-resource goes with --resource: a token asked for it is sent to that API to see that it refuses it');
    return undefined;
  }
  const url = parseResourceUrl(options.resource, '--resource').href;
  const partial = await resolveClientPartial(options, context);
  // A scope the user chose (flag or profile) stands; otherwise the resource says which it needs.
  const scopeFromResource = options.scope === undefined && !partial.scope;
  const expired = {
    ...(options.expiredToken === undefined ? {} : { expiredToken: await expiredTokenFrom(options.expiredToken, context) }),
    ...(options.otherResource === undefined ? {} : { otherResource: parseResourceUrl(options.otherResource, '--other-resource').href }),
  };
  if (partial.issuer) return { url, scopeFromResource, ...expired };
  const http = await context.http({ timeoutSeconds: Math.min(30, context.globals.timeout ?? DEFAULT_TIMEOUT_SECONDS) });
  const audit = await auditResource(http, url, { ui: context.ui, signal: context.signal, insecure: context.globals.insecure });
  const issuer = audit.authorizationServers[0];
  if (!issuer) {
    const error = usageError(`--resource ${url} names no authorization server that can be asked (see the resource.* checks)`, 'pass --issuer URL: the authorization server whose tokens the resource takes');
    error.judged = audit.checks;
    throw error;
  }
  context.ui.detail(`the resource's metadata names ${issuer}: checking it`);
  options.issuer = issuer;
  return { url, audit, scopeFromResource, ...expired };
}

/** --expired-token FILE: one token, read like a secret file (bounded, no symlink tricks). */
async function expiredTokenFrom(path: string, context: Context): Promise<string> {
  const token = await readSecretFile(path, context.ui.warn);
  // RFC 6750 §2.1 b64token: what a Bearer credential may be made of.
  if (!/^[A-Za-z0-9\-._~+/]+=*$/.test(token)) throw usageError(`--expired-token ${path}: not one token (expected a JWT or an opaque access token on one line)`);
  return token;
}

/** --other-client-id with --other-client-secret-file: a second confidential client, for introspection.other_client. */
async function otherClientFrom(options: CheckOptions, context: Context): Promise<SessionClient | undefined> {
  if (options.otherClientId === undefined && options.otherClientSecretFile === undefined) return undefined;
  if (!options.otherClientId || !options.otherClientSecretFile) throw usageError('--other-client-id and --other-client-secret-file go together: a second confidential client of the same IdP');
  const client_secret = await readSecretFile(options.otherClientSecretFile, context.ui.warn);
  context.addSecret(client_secret);
  return { client_id: options.otherClientId, client_secret };
}

/**
 * `oidc-cli check`: the IdP smoke test for CI. Discovery and keys, a real login through
 * --browser-command (or client credentials), the token lifecycle, and the active probes; a human or
 * JSON report on stdout, JUnit XML in --junit FILE. Failed checks exit 1 (main.ts).
 */
export async function run(options: CheckOptions, context: Context): Promise<Report> {
  if (options.failOn !== undefined && options.failOn !== 'warn' && options.failOn !== 'fail') throw usageError(`--fail-on ${String(options.failOn)}: expected warn or fail`);
  // --fail-on warn is --strict for this run: main.ts reads the same globals for the exit code.
  if (options.failOn === 'warn') context.globals.strict = true;
  if (options.junit !== undefined && options.junit.trim() === '') throw usageError('--junit needs a file name');
  if (options.sarif !== undefined && options.sarif.trim() === '') throw usageError('--sarif needs a file name');
  if (options.updateBaseline && options.baseline === undefined) throw usageError('--update-baseline writes the --baseline FILE: give --baseline FILE too');
  const junitPath = options.junit === undefined ? undefined : resolve(options.junit);
  // Read before the run, so a baseline that cannot be used stops it at once (exit 2), not minutes later.
  const baselinePath = options.baseline === undefined ? undefined : resolve(options.baseline);
  const baseline = baselinePath !== undefined && !options.updateBaseline ? await readBaseline(baselinePath) : undefined;
  const sarifPath = options.sarif === undefined ? undefined : resolve(options.sarif);
  const htmlPath = htmlPathOf(options.html);
  const resource = await resourceFrom(options, context);
  const settings = { ...(await settingsFrom(options, context)), ...(resource ? { resource } : {}) };
  const http = await context.http({ timeoutSeconds: Math.min(30, settings.timeoutSeconds) });
  if (settings.client.client_secret) http.addSecret(settings.client.client_secret);
  // A URL client_id: its document is judged first, and gives the listener its redirect URI (as for login).
  if (isClientIdUrl(settings.client.client_id)) {
    const found = await clientMetadataDocument(http, { client_id: settings.client.client_id, issuer: settings.issuer, askedRedirectUri: settings.redirectUri }, { ui: context.ui, signal: context.signal });
    settings.clientDocument = { checks: found.checks, refusal: found.redirect ? undefined : found.refusal };
    if (found.redirect && settings.redirectUri === undefined) settings.listener = found.redirect.listener;
  }
  if (!settings.browserCommand) context.ui.warn('no --browser-command: the login and the probes that need a signed-in user are skipped');

  const suite = `oidc-cli check ${settings.issuer}`;
  let outcome: CheckOutcome;
  try {
    const browser = settings.browserCommand ? browserFor({ noBrowser: false, command: settings.browserCommand, print: context.ui.trace }) : undefined;
    outcome = await runCheck(settings, { http, ui: context.ui, browser, signal: context.signal, log: context.flowLog });
  } catch (error) {
    // Could not complete (exit 3 or 4): CI still gets a JUnit file that says why.
    if (junitPath !== undefined && error instanceof CliError && error.code !== 'USAGE' && error.code !== 'INPUT') {
      // The run's own error is the one to report; a JUnit file that cannot be written is said in one warning.
      await context.writeFile(junitPath, renderJunitError(suite, error, { warningsFail: context.globals.strict }), '--junit').catch((failure: Error) => context.ui.warn(failure.message));
    }
    if (sarifPath !== undefined && error instanceof CliError && error.code !== 'USAGE' && error.code !== 'INPUT') {
      await context.writeFile(sarifPath, renderSarifError(error.message, { toolVersion: context.version, exitCode: error.exitCode, location: discoveryUrls(settings.issuer).openid, warningsFail: context.globals.strict }, error.judged), '--sarif').catch((failure: Error) => context.ui.warn(failure.message));
    }
    if (htmlPath !== undefined) await writeHtmlReport(htmlPath, 'check', settings.issuer, error, context);
    throw error;
  }
  const report = buildReport(settings, outcome, junitPath);
  if (options.all) report.listAll = true;
  report.data.flow = context.flowLog.events;
  if (baselinePath !== undefined) await useBaseline(report, settings.issuer, baselinePath, baseline, context);
  if (junitPath !== undefined) {
    const probeMs = new Map<string, number>(outcome.probes.flatMap((probe) => probe.ids.map((id) => [id, probe.ms] as const)));
    await context.writeFile(junitPath, renderJunit(report, { warningsFail: context.globals.strict, name: suite, msOf: (id) => probeMs.get(id) }), '--junit');
    context.ui.detail(`JUnit report written to ${junitPath} (${isOk(report, context.globals.strict) ? 'passing' : 'failing'})`);
  }
  if (sarifPath !== undefined) {
    // An IdP has no source file: every finding points at the metadata document it was judged from.
    const location = discoveryUrls(settings.issuer).openid;
    const exitCode = isOk(report, context.globals.strict) ? 0 : 1;
    await context.writeFile(sarifPath, renderSarif(report, { toolVersion: context.version, location, exitCode, warningsFail: context.globals.strict }), '--sarif');
    context.ui.detail(`SARIF report written to ${sarifPath}`);
  }
  if (htmlPath !== undefined) await writeHtmlReport(htmlPath, 'check', settings.issuer, report, context);
  return report;
}

/**
 * --baseline: the findings listed there are accepted (marked, failing nothing); --update-baseline first
 * writes today's findings there, so every one of them is accepted from now on.
 */
async function useBaseline(report: Report, issuer: string, path: string, read: Baseline | undefined, context: Context): Promise<void> {
  let baseline = read;
  if (!baseline) {
    baseline = baselineOf(report.checks, issuer);
    await context.writeFile(path, `${JSON.stringify(baseline, null, 2)}\n`, '--baseline');
    context.ui.detail(`baseline written to ${path}: ${baseline.accepted.length} finding(s) accepted`);
  }
  if (baseline.issuer !== undefined && baseline.issuer !== issuer) context.ui.warn(`--baseline ${path} was written for ${baseline.issuer}, not ${issuer}`);
  const accepted = applyBaseline(report.checks, baseline, path);
  report.data.baseline = { path, accepted, updated: read === undefined };
}

async function readBaseline(path: string): Promise<Baseline> {
  const { readLocalFile } = await import('../util/local-file.js');
  return parseBaseline(await readLocalFile(path, `--baseline file ${path}`), path);
}

function buildReport(settings: CheckSettings, outcome: CheckOutcome, junitPath: string | undefined): Report {
  const groups = new Map<string, Report['checks']>();
  for (const check of outcome.checks) {
    const group = check.id.split('.')[0]!;
    groups.set(group, [...(groups.get(group) ?? []), check]);
  }
  const summary = [...groups].map(([group, checks]) => {
    const n = countStatuses(checks);
    return { group, ...n };
  });
  const data: Record<string, unknown> = {
    issuer: settings.issuer,
    resource: settings.resource?.url ?? null,
    client_id: settings.client.client_id,
    client_auth: outcome.client_auth,
    grant: outcome.mode,
    user_flow: outcome.noUserFlow === undefined,
    destructive: settings.destructive,
    probes: outcome.probes,
    groups: summary,
    policies: settings.policies ?? [],
    junit: junitPath ?? null,
  };
  const sections: Section[] = [
    {
      title: 'Check',
      kind: 'fields',
      fields: [
        ['issuer', settings.issuer],
        ...(settings.resource ? ([['resource', settings.resource.url]] as Array<[string, string]>) : []),
        ['client_id', `${settings.client.client_id} (${outcome.client_auth})`],
        ['grant', outcome.mode === 'authorization_code' ? 'authorization code + PKCE through --browser-command' : outcome.mode === 'client_credentials' ? 'client credentials (no user flow)' : 'none (no user flow, no client secret)'],
        ['probes', `${outcome.probes.filter((p) => p.ran).length} run, ${outcome.probes.filter((p) => !p.ran).length} skipped${settings.destructive ? ' (destructive included)' : ' (destructive ones need --destructive)'}`],
        ...(settings.policies?.length ? ([['policy', settings.policies.map((name) => POLICIES.get(name)!.title).join('; ')]] as Array<[string, string]>) : []),
        ...(junitPath ? ([['junit', junitPath]] as Array<[string, string]>) : []),
      ],
    },
    { title: 'By group', kind: 'table', columns: ['group', 'pass', 'fail', 'warn', 'skip'], rows: summary.map((s) => [s.group, String(s.pass), String(s.fail), String(s.warn), String(s.skip)]) },
  ];
  return { command: 'check', checks: outcome.checks, data, sections, steps: outcome.steps };
}

function policiesFrom(names: string[] | undefined): PolicyName[] {
  return (names ?? []).map((name) => {
    if (!isPolicyName(name)) throw usageError(`--policy ${name}: not a policy oidc-cli knows`, `use ${new Intl.ListFormat('en', { type: 'disjunction' }).format([...POLICIES.keys()])}`);
    return name;
  });
}
