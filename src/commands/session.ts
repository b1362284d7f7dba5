import type { CheckRecorder } from '../checks/recorder.js';
import type { CheckResult } from '../checks/types.js';
import { loadPrivateKey } from '../core/client-auth.js';
import { refreshTokens, type RefreshResult } from '../core/refresh.js';
import { dpopKeyFromJwk } from '../core/dpop.js';
import { loadClientCertificate } from '../core/mtls.js';
import { openIssuerSession, type IssuerSession } from '../core/session.js';
import { cacheTokenResponse, entryFromTokens, flagLine, verdictData, type CacheOutcome } from '../store/cache-policy.js';
import { assertCacheWritable, CacheWriteError, type CacheVerdict, type StoreContext, type TokenEntry } from '../store/cache.js';
import { CliError } from '../errors.js';
import { LOGIN_HINT, pickClient, type Picked } from '../store/pick-client.js';
import type { ClientFlags } from '../store/profiles.js';
import { DEFAULT_CLOCK_SKEW_SECONDS, relativeTime } from '../util/duration.js';
import { tokenArgument, type TokenSource } from '../util/token-input.js';
import type { Context } from './context.js';

/**
 * What `token`, `refresh`, `introspect`, `revoke`, `userinfo` and `login --device` share, as wiring
 * only: the client picked from flags, env, profile or cache (store/pick-client.ts), the issuer session
 * of core/session.ts, and the cache. No protocol and no verdicts live here.
 */
const nowSeconds = () => Math.floor(Date.now() / 1000);

export interface CommandSession {
  context: Context;
  issuer: IssuerSession;
  client: Picked['client'];
  /** The cached login for this issuer and client, if any. */
  cached: TokenEntry | undefined;
  store: StoreContext;
}

/** The flags every lifecycle command shares: the client's, and --clock-skew. */
export interface SessionFlags extends ClientFlags {
  clockSkew?: number;
}

export async function openSession(options: SessionFlags, context: Context, config: { useCache: boolean; picked?: Picked; token?: string | undefined }): Promise<CommandSession> {
  const { client, cached, store } = config.picked ?? (await pickClient(options, context, config.useCache, config.token));
  const http = await context.http();
  if (client.client_secret) http.addSecret(client.client_secret);
  for (const token of [cached?.access_token, cached?.refresh_token, cached?.id_token]) if (token) http.addToken(token);
  const privateKey = client.private_key_file && (client.client_auth === 'private_key_jwt' || !client.client_auth_explicit) ? await loadPrivateKey(client.private_key_file) : undefined;
  const certificate = client.cert_file && client.key_file ? await loadClientCertificate(client.cert_file, client.key_file) : undefined;
  const issuer = await openIssuerSession(
    {
      issuer: client.issuer,
      client: { client_id: client.client_id, client_secret: client.client_secret, privateKey, certificate, explicitMethod: client.client_auth_explicit ? client.client_auth : undefined },
      clockSkew: options.clockSkew ?? DEFAULT_CLOCK_SKEW_SECONDS,
      insecure: context.globals.insecure,
      showTokens: context.globals.showTokens,
    },
    { http, ui: context.ui },
  );
  if (client.profile) context.ui.detail(`profile ${client.profile}`);
  warnIfUnbound(cached?.cnf_x5t, certificate?.thumbprint, context);
  return { context, issuer, client, cached, store };
}

/**
 * RFC 8705 §3: the cached login's tokens are bound to a certificate (login --cert saw cnf.x5t#S256); sent
 * without that certificate (or with another) they are refused, and the refresh token with them.
 */
export function warnIfUnbound(bound: string | undefined, thumbprint: string | undefined, context: Pick<Context, 'ui'>): void {
  if (!bound || bound === thumbprint) return;
  context.ui.warn(thumbprint
    ? `the cached login's tokens are bound to another client certificate (x5t#S256 ${bound}, not ${thumbprint}): expect them to be refused`
    : `the cached login's tokens are bound to a client certificate (x5t#S256 ${bound}): pass --cert FILE --key FILE, or expect them to be refused`);
}

/** The token to act on: the argument, stdin for "-", or the cached one (util/token-input.ts). */
export function tokenFrom(session: CommandSession, value: string | undefined, fromCache: () => string | undefined, what: string): Promise<{ token: string; source: TokenSource }> {
  return tokenArgument(value, session.context.stdin, fromCache, what, LOGIN_HINT);
}

