import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { JWK } from 'jose';
import { CliError, type ErrorCode } from '../errors.js';
import type { CheckResult } from '../checks/types.js';
import type { KeySource, ValidateOptions } from '../core/jwt/types.js';
import { type BatchGate, type BatchLineRenderer, batchLineRendererFrom } from '../report/batch-line.js';
import type { BufferPool } from '../util/buffer-pool.js';
import { blockLines, type Line, type LineBlock } from '../util/lines.js';
import type { RenderedChunk } from './context.js';
import { judgeBlock } from './decode-report.js';

/**
 * Batch decode on every core: worker threads (decode-worker.ts) decode, parse, verify, judge and render
 * the lines; this thread only reads stdin, cuts it into blocks of whole lines (util/lines.ts) and writes
 * the bytes that come back, in input order. Both ways the bytes are handed over without a copy and stay
 * outside this thread's heap, so its garbage collector has next to nothing to do. At most
 * TASKS_PER_THREAD blocks wait per thread, so memory stays flat however long the input is, and a slow
 * input still streams: what stdin gives is handed out as it comes.
 */
const TASKS_PER_THREAD = 4;
/**
 * A worker's garbage is a task's reports and text, gone when the task is: a small young generation
 * collects it as cheaply as the default, which grows to 32 MB per thread, and a bound on the old one
 * makes V8 collect it rather than let it grow with the length of the input (peak memory over 300,000
 * tokens was 40 MB above 10,000 without them). A task is at most 32 lines and 256 KB of input
 * (decode.ts); a block whose tokens need more (one of 1 MB with 100,000s of claims) is judged on the
 * main thread instead (ThreadPool judgeHere), so the bound costs no result.
 */
const WORKER_YOUNG_GENERATION_MB = 4;
const WORKER_OLD_GENERATION_MB = 16;

/** What a worker thread needs to judge as this thread would: the options, the keys as data, the gate. */
export interface WorkerSetup {
  prepared: Omit<ValidateOptions, 'now' | 'keys'>;
  keys: { keys: JWK[]; label: string; published: boolean; refetch: boolean } | undefined;
  gate: BatchGate;
}

/** An error crossing threads: a CliError keeps its code and hint; anything else is an internal error. */
export type ThreadError = { code: ErrorCode; message: string; hint: string | undefined; judged: CheckResult[] | undefined } | { code: undefined; message: string; stack: string | undefined };

export function toThreadError(error: unknown): ThreadError {
  if (error instanceof CliError) return { code: error.code, message: error.message, hint: error.hint, judged: error.judged };
  return { code: undefined, message: error instanceof Error ? error.message : String(error), stack: error instanceof Error ? error.stack : undefined };
}

export function fromThreadError(error: ThreadError): Error {
  if (error.code === undefined) {
    const internal = new Error(error.message);
    if (error.stack !== undefined) internal.stack = error.stack;
    return internal;
  }
  const cli = new CliError(error.code, error.message, error.hint === undefined ? {} : { hint: error.hint });
  cli.judged = error.judged;
  return cli;
}

/** Messages to a worker thread. */
export type ToWorker = { type: 'judge'; id: number; lines: LineBlock | Line[] } | { type: 'written'; buffer: ArrayBuffer } | { type: 'keys'; id: number | undefined; fresh: boolean; keys: JWK[] } | { type: 'keys-failed'; id: number; error: ThreadError };

/** Messages from a worker thread: a task's rendered text (and the error that stopped it), or a refetch. */
export type FromWorker = { type: 'done'; id: number; text: Uint8Array; results: number; failed: number; error: ThreadError | undefined } | { type: 'refetch'; id: number };

interface Task {
  lines: LineBlock | Line[];
  resolve(result: { chunk: RenderedChunk; error: Error | undefined }): void;
  reject(error: Error): void;
  thread: Thread;
}

interface Thread {
  worker: Worker;
  tasks: number;
}

