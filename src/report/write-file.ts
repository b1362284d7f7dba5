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

/**
 * A descriptor the caller already opened (/dev/stdout, /dev/fd/3, /proc/self/fd/1): written through even
 * when it is open on a regular file (`--junit /dev/stdout > report.xml`), never renamed over — as root the
 * rename replaced /dev/stdout itself.
 */
const DESCRIPTOR = /^\/(dev\/(stdout|stderr|fd\/\d+)|proc\/(self|thread-self|\d+)\/fd\/\d+)$/;

export async function writeReportFile(path: string, text: string, flag: string, deadline: number): Promise<void> {
  let fifo = false;
  try {
    const target = await stat(path).catch(() => undefined);
    fifo = target?.isFIFO() === true;
    const through = target !== undefined && (!target.isFile() || DESCRIPTOR.test(path));
    if (through && (await writeThrough(path, text, Math.max(deadline, Date.now() + MIN_WRITE_MS), DESCRIPTOR.test(path)))) return;
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
 * write EAGAIN, retried until the deadline (break 7). No O_CREAT, no O_TRUNC: nothing is made or cut.
 * False when what was opened turned out to be a regular file (swapped in since the stat) and the path is
 * not a descriptor: the caller writes it atomically instead.
 */
async function writeThrough(path: string, text: string, deadline: number, descriptor: boolean): Promise<boolean> {
  // O_APPEND for a descriptor: on a file opened with `>>` the report goes at its end, not over its start.
  const handle: FileHandle = await open(path, constants.O_WRONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0) | (descriptor ? constants.O_APPEND : 0));
  try {
    if (!descriptor && (await handle.stat()).isFile()) return false;
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
