/**
 * Writing results to stdout, shared by main.ts and the script hot path (hot.ts): the write that reports
 * its failure, and the layout of a human report for a terminal.
 */
import { writeSync } from 'node:fs';
import type { GlobalOptions } from './commands/context.js';
import { MIN_WIDTH, type Layout } from './report/layout.js';

/**
 * What could not be written to stdout. The rule (docs/output.md): EPIPE (the reader went away, `| head`)
 * ends the run with 1, or the run's own non-zero code, silently, like a SIGPIPE; any other write error
 * (ENOSPC on a full disk, EIO) ends it with 3 and one line on stderr. Output that was lost is never a
 * success: a run exits 0 only when every byte of its result was written.
 */
export class OutputError extends Error {
  /** The run's own verdict when the write failed (0 or 1), if it was known. */
  runCode = 0;

  constructor(readonly errno: string) {
    super(`cannot write the result to stdout: ${errno}${errno === 'ENOSPC' ? ' (no space left on device)' : ''}`);
  }

  /** The exit code, and the one line for stderr (none for EPIPE: the reader is gone, as with SIGPIPE). */
  outcome(): { code: number; line?: string } {
    return this.errno === 'EPIPE' ? { code: Math.max(this.runCode, 1) } : { code: 3, line: `oidc-cli: ${this.message}` };
  }
}

/** Writes and waits for the write to complete, so a large report is not cut off by the exit and a failed write is seen. */
let wroteResult = false;

/** Whether any result was handed to stdout (main.ts: a --json run that stops then writes no error document). */
export const wroteAnyResult = () => wroteResult;

export function writeOut(text: string | Uint8Array): Promise<void> {
  wroteResult = true;
  return new Promise((resolve, reject) => {
    process.stdout.write(text, (error) => (error ? reject(new OutputError((error as NodeJS.ErrnoException).code ?? error.message)) : resolve()));
  });
}

/**
 * writeOut for a stdout that is not a terminal (hot.ts: `$(oidc-cli token)` reads a pipe), written to
 * the descriptor without creating process.stdout: its stream modules cost about a tenth of a bare Node
 * start. Failures are the same OutputError. A descriptor that is non-blocking and full (EAGAIN) gets the
 * rest through process.stdout, which waits for the reader.
 */
export async function writeOutDirect(text: string): Promise<void> {
  wroteResult = true;
  const bytes = Buffer.from(text);
  for (let at = 0; at < bytes.length; ) {
    try {
      at += writeSync(1, bytes, at);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      if (code !== 'EAGAIN') throw new OutputError(code);
      process.stdout.on('error', () => undefined); // writeOut reports it
      return writeOut(bytes.subarray(at));
    }
  }
}

/**
 * The human report is laid out for a terminal: the width of stdout when it is one (COLUMNS overrides, so
 * a test or a script can ask for a width); none for a pipe, which keeps every line whole.
 */
export function layoutFor(stdout: Pick<NodeJS.WriteStream, 'isTTY' | 'columns'>, env: NodeJS.ProcessEnv, globals: Pick<GlobalOptions, 'verbose'>, mask: (text: string) => string): Layout | undefined {
  const fromEnv = /^\d{1,4}$/.test(env.COLUMNS ?? '') ? Number(env.COLUMNS) : undefined;
  const width = fromEnv ?? (stdout.isTTY ? stdout.columns : undefined);
  if (width === undefined || width < MIN_WIDTH) return undefined;
  return { width, mask, findingsFirst: stdout.isTTY === true && globals.verbose === 0 };
}

