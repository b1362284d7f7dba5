import type { JWK } from 'jose';
import type { CheckResult } from '../checks/types.js';
import { chooseClientAuth, loadPrivateKey, type ClientCredentials } from '../core/client-auth.js';
import { discover, requiredMember } from '../core/discovery.js';
import { fetchJwks } from '../core/jwks.js';
import type { KeySource, TokenExpectations, ValidationResult } from '../core/jwt/types.js';
import { validateJwt } from '../core/jwt/validate.js';
import { classifyToken } from '../core/token-endpoint.js';
import { CliError, inputError, ReportedStop, usageError } from '../errors.js';
import { metadataRefusal } from '../core/metadata-trust.js';
import { CheckRecorder } from '../checks/recorder.js';
import type { HttpClient } from '../http/types.js';
import type { TokenPrefix } from '../checks/catalogue/tokens.js';
import { listEntries, loadTokens, saveTokensChecked, type StoreContext, type TokenEntry } from '../store/cache.js';
import { resolveClientPartial, type ClientFlags, type PartialClient } from '../store/profiles.js';
import { DEFAULT_CLOCK_SKEW_SECONDS, relativeTime } from '../util/duration.js';
import { cacheTokenResponse, flagLine, verdictData, type CacheOutcome } from '../store/cache-policy.js';
import type { CacheVerdict } from '../store/cache.js';
import { cleanTokenInput, MAX_TOKEN_BYTES } from '../core/jwt/parse.js';
import type { Context } from './context.js';

/** What `token`, `refresh`, `introspect`, `revoke` and `userinfo` share: who we are, where the IdP is, what is cached. */
export interface Session {
  context: Context;
  http: HttpClient;
  client: PartialClient & { issuer: string; client_id: string };
  credentials: ClientCredentials;
  metadata: Record<string, unknown>;
  discoveryChecks: CheckResult[];
  /** The cached login for this issuer and client, if any. */
  cached: TokenEntry | undefined;
  store: StoreContext;
  /** The issuer's keys from jwks_uri, fetched on first use. */
  keys(): Promise<KeySource>;
  /** An endpoint from discovery; a usage error naming the member when the IdP does not advertise it. */
  endpoint(member: string): string;
  /** Validates a JWS or JWE (undefined for an opaque token) with the issuer's keys. */
  validate(token: string, prefix: TokenPrefix, expect?: TokenExpectations): Promise<ValidationResult | undefined>;
  /** Tolerance for exp/nbf/iat (--clock-skew), seconds. */
  clockSkew: number;
  /** Rewrites a cached entry as it is (its verdict kept), judged as `cache.write` in `checks`; false when it could not be written (warned). */
  save(entry: TokenEntry, checks: CheckRecorder): Promise<boolean>;
  /** Caches a token response with the verdict of `judged` (store/cache-policy.ts), judged as `cache.write` in `checks`. */
  cacheResponse(entry: TokenEntry, judged: readonly CheckResult[], checks: CheckRecorder, incomplete?: boolean): Promise<CacheOutcome>;
}

/** The flags every lifecycle command shares: the client's, and --clock-skew. */
export interface SessionFlags extends ClientFlags {
  clockSkew?: number;
}

export const LOGIN_HINT = 'log in first: oidc-cli login --issuer URL --client-id ID (or --profile NAME)';

export interface Picked {
  client: Session['client'];
  cached: TokenEntry | undefined;
  store: StoreContext;
}

/** Picks issuer and client: flags, env and profile first; else the one cached login that matches. No network. */
export async function pickClient(options: ClientFlags, context: Context, useCache: boolean): Promise<Picked> {
  const store: StoreContext = { env: context.env, warn: (line) => context.ui.warn(line) };
  const partial = await resolveClientPartial(options, context);
  if (partial.issuer && partial.client_id) {
    const client = partial as Session['client'];
    return { client, cached: useCache ? await loadTokens(client, store) : undefined, store };
  }
  if (!useCache) {
    if (!partial.issuer) throw usageError('no issuer: pass --issuer URL or set OIDC_ISSUER, or use --profile NAME');
    throw usageError('no client id: pass --client-id ID or set OIDC_CLIENT_ID, or use --profile NAME');
  }
  const matching = (await listEntries(store)).filter((e) => (!partial.issuer || e.issuer === partial.issuer) && (!partial.client_id || e.client_id === partial.client_id));
  if (matching.length === 0) throw inputError(`no cached login${partial.issuer ? ` for ${partial.issuer}` : ''}${partial.client_id ? ` and client ${partial.client_id}` : ''}`, LOGIN_HINT);
  if (matching.length > 1) {
    const list = matching.map((e) => `${e.issuer} (client ${e.client_id})`).join(', ');
    throw usageError(`several cached logins match: ${list}`, 'pick one with --issuer and --client-id, or --profile NAME');
  }
  const entry = matching[0]!;
  return { client: { ...partial, issuer: entry.issuer, client_id: entry.client_id }, cached: entry, store };
}

