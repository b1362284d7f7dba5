import { constants } from 'node:fs';
import { type FileHandle, open, stat } from 'node:fs/promises';
import { CliError } from '../errors.js';
import { writeFileAtomic } from '../store/atomic.js';

/**
 * A report file (--junit, --sarif): a regular file (or a new one) is replaced atomically, so CI never reads
 * half a report; anything else (/dev/stdout, a FIFO, /dev/full, a symlink to one) is written straight
 * through, never renamed over. A path the user got wrong (a missing directory, no permission, a directory)
 * is INPUT, exit 2; a write that fails on a good path (ENOSPC on a full disk, EIO, a quota, a FIFO no one
 * reads) is OUTPUT, exit 3: the run could not deliver its result (PRODUCT.md "One document per run"). One
 * line either way.
 */
const BAD_PATH = new Set(['ENOENT', 'ENOTDIR', 'EACCES', 'EPERM', 'EISDIR', 'EROFS', 'ENAMETOOLONG', 'ELOOP']);

/** However late the run is, a reader that is there gets a moment to take the report. */
const MIN_WRITE_MS = 1000;

export async function writeReportFile(path: string, text: string, flag: string, deadline: number): Promise<void> {
  let fifo = false;
  try {
    const target = await stat(path).catch(() => undefined);
    fifo = target?.isFIFO() === true;
    if (target && !target.isFile() && (await writeThrough(path, text, Math.max(deadline, Date.now() + MIN_WRITE_MS)))) return;
    await writeFileAtomic(path, text, 0o600);
  } catch (error) {
    if (error instanceof CliError) throw new CliError(error.code, `${flag}: cannot write ${path}: ${error.message}`);
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOSPC' ? ' (no space left on device)' : code === 'ENXIO' && fifo ? ' (a FIFO that no process is reading)' : '';
    throw new CliError(code !== undefined && BAD_PATH.has(code) ? 'INPUT' : 'OUTPUT', `${flag}: cannot write ${path}: ${code ?? (error as Error).message}${why}`);
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Writes to a device or FIFO without ever blocking: O_NONBLOCK makes opening a FIFO that no process reads
 * fail at once (ENXIO) instead of waiting for a reader for ever, and a reader that stops reading makes a
 * write EAGAIN, retried until the deadline (break 7). False when what was opened turned out to be a
 * regular file (swapped in since the stat): the caller writes it atomically instead.
 */
async function writeThrough(path: string, text: string, deadline: number): Promise<boolean> {
  const handle: FileHandle = await open(path, constants.O_WRONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0));
  try {
    if ((await handle.stat()).isFile()) return false;
    const data = Buffer.from(text);
    let offset = 0;
    while (offset < data.length) {
      try {
        offset += (await handle.write(data, offset, data.length - offset, null)).bytesWritten;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
        if (Date.now() >= deadline) throw new CliError('OUTPUT', `the reader took no more of it within --timeout (${offset} of ${data.length} bytes written)`);
        await pause(10);
      }
    }
    return true;
  } finally {
    await handle.close();
  }
}
