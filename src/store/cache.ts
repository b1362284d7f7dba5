import { lstat, readdir, rename, unlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { CheckRecorder } from '../checks/recorder.js';
import { sha256Hex } from '../util/sha256.js';
import { writeFileAtomic } from './atomic.js';
import { cacheDir, makeMissingDirs } from './paths.js';
import { checkOwnDir, naming, readOwnFile } from './trust.js';

/** One login's tokens, as cached for `token`, `refresh`, `userinfo`, `introspect` and `revoke`. */
export interface TokenEntry {
  issuer: string;
  client_id: string;
  access_token?: string;
  refresh_token?: string;
  id_token?: string;
  token_type?: string;
  /** Seconds since the epoch; absent when the token response had no expires_in. */
  expires_at?: number;
  /** The scope granted (the token response's `scope`, else the scope requested). */
  scope?: string;
  /** Seconds since the epoch. */
  obtained_at: number;
  /** The checks that failed on these tokens (src/store/cache-policy.ts); absent in entries of older versions. */
  verdict?: CacheVerdict;
  /** login --dpop: the private key (EC P-256 JWK) the tokens are bound to (RFC 9449), kept in this 0600 file. */
  dpop_jwk?: DpopJwk;
  /**
   * login --cert: the x5t#S256 of the client certificate the tokens are bound to (RFC 8705 §3), when the
   * login saw the binding (mtls.cnf_x5t). Not the certificate or its key: those stay in the user's files.
   */
  cnf_x5t?: string;
}

/** The members of an EC P-256 private JWK: nothing else from the file is kept. */
export interface DpopJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
  d: string;
}

/** An entry is flagged when a check failed on the run that obtained it (or on the grant it was refreshed from). */
export interface CacheVerdict {
  flagged: boolean;
  failed_checks: string[];
}

/** Tokens are cached per issuer and client: one login per client per IdP. */
export interface CacheKey {
  issuer: string;
  client_id: string;
}

export interface StoreContext {
  env?: NodeJS.ProcessEnv;
  /** Where a set-aside corrupted file is reported (stderr by default). */
  warn?: (line: string) => void;
  /**
   * Read without changing anything (the script hot path, src/hot.ts): what a full read would fix or set
   * aside — an open mode, a corrupted file — is only told to `warn`, so the caller can leave it to the
   * full CLI, which does it and says so.
   */
  lookOnly?: boolean;
}

const FORMAT = 'oidc-cli/token-cache/1';

export function tokensDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheDir(env), 'tokens');
}

/** A file name that reveals nothing about the issuer or client and cannot escape the directory. */
export function cacheFileName(key: CacheKey): string {
  return sha256Hex(`${key.issuer}\n${key.client_id}`).slice(0, 32) + '.json';
}

export function cacheFilePath(key: CacheKey, env: NodeJS.ProcessEnv = process.env): string {
  return join(tokensDir(env), cacheFileName(key));
}

const defaultWarn = (line: string) => void process.stderr.write(`warning: ${line}\n`);

/** The cache could not be written: where and why, in one line. The login it belongs to is not lost. */
export class CacheWriteError extends Error {
  constructor(
    readonly dir: string,
    readonly detail: string,
  ) {
    super(`could not write the token cache under ${dir}: ${detail}`);
    this.name = 'CacheWriteError';
  }
}

export async function saveTokens(entry: TokenEntry, store: StoreContext = {}): Promise<string> {
  const env = store.env ?? process.env;
  const path = await writableEntry(entry, env, (target) => writeFileAtomic(target, JSON.stringify({ format: FORMAT, ...entry }, null, 2) + '\n'));
  await sweepTempFiles(tokensDir(env));
  return path;
}

// As large as a big entry (a login with three long tokens), so a nearly full disk is caught too.
const PROBE_BYTES = 16 * 1024;

/**
 * Throws CacheWriteError when the entry for `key` could not be saved now: the directories ours and
 * writable, nothing odd in the entry's place, and room for a file (a probe written and removed). Asked
 * before an act that cannot be undone, such as spending a refresh token the IdP will rotate.
 */
export async function assertCacheWritable(key: CacheKey, store: StoreContext = {}): Promise<void> {
  const env = store.env ?? process.env;
  await writableEntry(key, env, async () => {
    // Not a secret, only a name no other writer uses: no node:crypto on the script hot path (src/hot.ts).
    const probe = join(tokensDir(env), `.probe-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}.tmp`);
    await writeFileAtomic(probe, ' '.repeat(PROBE_BYTES));
    await unlink(probe);
  });
}

/**
 * The one way to the entry of `key`: our own 0700 directories, and nothing in the entry's place but a
 * regular file, then `write`; any failure is a CacheWriteError naming the cache (never a bare errno).
 */