export async function openSession(options: SessionFlags, context: Context, config: { useCache: boolean; picked?: Picked }): Promise<Session> {
  const { client, cached, store } = config.picked ?? (await pickClient(options, context, config.useCache));
  const http = await context.http();
  if (client.client_secret) http.addSecret(client.client_secret);
  for (const token of [cached?.access_token, cached?.refresh_token, cached?.id_token]) if (token) http.addSecret(token);

  context.ui.step(`Discovery of ${client.issuer}`);
  const discovery = await discover(http, client.issuer);
  const failing = discovery.checks.filter((check) => check.status === 'fail');
  const metadata = discovery.metadata;
  const insecure = context.globals.insecure;
  // Nothing is sent anywhere a document names when the document is another issuer's (OIDC Discovery §4.3).
  const refused = metadataRefusal(client.issuer, metadata, [], insecure);
  if (refused) throw untrusted(refused, discovery.checks, client);
  if (failing.length) context.ui.warn(`discovery of ${client.issuer} has ${failing.length} failing check(s) (${failing.map((c) => c.id).join(', ')}); run oidc-cli discover for details`);

  const method = chooseClientAuth(client.client_auth_explicit ? client.client_auth : undefined, { secret: Boolean(client.client_secret), key: Boolean(client.private_key_file) }, metadata.token_endpoint_auth_methods_supported);
  const credentials: ClientCredentials = { client_id: client.client_id, method };
  if (client.client_secret) credentials.client_secret = client.client_secret;
  if (method === 'private_key_jwt' && client.private_key_file) credentials.privateKey = await loadPrivateKey(client.private_key_file);
  context.ui.detail(`client ${client.client_id}, authentication ${method}${client.profile ? `, profile ${client.profile}` : ''}`);

  let keys: Promise<KeySource> | undefined;
  const loadKeys = (): Promise<KeySource> => {
    const jwksUri = requiredMember(client.issuer, metadata, 'jwks_uri');
    const load = async (): Promise<JWK[]> => (await fetchJwks(http, jwksUri)).jwks.keys;
    keys ??= load().then((list) => ({ keys: list, label: `jwks_uri ${jwksUri}`, published: true, refetch: load }));
    return keys;
  };

  const session: Session = {
    context,
    http,
    client,
    credentials,
    metadata,
    discoveryChecks: discovery.checks,
    cached,
    store,
    keys: loadKeys,
    clockSkew: options.clockSkew ?? DEFAULT_CLOCK_SKEW_SECONDS,
    endpoint(member) {
      const value = metadata[member];
      if (typeof value !== 'string' || value === '') throw usageError(`${client.issuer} advertises no ${member} in its discovery document`, 'the IdP may not support this feature, or it is disabled for this deployment');
      // Checked when first used, before any request: a credential never goes to a plain-http endpoint.
      const endpointRefused = metadataRefusal(client.issuer, metadata, [member], insecure);
      if (endpointRefused) throw untrusted(endpointRefused, discovery.checks, client);
      return value;
    },
    async validate(token, prefix, expect = {}) {
      // A JWE is judged too: it cannot be decrypted here, so its *.jwe check fails (jwt/jwe.ts).
      if (classifyToken(token) === 'opaque') return undefined;
      const algs = metadata.id_token_signing_alg_values_supported;
      const expectations: TokenExpectations = { issuer: client.issuer, ...expect };
      if (prefix === 'id_token' && Array.isArray(algs)) expectations.advertisedAlgorithms = algs.filter((a): a is string => typeof a === 'string');
      try {
        return await validateJwt(token, { prefix, keys: await loadKeys(), expect: expectations, clockSkew: session.clockSkew, now: Math.floor(Date.now() / 1000) });
      } catch (error) {
        // A token from the IdP that does not even parse is the IdP's fault: a failed check, not exit 2.
        if (!(error instanceof CliError) || error.code !== 'INPUT') throw error;
        return unparseable(token, prefix, error.message);
      }
    },
    async save(entry, checks) {
      const saved = await saveTokensChecked(entry, store, checks);
      if (saved.saved) context.ui.detail(`cached in ${saved.path}`);
      return saved.saved;
    },
    async cacheResponse(entry, judged, checks, incomplete = false) {
      const saved = await cacheTokenResponse(entry, judged, store, checks, incomplete);
      if (saved.saved) context.ui.detail(`cached in ${saved.path}`);
      return saved;
    },
  };
  return session;
}

