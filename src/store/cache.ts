import { createHash } from 'node:crypto';
import { readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic.js';
import { cacheDir, ensurePrivateDir } from './paths.js';

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
}

const FORMAT = 'oidc-cli/token-cache/1';

export function tokensDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheDir(env), 'tokens');
}

/** A file name that reveals nothing about the issuer or client and cannot escape the directory. */
export function cacheFileName(key: CacheKey): string {
  return createHash('sha256').update(`${key.issuer}\n${key.client_id}`).digest('hex').slice(0, 32) + '.json';
}

export function cacheFilePath(key: CacheKey, env: NodeJS.ProcessEnv = process.env): string {
  return join(tokensDir(env), cacheFileName(key));
}

const defaultWarn = (line: string) => void process.stderr.write(`warning: ${line}\n`);

export async function saveTokens(entry: TokenEntry, store: StoreContext = {}): Promise<string> {
  const env = store.env ?? process.env;
  await ensurePrivateDir(cacheDir(env));
  await ensurePrivateDir(tokensDir(env));
  const path = cacheFilePath(entry, env);
  await writeFileAtomic(path, JSON.stringify({ format: FORMAT, ...entry }, null, 2) + '\n');
  await sweepTempFiles(tokensDir(env));
  return path;
}

/** Temp files of writers killed mid-write (atomic.ts) hold tokens too: remove them once surely abandoned. */
async function sweepTempFiles(dir: string, olderThanMs = 10 * 60_000): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names.filter((n) => n.startsWith('.') && n.endsWith('.tmp'))) {
    const path = join(dir, name);
    const age = await stat(path).then((s) => Date.now() - s.mtimeMs, () => 0);
    if (age > olderThanMs) await unlink(path).catch(() => undefined);
  }
}

export async function loadTokens(key: CacheKey, store: StoreContext = {}): Promise<TokenEntry | undefined> {
  const path = cacheFilePath(key, store.env ?? process.env);
  const entry = await readEntry(path, store);
  // A hash collision or a hand-edited file: never hand one client's tokens to another.
  if (entry && (entry.issuer !== key.issuer || entry.client_id !== key.client_id)) return undefined;
  return entry;
}

export async function deleteTokens(key: CacheKey, store: StoreContext = {}): Promise<boolean> {
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
  const dir = tokensDir(store.env ?? process.env);
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

async function readEntry(path: string, store: StoreContext): Promise<TokenEntry | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const entry = parseEntry(text);
  if (entry) return entry;
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
  const { format: _format, ...entry } = record;
  return entry as unknown as TokenEntry;
}
