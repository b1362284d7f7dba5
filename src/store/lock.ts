import { lstat, open, unlink } from 'node:fs/promises';
import { CliError } from '../errors.js';

export interface LockOptions {
  /** How long to wait for another process to finish, ms. */
  waitMs?: number;
  /** A lock older than this was left by a crashed process and is broken, ms. */
  staleMs?: number;
  /** Told when something that is not a lock of ours (a symlink, a directory) is removed from the lock's place. */
  warn?: (line: string) => void;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `fn` holding `<path>.lock` (created exclusively, 0600), so two `oidc-cli token` in parallel do
 * not both spend the same rotating refresh token: the second would get invalid_grant, and an IdP with
 * reuse detection (RFC 9700 §4.14.2) would revoke the whole grant.
 */
export async function withFileLock<T>(path: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const lock = `${path}.lock`;
  const deadline = Date.now() + (options.waitMs ?? 15_000);
  const staleMs = options.staleMs ?? 60_000;
  for (;;) {
    try {
      const handle = await open(lock, 'wx', 0o600);
      // The pid is for a person looking at a stuck lock; a full disk must not keep the lock from working.
      await handle.writeFile(`${process.pid}\n`).catch(() => undefined);
      await handle.close();
      break;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // A directory we cannot write (EACCES, EPERM, EROFS, ENOSPC, ENOTDIR...) cannot be raced over
      // either: go on unlocked, and let the save that follows report why the cache was not written.
      if (code !== 'EEXIST') return fn();
    }
    // lstat: a symlink in the lock's place is not followed to judge its target's age.
    const found = await lstat(lock).catch(() => undefined);
    if (found === undefined) continue; // released meanwhile
    if (!found.isFile()) {
      // oidc-cli only ever makes a regular file here ('wx' never follows a link): this is in the way.
      // One that cannot be removed (a directory) is like a lock that cannot be made: go on unlocked.
      if (!(await unlink(lock).then(() => true, () => false))) return fn();
      options.warn?.(`removed ${lock}: it is ${found.isSymbolicLink() ? 'a symbolic link' : 'not a regular file'}, not a lock oidc-cli made`);
      continue;
    }
    const age = Date.now() - found.mtimeMs;
    if (age > staleMs) {
      await unlink(lock).catch(() => undefined);
      continue;
    }
    if (Date.now() > deadline) {
      throw new CliError('TIMEOUT', `another oidc-cli holds ${lock}`, { hint: 'wait for it to finish; if no oidc-cli is running, delete the lock file' });
    }
    await pause(25 + Math.floor(Math.random() * 50));
  }
  try {
    return await fn();
  } finally {
    await unlink(lock).catch(() => undefined);
  }
}