/** The stop of a session on untrusted discovery: the failed discovery checks are the report (exit 1). */
function untrusted(reason: string, discoveryChecks: CheckResult[], client: Session['client']): ReportedStop {
  const checks = discoveryChecks.filter((check) => check.status === 'fail' || check.status === 'warn');
  return new ReportedStop(reason, {
    checks,
    data: { issuer: client.issuer, client_id: client.client_id, stopped_at: reason },
    sections: [{ title: 'Stopped at discovery', kind: 'text', text: `${reason}. Nothing was sent to the endpoints it names; run oidc-cli discover --issuer ${client.issuer} for the full audit.` }],
  });
}

/** The token to act on: the argument, stdin for "-", or the cached one. */
export async function tokenArgument(value: string | undefined, context: Context, fromCache: () => string | undefined, what: string): Promise<{ token: string; source: 'argument' | 'stdin' | 'cache' }> {
  if (value === '-') {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of context.stdin) {
      size += (chunk as Buffer).length;
      // Refuse at the cap instead of buffering whatever is piped in (same limit as decode).
      if (size > MAX_TOKEN_BYTES) throw inputError(`the ${what} on stdin is over ${MAX_TOKEN_BYTES} bytes`);
      chunks.push(Buffer.from(chunk as Buffer));
    }
    const token = cleanTokenInput(Buffer.concat(chunks).toString('utf8'));
    if (!token) throw inputError(`no ${what} on stdin`);
    return { token, source: 'stdin' };
  }
  if (value !== undefined) {
    if (!value.trim()) throw inputError(`the ${what} argument is empty`);
    return { token: value.trim(), source: 'argument' };
  }
  const cached = fromCache();
  if (!cached) throw inputError(`no ${what} given and none cached`, `pass it as an argument (or - for stdin), or ${LOGIN_HINT}`);
  return { token: cached, source: 'cache' };
}

/**
 * A command that acts on a cached token says whether that entry was flagged (its checks failed when it
 * was cached): on stderr, and as `cache_entry` in its report. Undefined when the token is not the cache's.
 */
export function cachedVerdict(session: Session, source: string): CacheVerdict | undefined {
  if (source !== 'cache') return undefined;
  const verdict = verdictData(session.cached);
  if (verdict.flagged) session.context.ui.warn(`the cached login for ${session.client.issuer} (client ${session.client.client_id}) is ${flagLine(verdict)} when it was obtained; investigating it anyway`);
  return verdict;
}

/** Failed checks of a local validation, as one line for explanations. */
export function locallyValid(result: ValidationResult | undefined): boolean {
  return result?.signature.verified === true && result.checks.every((check) => check.status !== 'fail');
}

/** Using an expired cached access token explains the 401 or the inactive answer that follows. */
export function warnIfExpired(session: Session, source: string): void {
  const cached = session.cached;
  const now = Math.floor(Date.now() / 1000);
  if (source !== 'cache' || cached?.expires_at === undefined || cached.expires_at > now) return;
  session.context.ui.warn(`the cached access token expired ${relativeTime(cached.expires_at, now)}; \`oidc-cli token\` or \`oidc-cli refresh\` gets a new one`);
}

function unparseable(token: string, prefix: TokenPrefix, reason: string): ValidationResult {
  const c = new CheckRecorder();
  c.fail(`${prefix}.format`, `not a compact JWT: ${reason}`);
  return {
    parsed: { kind: 'jws', parts: token.split('.'), header: {}, payload: undefined, payloadText: undefined, duplicateMembers: { header: [], payload: [] }, nonCanonicalParts: [] },
    signature: { verified: false, alg: undefined, kid: undefined, reason },
    checks: c.results,
  };
}