/** Caches a token response with the verdict of `judged` (store/cache-policy.ts), judged as `cache.write` in `checks`. */
export async function cacheResponse(session: CommandSession, entry: TokenEntry, judged: readonly CheckResult[], checks: CheckRecorder, incomplete = false): Promise<CacheOutcome> {
  const saved = await cacheTokenResponse(entry, judged, session.store, checks, incomplete);
  if (saved.saved) session.context.ui.detail(`cached in ${saved.path}`);
  return saved;
}

/**
 * A command that acts on a cached token says whether that entry was flagged (its checks failed when it
 * was cached): on stderr, and as `cache_entry` in its report. Undefined when the token is not the cache's.
 */
export function cachedVerdict(session: CommandSession, source: TokenSource): CacheVerdict | undefined {
  if (source !== 'cache') return undefined;
  const verdict = verdictData(session.cached);
  if (verdict.flagged) session.context.ui.warn(`the cached login for ${session.client.issuer} (client ${session.client.client_id}) is ${flagLine(verdict)} when it was obtained; investigating it anyway`);
  return verdict;
}

/** Using an expired cached access token explains the 401 or the inactive answer that follows. */
export function warnIfExpired(session: CommandSession, source: TokenSource): void {
  const cached = session.cached;
  const now = Math.floor(Date.now() / 1000);
  if (source !== 'cache' || cached?.expires_at === undefined || cached.expires_at > now) return;
  session.context.ui.warn(`the cached access token expired ${relativeTime(cached.expires_at, now)}; \`oidc-cli token\` or \`oidc-cli refresh\` gets a new one`);
}

/**
 * core/refresh.ts refreshes and judges; what the IdP returned is cached (with that verdict) before
 * anything else can fail, when the refresh token is the cached login's, not one passed for a look.
 */
export async function refreshAndCache(session: CommandSession, refresh_token: string, before: TokenEntry | undefined, c: CheckRecorder, options: { scope?: string | undefined; expectRotation?: boolean | undefined; showsNewRefreshToken?: boolean | undefined }): Promise<{ result: RefreshResult; entry: TokenEntry | undefined; cache: CacheOutcome | undefined }> {
  const base = before ?? { issuer: session.client.issuer, client_id: session.client.client_id };
  let entry: TokenEntry | undefined;
  let cache: CacheOutcome | undefined;
  // The grant of login --dpop is bound to the key cached with it: the refresh proves it (RFC 9449 §5).
  const dpop = before?.dpop_jwk && before.refresh_token === refresh_token ? await dpopKeyFromJwk(before.dpop_jwk) : undefined;
  // The IdP may rotate the refresh token: a cache that cannot take the new one would lose the login.
  if (before) await refuseUnlessCacheable(session, base, options.showsNewRefreshToken === true);
  const result = await refreshTokens(session.issuer, { refresh_token, scope: options.scope, original_id_token: before?.id_token, expectRotation: options.expectRotation, dpop }, async (tokens, judged, incomplete) => {
    entry = entryFromTokens(base, tokens, nowSeconds());
    entry.refresh_token ??= refresh_token;
    if (before) cache = await cacheResponse(session, entry, judged, c, incomplete);
  });
  c.merge(result.checks);
  return { result, entry, cache };
}

/**
 * Before the cached login's refresh token is spent: the cache must be able to keep what comes back. Not
 * when the new refresh token is shown in full (refresh --show-tokens), so it can be saved by hand.
 */
async function refuseUnlessCacheable(session: CommandSession, key: TokenEntry | { issuer: string; client_id: string }, shown: boolean): Promise<void> {
  if (shown) return;
  try {
    await assertCacheWritable(key, session.store);
  } catch (error) {
    if (!(error instanceof CacheWriteError)) throw error;
    throw new CliError('OUTPUT', `not refreshing: ${error.message}; the IdP may rotate the refresh token, and the new one could not be kept`, {
      hint: 'make the cache writable (or point XDG_CACHE_HOME elsewhere and log in again), or run oidc-cli refresh --show-tokens to see the new refresh token and keep it yourself',
    });
  }
}
