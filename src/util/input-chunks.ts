import { fstat, read } from 'node:fs';
import { inputError } from '../errors.js';

/** One read of stdin: large, so a batch of tokens costs few system calls. */
const READ_BYTES = 256 * 1024;

/**
 * The chunks of stdin (file descriptor `fd`), for a batch (decode -). A file, a pipe or a socket is read
 * in place into one buffer, reused for every read: each chunk is valid only until the next is asked for,
 * so a consumer copies what it keeps (util/lines.ts does). A stream's reads allocate a new buffer each,
 * freed only when the heap is next collected, which decode's main thread, allocating almost nothing
 * else, rarely does: over 300,000 tokens they piled up to tens of MB.
 *
 * The reads run on libuv's thread pool, where waiting for a slow pipe (`tail -f`) blocks nobody. A
 * descriptor left non-blocking by whoever gave it (or by Node, once `process.stdin` exists) answers
 * EAGAIN when no data has come yet: from there on, the stream reads it, and nothing read is lost. A
 * terminal is always read as a stream.
 */
export async function* inputChunks(fd: number, stream: () => NodeJS.ReadableStream): AsyncGenerator<Uint8Array | string> {
  if (await readableInPlace(fd)) {
    const buffer = Buffer.allocUnsafe(READ_BYTES);
    for (;;) {
      const size = await readInto(fd, buffer);
      if (size === undefined) break; // non-blocking and nothing yet: the stream waits for it
      if (size === 0) return;
      yield buffer.subarray(0, size);
    }
  }
  for await (const chunk of stream()) yield chunk as Uint8Array | string;
}

const readableInPlace = (fd: number) => new Promise<boolean>((resolve) => fstat(fd, (error, stats) => resolve(!error && (stats.isFile() || stats.isFIFO() || stats.isSocket()))));

/**
 * Reads at the descriptor's own position, as the stream would: `(head -1; oidc-cli decode -) < file`
 * reads the rest. undefined: a non-blocking descriptor with nothing to read yet.
 */
const readInto = (fd: number, buffer: Buffer) =>
  new Promise<number | undefined>((resolve, reject) =>
    read(fd, buffer, 0, buffer.length, null, (error, size) => {
      if (error?.code === 'EAGAIN') resolve(undefined);
      else if (error) reject(inputError(`could not read stdin: ${error.code ?? error.message}`));
      else resolve(size);
    }),
  );
