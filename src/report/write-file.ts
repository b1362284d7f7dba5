import { stat, writeFile } from 'node:fs/promises';
import { CliError } from '../errors.js';
import { writeFileAtomic } from '../store/atomic.js';

/**
 * A report file (--junit): a regular file (or a new one) is replaced atomically, so CI never reads half a
 * report; anything else (/dev/stdout, a FIFO, /dev/full, a symlink to one) is written straight through,
 * never renamed over. A path the user got wrong (a missing directory, no permission, a directory) is
 * INPUT, exit 2; a write that fails on a good path (ENOSPC on a full disk, EIO, a quota) is OUTPUT, exit 3:
 * the run could not deliver its result (PRODUCT.md "One document per run"). One line either way.
 */
const BAD_PATH = new Set(['ENOENT', 'ENOTDIR', 'EACCES', 'EPERM', 'EISDIR', 'EROFS', 'ENAMETOOLONG', 'ELOOP']);

export async function writeReportFile(path: string, text: string, flag = '--junit'): Promise<void> {
  try {
    const target = await stat(path).catch(() => undefined);
    if (target && !target.isFile()) await writeFile(path, text);
    else await writeFileAtomic(path, text, 0o600);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError(code !== undefined && BAD_PATH.has(code) ? 'INPUT' : 'OUTPUT', `${flag}: cannot write ${path}: ${code ?? (error as Error).message}${code === 'ENOSPC' ? ' (no space left on device)' : ''}`);
  }
}
