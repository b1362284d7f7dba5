import type { FlowLog } from '../core/flow-log.js';
import type { HttpClient } from '../http/types.js';
import type { BatchGate } from '../report/batch-line.js';
import type { Report } from '../report/model.js';
import type { Ui } from '../ui/ui.js';

/** Flags every command accepts (src/cli.ts declares them once on the program). */
export interface GlobalOptions {
  json: boolean;
  strict: boolean;
  /** false with --no-color; undefined means "decide from the environment". */
  color: boolean | undefined;
  verbose: number;
  showTokens: boolean;
  /** Seconds; undefined means the command's own default. */
  timeout: number | undefined;
  insecure: boolean;
  caFile: string | undefined;
  profile: string | undefined;
  explain: boolean;
}

/** What a command gets besides its own options. Commands never touch process.stdout or process.exit. */
export interface Context {
  globals: GlobalOptions;
  ui: Ui;
  /** oidc-cli's own version, for reports that name their tool (SARIF). */
  version: string;
  env: NodeJS.ProcessEnv;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  /** Whether stdin is a terminal, asked without creating `process.stdin` (which makes a pipe non-blocking). */
  stdinIsTerminal(): boolean;
  /** stdin's bytes for a batch, each chunk valid until the next is asked for (util/input-chunks.ts). */
  stdinChunks(): AsyncIterable<Uint8Array | string>;
  /** The one HTTP client for this run, created on first use (so offline commands never load undici). */
  http(options?: { timeoutSeconds?: number }): Promise<HttpClient>;
  /**
   * Registers a value this run knows to be secret (an HMAC --secret, a token read from a file), so the
   * output gate masks it in stdout, stderr and report files. The HTTP client's addSecret feeds the same registry.
   */
  addSecret(value: string): void;
  /**
   * Writes a report file (`flag` is --junit or --sarif, for messages) through the output gate: masked like
   * stdout, atomically for a regular file, straight through to a device or FIFO but never waited on past
   * --timeout (a FIFO no one reads fails at once); a write error is CliError OUTPUT (exit 3).
   */
  writeFile(path: string, text: string, flag: string): Promise<void>;
  /** The output gate's masking alone, for a renderer that must mask before it escapes (--html). */
  mask(text: string): string;
  /** Every request and browser round trip of this run, in order (check/login --html, and their --json `flow`). */
  flowLog: FlowLog;
  /** Aborted on Ctrl-C, so a waiting command can clean up (close its listener) before main exits 4. */
  signal: AbortSignal;
  /**
   * The output gate's settings as data, for a batch rendered on worker threads (decode): each result is
   * masked and rendered there as main.ts would, and main.ts writes the bytes in input order.
   */
  batchGate(): BatchGate;
}

/** Batch results rendered through the gate already (report/batch-line.ts), in input order. */
export interface RenderedChunk {
  /** UTF-8. */
  text: Uint8Array;
  /** How many results the text holds, and how many of them failed. */
  results: number;
  failed: number;
  /**
   * Called once the text is written (or its write failed): its buffer may go back to the thread that
   * filled it, to be filled again. Without it the written buffers pile up outside this thread's heap
   * until V8 happens to collect them (tens of MB over a long batch).
   */
  release?(): void;
}

/**
 * A command returns one report, or a stream of them for line-by-line batch input, or that stream
 * already rendered (decode's worker threads: the main thread only writes).
 */
export type CommandOutput = Report | AsyncIterable<Report> | { rendered: AsyncIterable<RenderedChunk> };

export type CommandRun<O> = (options: O, context: Context) => Promise<CommandOutput>;
