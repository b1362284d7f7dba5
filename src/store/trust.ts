import { constants, type Stats } from 'node:fs';
import { chmod, open, stat } from 'node:fs/promises';

/**
 * What oidc-cli reads from disk decides where secrets go (a cached issuer gets the refresh token and the
 * client secret; a profile names the issuer), so a file is trusted only when no one else could have
 * written it: owned by this user, not writable by group or other, a regular file reached without a
 * symlink. POSIX only: on Windows there is no uid to compare and these checks do not apply.
 */
const myUid = (): number | undefined => process.getuid?.();
const modeText = (mode: number) => (mode & 0o777).toString(8).padStart(4, '0');

/** Why another user may have written this, or undefined when only we could have. */
export function foreignWriter(stats: Stats): string | undefined {
  const uid = myUid();
  if (uid === undefined) return undefined;
  if (stats.uid !== uid) return `it is owned by uid ${stats.uid}, not by you (uid ${uid})`;
  if (stats.mode & 0o022) return `it is writable by other users (mode ${modeText(stats.mode)})`;
  return undefined;
}

/** Cache entries and config files are a few KiB: a bigger one is not ours, and is not read into memory. */
const MAX_BYTES = 1024 * 1024;

export type OwnFile = { kind: 'missing' } | { kind: 'refused'; reason: string } | { kind: 'read'; text: string; madePrivate: boolean };

/**
 * Reads a file only if it is ours (see above). O_NOFOLLOW refuses a symlink planted in its place, and the
 * checks run on the open handle, so the file cannot be swapped between the check and the read. With
 * `private` a file readable by others is made 0600 on the way (its content may already have been read).
 */
export async function readOwnFile(path: string, options: { private?: boolean; maxBytes?: number } = {}): Promise<OwnFile> {
  const maxBytes = options.maxBytes ?? MAX_BYTES;
  let handle: import('node:fs/promises').FileHandle;
  try {
    // O_NONBLOCK: a FIFO planted in its place must not hang the open.
    handle = await open(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { kind: 'missing' };
    if (code === 'ELOOP') return { kind: 'refused', reason: 'it is a symbolic link' };
    throw error;
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) return { kind: 'refused', reason: 'it is not a regular file' };
    if (stats.size > maxBytes) return { kind: 'refused', reason: `it is over ${maxBytes} bytes` };
    const foreign = foreignWriter(stats);
    if (foreign) return { kind: 'refused', reason: foreign };
    const madePrivate = options.private === true && myUid() !== undefined && (stats.mode & 0o077) !== 0;
    if (madePrivate) await handle.chmod(0o600);
    return { kind: 'read', text: await handle.readFile('utf8'), madePrivate };
  } finally {
    await handle.close();
  }
}

export type OwnDir = { kind: 'missing' } | { kind: 'refused'; reason: string } | { kind: 'ok'; madePrivate: boolean };

/** A directory that holds secrets: ours, or refused; ours but open to others is made 0700. */
export async function checkOwnDir(dir: string): Promise<OwnDir> {
  let stats: Stats;
  try {
    stats = await stat(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { kind: 'missing' };
    if (code === 'ENOTDIR') return { kind: 'refused', reason: 'a parent of it is not a directory' };
    throw error;
  }
  if (!stats.isDirectory()) return { kind: 'refused', reason: 'it is not a directory' };
  const uid = myUid();
  if (uid === undefined) return { kind: 'ok', madePrivate: false };
  if (stats.uid !== uid) return { kind: 'refused', reason: `it is owned by uid ${stats.uid}, not by you (uid ${uid})` };
  if ((stats.mode & 0o077) === 0) return { kind: 'ok', madePrivate: false };
  await chmod(dir, 0o700);
  return { kind: 'ok', madePrivate: true };
}