async function writableEntry(key: CacheKey, env: NodeJS.ProcessEnv, write: (path: string) => Promise<void>): Promise<string> {
  const path = cacheFilePath(key, env);
  try {
    await ownPrivateDir(cacheDir(env));
    await ownPrivateDir(tokensDir(env));
    // rename() would replace a symlink rather than write through it, but one planted here means someone
    // is tampering with the cache: say so instead of quietly carrying on.
    const existing = await lstat(path).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? undefined : Promise.reject(error)));
    if (existing?.isSymbolicLink()) throw new CacheWriteError(cacheDir(env), `a symbolic link is in the way at ${path} (remove it to cache logins again)`);
    if (existing && !existing.isFile()) throw new CacheWriteError(cacheDir(env), `${path} is not a regular file`);
    await write(path);
    return path;
  } catch (error) {
    if (error instanceof CacheWriteError) throw error;
    // EACCES, EPERM, ENOTDIR, ENOSPC, EROFS...: Node's message names the code, the call and the path.
    if ((error as NodeJS.ErrnoException).code) throw new CacheWriteError(cacheDir(env), (error as Error).message);
    throw error;
  }
}

/**
 * Saves and reports it as the check `cache.write`: pass with the path, or fail with the reason and a
 * warning on stderr, so a cache that cannot be written costs the exit code (1), never the result.
 */
export async function saveTokensChecked(entry: TokenEntry, store: StoreContext, checks: CheckRecorder): Promise<{ saved: true; path: string } | { saved: false; reason: string }> {
  try {
    const path = await saveTokens(entry, store);
    checks.pass('cache.write', `saved in ${path}`);
    return { saved: true, path };
  } catch (error) {
    if (!(error instanceof CacheWriteError)) throw error;
    checks.fail('cache.write', `not saved: ${error.detail}`);
    const rotated = entry.refresh_token ? ' (if the IdP rotated the refresh token, log in again once the cache is writable)' : '';
    (store.warn ?? defaultWarn)(`${error.message}; the result is complete but was not cached${rotated}`);
    return { saved: false, reason: error.message };
  }
}

/**
 * Creates the directory 0700; one that exists must be ours and a real directory (made 0700 if it is open),
 * else it is refused: a symlink planted in its place is never followed, created through or chmod-ed.
 */
async function ownPrivateDir(dir: string): Promise<void> {
  await makeMissingDirs(dir);
  const state = await checkOwnDir(dir);
  if (state.kind === 'refused') throw new CacheWriteError(dir, naming(dir, state.reason));
  if (state.kind === 'missing') throw new CacheWriteError(dir, `${dir} vanished while it was being created`);
}

/** Temp files of writers killed mid-write (atomic.ts) hold tokens too: remove them once surely abandoned. */
async function sweepTempFiles(dir: string, olderThanMs = 10 * 60_000): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names.filter((n) => n.startsWith('.') && n.endsWith('.tmp'))) {
    const path = join(dir, name);
    const age = await lstat(path).then((s) => Date.now() - s.mtimeMs, () => 0);
    if (age > olderThanMs) await unlink(path).catch(() => undefined);
  }
}

export async function loadTokens(key: CacheKey, store: StoreContext = {}): Promise<TokenEntry | undefined> {
  if (!(await trustedTokensDir(store))) return undefined;
  const path = cacheFilePath(key, store.env ?? process.env);
  const entry = await readEntry(path, store);
  // A hash collision or a hand-edited file: never hand one client's tokens to another.
  if (entry && (entry.issuer !== key.issuer || entry.client_id !== key.client_id)) return undefined;
  return entry;
}

