import { open, stat, unlink } from 'node:fs/promises';
import { CliError } from '../errors.js';

export interface LockOptions {
  /** How long to wait for another process to finish, ms. */
  waitMs?: number;
  /** A lock older than this was left by a crashed process and is broken, ms. */
  staleMs?: number;
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
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const age = await stat(lock).then((s) => Date.now() - s.mtimeMs, () => undefined);
    if (age === undefined) continue; // released meanwhile
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
