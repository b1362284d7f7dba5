import { CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { buildCli } from './cli.js';
import type { CommandOutput, CommandRun, Context, GlobalOptions } from './commands/context.js';
import { CliError, ReportedStop } from './errors.js';
import type { HttpClient } from './http/types.js';
import { renderHuman, renderHumanLine, summaryLine } from './report/human.js';
import { renderJson } from './report/json.js';
import { isOk, type Report } from './report/model.js';
import { colorEnabled, makeChalk } from './ui/color.js';
import { createUi } from './ui/ui.js';

const DEFAULT_TIMEOUT_SECONDS = 30;

/** Inlined by the bundler (scripts/bundle.ts), so a start-up reads no file; unbundled, undefined. */
declare const OIDC_CLI_VERSION: string | undefined;

function packageVersion(): string {
  if (typeof OIDC_CLI_VERSION === 'string') return OIDC_CLI_VERSION;
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function toGlobals(raw: Record<string, unknown>): GlobalOptions {
  return {
    json: raw.json === true,
    strict: raw.strict === true,
    color: raw.color === false ? false : undefined,
    verbose: typeof raw.verbose === 'number' ? raw.verbose : 0,
    showTokens: raw.showTokens === true,
    timeout: typeof raw.timeout === 'number' ? raw.timeout : undefined,
    insecure: raw.insecure === true,
    caFile: typeof raw.caFile === 'string' ? raw.caFile : undefined,
    profile: typeof raw.profile === 'string' ? raw.profile : undefined,
    explain: raw.explain === true,
  };
}

/** Writes and waits, so a large report is not cut off by the exit; a closed pipe (| head) is not an error. */
function writeOut(text: string): Promise<void> {
  return new Promise((resolve) => {
    if (!process.stdout.write(text)) process.stdout.once('drain', resolve);
    else resolve();
  });
}

/**
 * Batch output in chunks of about 64 KB (one write per chunk, not one per token), with backpressure;
 * a result waits at most FLUSH_AFTER_MS, so `tail -f tokens | oidc-cli decode -` still shows each one.
 */
const CHUNK_CHARS = 64 * 1024;
const FLUSH_AFTER_MS = 20;

function chunkedWriter(): { write(text: string): Promise<void>; end(): Promise<void> } {
  let pending = '';
  let timer: NodeJS.Timeout | undefined;
  const flush = (): Promise<void> => {
    clearTimeout(timer);
    timer = undefined;
    const text = pending;
    pending = '';
    return text === '' ? Promise.resolve() : writeOut(text);
  };
  return {
    write(text) {
      pending += text;
      if (pending.length >= CHUNK_CHARS) return flush();
      timer ??= setTimeout(() => void flush(), FLUSH_AFTER_MS);
      return Promise.resolve();
    },
    end: flush,
  };
}

function isAsyncIterable(value: CommandOutput): value is AsyncIterable<Report> {
  return typeof (value as AsyncIterable<Report>)[Symbol.asyncIterator] === 'function';
}

async function printOutput(output: CommandOutput, globals: GlobalOptions): Promise<number> {
  const chalk = makeChalk(colorEnabled(process.stdout, process.env, globals.color));
  if (!isAsyncIterable(output)) {
    if (globals.json) await writeOut(renderJson(output, globals.strict));
    else if (output.bare !== undefined) await writeOut(output.bare + '\n');
    else await writeOut(renderHuman(output, chalk, globals.strict));
    return isOk(output, globals.strict) ? 0 : 1;
  }
  // Batch: one result per input line, written as soon as it is judged (constant memory).
  const out = chunkedWriter();
  let index = 0;
  let failed = 0;
  try {
    for await (const report of output) {
      const ok = isOk(report, globals.strict);
      if (!ok) failed += 1;
      await out.write(globals.json ? renderJson(report, globals.strict, false) : renderHumanLine(report, index, chalk, globals.strict));
      index += 1;
    }
  } finally {
    await out.end(); // the results before a failure are still printed
  }
  if (!globals.json) {
    const verdict = failed === 0 ? chalk.green.bold('OK') : chalk.red.bold('FAILED');
    await writeOut(`${verdict}  ${index} tokens, ${index - failed} ok, ${failed} failed\n`);
  }
  return failed === 0 ? 0 : 1;
}

export async function runCommand(name: string, options: Record<string, unknown>, rawGlobals: Record<string, unknown>, abort: AbortController): Promise<number> {
  const startedAt = Date.now();
  const globals = toGlobals(rawGlobals);
  const ui = createUi({
    chalk: makeChalk(colorEnabled(process.stderr, process.env, globals.color)),
    stream: process.stderr,
    progress: !globals.json || globals.verbose > 0,
    explain: globals.explain,
    verbose: globals.verbose,
  });
  let http: HttpClient | undefined;
  const context: Context = {
    globals,
    ui,
    env: process.env,
    // A getter: creating process.stdin costs start-up time that most commands never need.
    get stdin() {
      return process.stdin;
    },
    signal: abort.signal,
    async http(overrides = {}) {
      if (!http) {
        const { createHttpClient } = await import('./http/client.js');
        http = createHttpClient({
          timeoutMs: 1000 * (overrides.timeoutSeconds ?? globals.timeout ?? DEFAULT_TIMEOUT_SECONDS),
          // Commands that pass their own per-request timeout (login, check) bound the whole run themselves.
          ...(globals.timeout !== undefined && overrides.timeoutSeconds === undefined ? { deadline: startedAt + 1000 * globals.timeout } : {}),
          caFile: globals.caFile,
          insecure: globals.insecure,
          verbose: globals.verbose,
          showTokens: globals.showTokens,
          trace: ui.trace,
          warn: ui.warn,
          env: process.env,
        });
      }
      return http;
    },
  };
  try {
    const module = (await import(`./commands/${name}.js`)) as { run: CommandRun<Record<string, unknown>> };
    let output: CommandOutput;
    try {
      output = await module.run(options, context);
    } catch (error) {
      if (!(error instanceof ReportedStop)) throw error;
      output = { command: name, ...error.report };
    }
    return await printOutput(output, globals);
  } finally {
    await http?.close();
  }
}

function errorLine(error: unknown): { line: string; code: number } {
  if (error instanceof CliError) {
    return { line: `oidc-cli: ${error.message}${error.hint ? `\n  hint: ${error.hint}` : ''}`, code: error.exitCode };
  }
  const message = error instanceof Error ? error.message : String(error);
  // A bug of ours, not the user's: still one line, with a way to get the trace.
  return { line: `oidc-cli: internal error: ${message} (set OIDC_CLI_DEBUG=1 for a stack trace)`, code: 3 };
}

/** The entry point: the only place that exits. */
export async function main(argv: string[]): Promise<void> {
  let exitCode = 0;
  const abort = new AbortController();
  const onSigint = () => {
    if (abort.signal.aborted) process.exit(4);
    abort.abort(new CliError('CANCELLED', 'cancelled (Ctrl-C)'));
  };
  process.on('SIGINT', onSigint);
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(exitCode);
  });
  try {
    const program = buildCli(packageVersion(), async (name, options, globals) => {
      exitCode = await runCommand(name, options, globals, abort);
    });
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already printed help, the version, or its one-line usage error.
      exitCode = error.exitCode === 0 ? 0 : 2;
    } else {
      const { line, code } = errorLine(error);
      process.stderr.write(line + '\n');
      if (process.env.OIDC_CLI_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
      exitCode = code;
    }
  }
  process.exit(exitCode);
}