export async function deleteTokens(key: CacheKey, store: StoreContext = {}): Promise<boolean> {
  // Only in a cache that is ours: through a planted link this would delete someone else's file.
  if (!(await trustedTokensDir(store))) return false;
  try {
    await unlink(cacheFilePath(key, store.env ?? process.env));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/** Every readable entry, newest first. Corrupted files are set aside on the way. */
export async function listEntries(store: StoreContext = {}): Promise<TokenEntry[]> {
  const dir = await trustedTokensDir(store);
  if (!dir) return [];
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const entries: TokenEntry[] = [];
  for (const name of names.filter((n) => /^[0-9a-f]{32}\.json$/.test(n)).sort()) {
    const entry = await readEntry(join(dir, name), store);
    if (entry) entries.push(entry);
  }
  return entries.sort((a, b) => b.obtained_at - a.obtained_at);
}

/** True when the access token is expired (or expires within `leeway` seconds). Unknown expiry: not expired. */
export function isExpired(entry: TokenEntry, now: number, leeway = 30): boolean {
  return entry.expires_at !== undefined && entry.expires_at - leeway <= now;
}

/**
 * The cached access token `oidc-cli token` hands out as it is, with no network call: there is one and it
 * does not expire within `minTtl` seconds (else it is refreshed). token.ts and the hot path (hot.ts) both ask.
 */
export function usableAccessToken(entry: TokenEntry | undefined, now: number, minTtl: number): string | undefined {
  return entry?.access_token && !isExpired(entry, now, minTtl) ? entry.access_token : undefined;
}

const warned = new WeakMap<(line: string) => void, Set<string>>();

/** One warning per line and run: the cache is read more than once by some commands. */
function warnOnce(store: StoreContext, line: string): void {
  const warn = store.warn ?? defaultWarn;
  const seen = warned.get(warn) ?? new Set<string>();
  warned.set(warn, seen);
  if (seen.has(line)) return;
  seen.add(line);
  warn(line);
}

/**
 * The cache directory, if it can be trusted: both levels ours (made 0700 when open to others). One that
 * is someone else's is ignored as a whole — its entries could name any issuer.
 */
async function trustedTokensDir(store: StoreContext): Promise<string | undefined> {
  const env = store.env ?? process.env;
  for (const dir of [cacheDir(env), tokensDir(env)]) {
    const state = await checkOwnDir(dir, { fix: store.lookOnly !== true });
    if (state.kind === 'missing') return undefined;
    if (state.kind === 'ok' && state.open) warnOnce(store, `token cache directory ${dir} is open to other users`);
    if (state.kind === 'refused') {
      warnOnce(store, `ignoring the token cache ${dir}: ${state.reason}`);
      return undefined;
    }
    if (state.madePrivate) warnOnce(store, `token cache directory ${dir} was open to other users; made it 0700`);
  }
  return tokensDir(env);
}

async function readEntry(path: string, store: StoreContext): Promise<TokenEntry | undefined> {
  const file = await readOwnFile(path, { private: true, fix: store.lookOnly !== true });
  if (file.kind === 'missing') return undefined;
  if (file.kind === 'refused') {
    warnOnce(store, `ignoring token cache file ${path}: ${file.reason}`);
    return undefined;
  }
  if (file.open) warnOnce(store, `token cache file ${path} is readable by other users`);
  if (file.madePrivate) warnOnce(store, `token cache file ${path} was readable by other users; made it 0600 (log in again if its tokens may have been read)`);
  const entry = parseEntry(file.text);
  if (entry) {
    // The file name is the hash of issuer and client: an entry naming another issuer than the one it is
    // filed under was not written by us, and its issuer would receive the refresh token and client secret.
    if (basename(path) === cacheFileName(entry)) return entry;
    warnOnce(store, `ignoring token cache file ${path}: it names issuer ${entry.issuer} and client ${entry.client_id}, but is filed under another key`);
    return undefined;
  }
  if (store.lookOnly) {
    (store.warn ?? defaultWarn)(`token cache file ${path} is corrupted`);
    return undefined;
  }
  // A corrupted cache must not stop the user: keep the file for inspection and carry on without it.
  const aside = `${path}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  await rename(path, aside).catch(() => undefined);
  (store.warn ?? defaultWarn)(`token cache file ${path} is corrupted; moved it to ${aside} (log in again to refresh the cache)`);
  return undefined;
}

function parseEntry(text: string): TokenEntry | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  if (record.format !== FORMAT || typeof record.issuer !== 'string' || typeof record.client_id !== 'string') return undefined;
  if (typeof record.obtained_at !== 'number') return undefined;
  for (const name of ['access_token', 'refresh_token', 'id_token', 'token_type', 'scope'] as const) {
    if (record[name] !== undefined && typeof record[name] !== 'string') return undefined;
  }
  if (record.expires_at !== undefined && typeof record.expires_at !== 'number') return undefined;
  if (record.verdict !== undefined && !isVerdict(record.verdict)) return undefined;
  if (record.dpop_jwk !== undefined) {
    const key = dpopJwkOf(record.dpop_jwk);
    if (!key) return undefined;
    record.dpop_jwk = key;
  }
  if (record.cnf_x5t !== undefined && !(typeof record.cnf_x5t === 'string' && /^[A-Za-z0-9_-]{43}$/.test(record.cnf_x5t))) return undefined;
  // Only the members a TokenEntry has: nothing else in the file (an endpoint, say) is ever used.
  const entry: Record<string, unknown> = {};
  for (const name of ENTRY_MEMBERS) if (record[name] !== undefined) entry[name] = record[name];
  return entry as unknown as TokenEntry;
}

function dpopJwkOf(value: unknown): DpopJwk | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { kty, crv, x, y, d } = value as Record<string, unknown>;
  const b64u = (part: unknown): part is string => typeof part === 'string' && /^[A-Za-z0-9_-]{43}$/.test(part);
  return kty === 'EC' && crv === 'P-256' && b64u(x) && b64u(y) && b64u(d) ? { kty, crv, x, y, d } : undefined;
}

function isVerdict(value: unknown): value is CacheVerdict {
  if (typeof value !== 'object' || value === null) return false;
  const { flagged, failed_checks } = value as Record<string, unknown>;
  return typeof flagged === 'boolean' && Array.isArray(failed_checks) && failed_checks.every((id) => typeof id === 'string');
}

const ENTRY_MEMBERS = ['issuer', 'client_id', 'access_token', 'refresh_token', 'id_token', 'token_type', 'expires_at', 'scope', 'obtained_at', 'verdict', 'dpop_jwk', 'cnf_x5t'] as const satisfies ReadonlyArray<keyof TokenEntry>;
// A member added to TokenEntry but not to the list above would be dropped on read: make that a compile error.
const _everyMember: Record<Exclude<keyof TokenEntry, (typeof ENTRY_MEMBERS)[number]>, never> = {};
void _everyMember;