/** Bundled (scripts/bundle.ts), the worker is a bundle of its own beside this one; unbundled, the module. */
declare const OIDC_CLI_DECODE_WORKER: string | undefined;
const workerUrl = () => new URL(typeof OIDC_CLI_DECODE_WORKER === 'string' ? OIDC_CLI_DECODE_WORKER : './decode-worker.js', import.meta.url);

class ThreadPool {
  private readonly threads: Thread[] = [];
  private readonly tasks = new Map<number, Task>();
  private nextId = 0;
  private closed = false;
  private readonly setup: WorkerSetup;

  private mainRender: BatchLineRenderer | undefined;

  constructor(
    private readonly prepared: Omit<ValidateOptions, 'now'>,
    private readonly gate: BatchGate,
    private readonly keys: KeySource | undefined,
    readonly size: number,
    private readonly blockBuffers: BufferPool<SharedArrayBuffer> | undefined,
  ) {
    const { keys: _source, ...rest } = prepared;
    this.setup = { prepared: rest, gate, keys: keys && { keys: [...keys.keys], label: keys.label, published: keys.published, refetch: keys.refetch !== undefined } };
  }

  /** Judges lines on the least busy thread; a thread is started only when all are busy (a short batch needs one). */
  judge(lines: LineBlock | Line[]): Promise<{ chunk: RenderedChunk; error: Error | undefined }> {
    const idle = this.threads.find((thread) => thread.tasks === 0);
    const thread = idle ?? (this.threads.length < this.size ? this.start() : this.threads.reduce((a, b) => (b.tasks < a.tasks ? b : a)));
    const id = this.nextId++;
    thread.tasks += 1;
    return new Promise((resolve, reject) => {
      this.tasks.set(id, { lines, resolve, reject, thread });
      // Shared, not copied (decode.ts: its buffer is a SharedArrayBuffer) nor transferred: this thread keeps
      // the block until it is judged, to judge it itself if the worker cannot (judgeHere), then fills its
      // buffer again. The worker reads the block once, as it starts the task (decode-worker.ts).
      const message: ToWorker = { type: 'judge', id, lines };
      thread.worker.postMessage(message);
    });
  }

  close(): void {
    this.closed = true;
    for (const { worker } of this.threads) void worker.terminate();
  }

  private start(): Thread {
    const worker = new Worker(workerUrl(), { workerData: this.setup, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB, maxOldGenerationSizeMb: WORKER_OLD_GENERATION_MB } });
    const thread: Thread = { worker, tasks: 0 };
    worker.on('message', (message: FromWorker) => {
      if (message.type === 'refetch') {
        this.refetch(thread, message.id);
        return;
      }
      const task = this.tasks.get(message.id)!;
      this.tasks.delete(message.id);
      thread.tasks -= 1;
      this.judged(task);
      const error = message.error && fromThreadError(message.error);
      // Written, the bytes go back to this worker to be filled again: what circulates is bounded by the window.
      const release = () => {
        if (!this.closed) worker.postMessage({ type: 'written', buffer: message.text.buffer as ArrayBuffer } satisfies ToWorker, [message.text.buffer as ArrayBuffer]);
      };
      task.resolve({ chunk: { text: message.text, results: message.results, failed: message.failed, release }, error });
    });
    // A thread whose bounded heap could not hold a block (a token of 1 MB with 100,000s of claims) gives
    // its blocks to this thread, whose heap is not bounded, and later blocks go to a new thread. A thread
    // that dies otherwise (a bug) fails what it had: the batch stops there, as at an error.
    const fail = (error: Error) => {
      const at = this.threads.indexOf(thread);
      if (at !== -1) this.threads.splice(at, 1);
      for (const [id, task] of this.tasks) {
        if (task.thread !== thread) continue;
        this.tasks.delete(id);
        if ((error as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY') this.judgeHere(task);
        else task.reject(error);
      }
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`a decode worker thread stopped (exit ${code})`)));
    this.threads.push(thread);
    return thread;
  }

  /** A task is over: its block's buffer can carry another block. */
  private judged(task: Task): void {
    if (!Array.isArray(task.lines) && task.lines.bytes.buffer instanceof SharedArrayBuffer) this.blockBuffers?.give(task.lines.bytes.buffer);
  }

  /** Judges a block on this thread, as a worker would (decode-report.ts judgeBlock, the same renderer). */
  private judgeHere(task: Task): void {
    this.mainRender ??= batchLineRendererFrom(this.gate);
    const lines = Array.isArray(task.lines) ? task.lines : blockLines(task.lines);
    judgeBlock(lines, this.prepared, this.mainRender).then(({ text, results, failed, error }) => {
      this.judged(task);
      task.resolve({ chunk: { text: new TextEncoder().encode(text), results, failed }, error });
    }, task.reject);
  }

  /**
   * A worker met an unknown kid: this thread's key source fetches again (its cooldown and sharing apply
   * to all threads at once), and fresh keys go to every thread, as they would reach every later token.
   */
  private refetch(asking: Thread, id: number): void {
    const source = this.keys!;
    source.refetch!().then(
      (fresh) => {
        const keys = [...source.keys];
        asking.worker.postMessage({ type: 'keys', id, fresh, keys } satisfies ToWorker);
        if (fresh) for (const thread of this.threads) if (thread !== asking) thread.worker.postMessage({ type: 'keys', id: undefined, fresh, keys } satisfies ToWorker);
      },
      (error: unknown) => asking.worker.postMessage({ type: 'keys-failed', id, error: toThreadError(error) } satisfies ToWorker),
    );
  }
}

