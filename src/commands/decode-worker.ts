/**
 * A worker thread of batch decode (decode-pool.ts): judges and renders the lines it is handed, exactly
 * as the main thread would (decode-report.ts judgeBlock, report/batch-line.ts), and sends back the bytes.
 * Signatures are verified on this thread (core/jwt/jws-verify.ts): this thread is the parallelism.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { JWK } from 'jose';
import type { KeySource, ValidateOptions } from '../core/jwt/types.js';
import { batchLineRendererFrom } from '../report/batch-line.js';
import { BufferPool } from '../util/buffer-pool.js';
import { blockLines } from '../util/lines.js';
import { judgeBlock } from './decode-report.js';
import { type FromWorker, fromThreadError, type ToWorker, toThreadError, type WorkerSetup } from './decode-pool.js';

const setup = workerData as WorkerSetup;
const port = parentPort!;
const render = batchLineRendererFrom(setup.gate);
const encoder = new TextEncoder();

/** Refetches asked of the main thread's key source, by id, waiting for its answer. */
const refetches = new Map<number, { resolve(fresh: boolean): void; reject(error: Error): void }>();
let nextRefetch = 0;

function keySource(): KeySource | undefined {
  if (!setup.keys) return undefined;
  const { keys, label, published, refetch } = setup.keys;
  const source: { keys: readonly JWK[]; label: string; published: boolean; refetch?: () => Promise<boolean> } = { keys, label, published };
  if (refetch) {
    source.refetch = () =>
      new Promise((resolve, reject) => {
        const id = nextRefetch++;
        refetches.set(id, { resolve, reject });
        port.postMessage({ type: 'refetch', id } satisfies FromWorker);
      });
  }
  return source;
}

const keys = keySource();
const prepared: Omit<ValidateOptions, 'now'> = keys ? { ...setup.prepared, keys } : setup.prepared;

async function judge({ id, lines }: Extract<ToWorker, { type: 'judge' }>): Promise<void> {
  const { text, results, failed, error } = await judgeBlock(Array.isArray(lines) ? lines : blockLines(lines), prepared, render);
  // Bytes, handed over without a copy: the main thread writes them as they are, and its heap stays small.
  // Written, they come back ('written') to be filled again.
  const bytes = output.take(Buffer.byteLength(text));
  encoder.encodeInto(text, bytes);
  port.postMessage({ type: 'done', id, text: bytes, results, failed, error: error && toThreadError(error) } satisfies FromWorker, [bytes.buffer]);
}

/** The buffers of the text sent: a few in flight per thread (decode-pool.ts), and as many spare. */
const output = new BufferPool(8);

// One task at a time, in the order they came: each is CPU work, and interleaving would only delay the first.
let queue = Promise.resolve();
port.on('message', (message: ToWorker) => {
  if (message.type === 'judge') {
    queue = queue.then(() => judge(message));
  } else if (message.type === 'written') {
    output.give(message.buffer);
  } else if (message.type === 'keys') {
    (keys as { keys: readonly JWK[] }).keys = message.keys;
    if (message.id === undefined) return;
    refetches.get(message.id)?.resolve(message.fresh);
    refetches.delete(message.id);
  } else {
    refetches.get(message.id)?.reject(fromThreadError(message.error));
    refetches.delete(message.id);
  }
});
