import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

/** One way of running something: the command, and what stdin and stdout are. */
export interface Variant {
  label: string;
  argv: string[];
  /** File to feed on stdin (default: nothing). */
  stdinFile?: string;
  /** File to receive stdout (default: a pipe, read and discarded). */
  stdoutFile?: string;
  env?: NodeJS.ProcessEnv;
}

export interface Run {
  ms: number;
  stdout: string;
}

/** Runs a variant once, synchronously, and returns its wall time; a non-zero exit aborts the bench. */
export function runOnce(variant: Variant): Run {
  const stdin = variant.stdinFile ? openSync(variant.stdinFile, 'r') : 'ignore';
  const stdout = variant.stdoutFile ? openSync(variant.stdoutFile, 'w') : 'pipe';
  const options: SpawnSyncOptions = { stdio: [stdin, stdout, 'pipe'], env: variant.env ?? process.env, maxBuffer: 64 * 1024 * 1024 };
  try {
    const start = performance.now();
    const result = spawnSync(variant.argv[0]!, variant.argv.slice(1), options);
    const ms = performance.now() - start;
    if (result.error) throw result.error;
    if (result.status !== 0) throw new Error(`${variant.label} exited ${result.status}: ${String(result.stderr).slice(0, 500)}`);
    return { ms, stdout: variant.stdoutFile ? '' : String(result.stdout) };
  } finally {
    if (typeof stdin === 'number') closeSync(stdin);
    if (typeof stdout === 'number') closeSync(stdout);
  }
}

/**
 * Runs the variants in turn (A, B, C, A, B, C...) so that a slow moment of the machine hits all of
 * them alike; `warmup` rounds fill the page cache and are not counted. `check` looks at each run's
 * output (outside the timing). Returns the times per variant.
 */
export async function alternate(variants: Variant[], rounds: number, warmup: number, check?: (variant: Variant, run: Run) => void | Promise<void>): Promise<number[][]> {
  const times = variants.map(() => [] as number[]);
  for (let round = 0; round < warmup + rounds; round++) {
    for (const [i, variant] of variants.entries()) {
      const run = runOnce(variant);
      await check?.(variant, run);
      if (round >= warmup) times[i]!.push(run.ms);
    }
  }
  return times;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Peak RSS in bytes of one run of the variant, reported by the bench-rss.js preload. */
export function peakRss(variant: Variant, preload: string, rssFile: string): number {
  rmSync(rssFile, { force: true });
  const [node, ...args] = variant.argv;
  runOnce({ ...variant, argv: [node!, '--import', preload, ...args], env: { ...(variant.env ?? process.env), BENCH_RSS_FILE: rssFile } });
  return Number(readFileSync(rssFile, 'utf8'));
}