/**
 * The rendered results of every line, in input order. The blocks' buffers go back to `blockBuffers` once
 * judged. A line whose judging threw (not a bad token, which
 * is that line's failure, but e.g. a key set that could not be fetched again) stops the batch there,
 * after the results before it.
 */
export async function* judgeOnThreads(blocks: AsyncIterable<LineBlock | Line[]>, prepared: Omit<ValidateOptions, 'now'>, gate: BatchGate, blockBuffers?: BufferPool<SharedArrayBuffer>): AsyncGenerator<RenderedChunk> {
  const pool = new ThreadPool(prepared, gate, prepared.keys, Math.max(1, availableParallelism()), blockBuffers);
  const window = TASKS_PER_THREAD * pool.size;
  const queue: Array<Promise<{ chunk: RenderedChunk; error: Error | undefined }>> = [];
  const iterator = blocks[Symbol.asyncIterator]();
  const emit = function* (result: { chunk: RenderedChunk; error: Error | undefined }) {
    if (result.chunk.results > 0) yield result.chunk;
    if (result.error) throw result.error;
  };
  try {
    let next = iterator.next();
    for (;;) {
      const oldest = queue[0];
      if (oldest && queue.length >= window) {
        yield* emit(await queue.shift()!);
        continue;
      }
      // Print the oldest result as soon as it is ready, even while the next input is slow to come
      // (`tail -f tokens | oidc-cli decode -`); otherwise hand out the next chunk of input.
      if (oldest && (await Promise.race([oldest.then(() => 'result', () => 'result'), next.then(() => 'lines', () => 'lines')])) === 'result') {
        yield* emit(await queue.shift()!);
        continue;
      }
      let block: IteratorResult<LineBlock | Line[]>;
      try {
        block = await next;
      } catch (error) {
        // The input failed (an endless line): the lines before it are judged already or on their way,
        // and are printed before the error, however fast the threads were.
        while (queue.length > 0) yield* emit(await queue.shift()!);
        throw error;
      }
      if (block.done) break;
      const result = pool.judge(block.value);
      result.catch(() => undefined); // awaited below, in order; not an unhandled rejection meanwhile
      queue.push(result);
      next = iterator.next();
    }
    while (queue.length > 0) yield* emit(await queue.shift()!);
  } finally {
    pool.close();
  }
}
