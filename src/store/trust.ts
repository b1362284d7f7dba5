import { constants, type Stats } from 'node:fs';
import { type FileHandle, lstat, open } from 'node:fs/promises';

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

export type OwnFile = { kind: 'missing' } | { kind: 'refused'; reason: string } | { kind: 'read'; text: string; madePrivate: boolean; open?: boolean };

/**
 * Reads a file only if it is ours (see above). O_NOFOLLOW refuses a symlink planted in its place, and the
 * checks run on the open handle, so the file cannot be swapped between the check and the read. With
 * `private` a file readable by others is made 0600 on the way (its content may already have been read).
 */
export async function readOwnFile(path: string, options: { private?: boolean; maxBytes?: number; fix?: boolean } = {}): Promise<OwnFile> {
  const maxBytes = options.maxBytes ?? MAX_BYTES;
  let handle: FileHandle;
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
    const open = options.private === true && myUid() !== undefined && (stats.mode & 0o077) !== 0;
    // fix: false only looks (the script hot path): an open file is said, not changed.
    if (open && options.fix === false) return { kind: 'read', text: await handle.readFile('utf8'), madePrivate: false, open: true };
    if (open) await handle.chmod(0o600);
    return { kind: 'read', text: await handle.readFile('utf8'), madePrivate: open };
  } finally {
    await handle.close();
  }
}

export type OwnDir = { kind: 'missing' } | { kind: 'refused'; reason: string } | { kind: 'ok'; madePrivate: boolean; open?: boolean };

export const PARENT_NOT_DIRECTORY = 'a parent of it is not a directory';

/** "it is a symbolic link" about `path`, as one phrase: "/x/oidc-cli is a symbolic link". */
export const naming = (path: string, reason: string) => (reason.startsWith('it ') ? `${path} ${reason.slice(3)}` : `${path}: ${reason}`);

// O_DIRECTORY | O_NOFOLLOW: the open fails on a symlink (Linux says ENOTDIR, others ELOOP), so the handle
// is the directory itself and a link planted in its place (break 11) is never followed.
const DIR_NOFOLLOW = constants.O_RDONLY | (constants.O_DIRECTORY ?? 0) | (constants.O_NOFOLLOW ?? 0);

/**
 * A directory of ours that holds secrets (oidc-cli/, tokens/): a real directory, not a symlink, owned by
 * us, or refused. With `fix` (the default) one open to others is made 0700 — through the handle that was
 * checked (fchmod), so the mode of whatever a symlink points at is never changed. Without `fix` it is only
 * judged (the config directory: we never write there).
 */
export async function checkOwnDir(dir: string, options: { fix?: boolean } = {}): Promise<OwnDir> {
  const uid = myUid();
  // Windows: no uid to compare, no O_NOFOLLOW for directories; a symlink is still refused.
  if (uid === undefined) return plainDir(dir);
  let handle: FileHandle;
  try {
    handle = await open(dir, DIR_NOFOLLOW);
  } catch (error) {
    return whyNotOpened(dir, error as NodeJS.ErrnoException, uid);
  }
  try {
    const stats = await handle.stat();
    if (!stats.isDirectory()) return { kind: 'refused', reason: 'it is not a directory' };
    if (stats.uid !== uid) return { kind: 'refused', reason: `it is owned by uid ${stats.uid}, not by you (uid ${uid})` };
    if ((stats.mode & 0o077) === 0) return { kind: 'ok', madePrivate: false };
    if (options.fix === false) return { kind: 'ok', madePrivate: false, open: true };
    await handle.chmod(0o700);
    return { kind: 'ok', madePrivate: true };
  } finally {
    await handle.close();
  }
}

/** Why the directory could not be opened, judged on lstat (never following a link). */
async function whyNotOpened(dir: string, error: NodeJS.ErrnoException, uid: number): Promise<OwnDir> {
  let stats: Stats;
  try {
    stats = await lstat(dir);
  } catch (lstatError) {
    const code = (lstatError as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { kind: 'missing' };
    if (code === 'ENOTDIR') return { kind: 'refused', reason: PARENT_NOT_DIRECTORY };
    return { kind: 'refused', reason: `it cannot be reached (${code ?? (lstatError as Error).message})` };
  }
  if (stats.isSymbolicLink()) return { kind: 'refused', reason: 'it is a symbolic link' };
  if (!stats.isDirectory()) return { kind: 'refused', reason: 'it is not a directory' };
  if (stats.uid !== uid) return { kind: 'refused', reason: `it is owned by uid ${stats.uid}, not by you (uid ${uid})` };
  // Ours but not readable by us (mode 0300, say). Changing a mode by name could follow a link swapped in
  // meanwhile, so it is left to the user.
  return { kind: 'refused', reason: `it cannot be opened (${error.code ?? error.message}, mode ${modeText(stats.mode)}): chmod 700 it` };
}

async function plainDir(dir: string): Promise<OwnDir> {
  try {
    const stats = await lstat(dir);
    if (stats.isSymbolicLink()) return { kind: 'refused', reason: 'it is a symbolic link' };
    if (!stats.isDirectory()) return { kind: 'refused', reason: 'it is not a directory' };
    return { kind: 'ok', madePrivate: false };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { kind: 'missing' };
    if (code === 'ENOTDIR') return { kind: 'refused', reason: PARENT_NOT_DIRECTORY };
    throw error;
  }
}
