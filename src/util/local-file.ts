import { constants, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { inputError } from '../errors.js';
import { explainErrno } from './errno.js';

/** Keys, secrets and key sets are a few KiB; 1 MiB is generous and still bounded. */
export const MAX_LOCAL_FILE_BYTES = 1024 * 1024;

function kind(info: Stats): string {
  if (info.isFIFO()) return 'a FIFO';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  if (info.isDirectory()) return 'a directory';
  if (info.isSocket()) return 'a socket';
  return 'not a file';
}

/**
 * Reads a small regular file named by a flag (--jwks, --secret-file, --client-secret-file,
 * --private-key...). A FIFO, a device, a directory or a file over the cap is an input error (exit 2)
 * before anything is read: opened without O_NONBLOCK, a FIFO with no writer blocks the process beyond
 * every timeout, and /dev/zero never ends. `label` names the file in messages ("--jwks file keys.json").
 */
export async function readLocalFile(path: string, label: string, maxBytes = MAX_LOCAL_FILE_BYTES): Promise<string> {
  return (await readLocalFileWithMode(path, label, maxBytes)).text;
}

/** readLocalFile, with the mode of the file that was read (from the same handle, not a second look by name). */
export async function readLocalFileWithMode(path: string, label: string, maxBytes = MAX_LOCAL_FILE_BYTES): Promise<{ text: string; mode: number }> {
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    throw inputError(`cannot read ${label}: ${explainErrno(error)}`);
  }
  try {
    // fstat of what was opened, not stat of the name: the file cannot be swapped in between.
    const info = await handle.stat();
    if (!info.isFile()) throw inputError(`${label} is not a regular file (${kind(info)})`);
    const cap = `${maxBytes >= 1024 * 1024 ? `${maxBytes / (1024 * 1024)} MiB` : `${maxBytes} bytes`}`;
    if (info.size > maxBytes) throw inputError(`${label} is ${info.size} bytes, over the ${cap} limit`);
    // Read one byte past the cap: a file that grows while read is refused, not truncated.
    const buffer = Buffer.alloc(maxBytes + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > maxBytes) throw inputError(`${label} grew past the ${cap} limit while it was read`);
    }
    return { text: buffer.subarray(0, length).toString('utf8'), mode: info.mode };
  } catch (error) {
    if (error instanceof Error && error.name === 'CliError') throw error;
    throw inputError(`cannot read ${label}: ${explainErrno(error)}`);
  } finally {
    await handle.close();
  }
}
