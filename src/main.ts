import { CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { buildCli } from './cli.js';
import type { CommandOutput, CommandRun, Context, GlobalOptions, RenderedChunk } from './commands/context.js';
import { CliError, ReportedStop } from './errors.js';
import type { HttpClient } from './http/types.js';
import { FlowLog } from './core/flow-log.js';
import { batchLineRenderer } from './report/batch-line.js';
import { renderHuman } from './report/human.js';
import { jsonSafe, renderJson, renderJsonError } from './report/json.js';
import { isOk, type Report } from './report/model.js';
import { SecretRegistry } from './report/secrets.js';
import type { ChalkInstance } from 'chalk';
import { colorEnabled, makeChalk } from './ui/color.js';
import { createUi } from './ui/ui.js';
import { layoutFor, OutputError, wroteAnyResult, writeOut } from './output.js';
import { inputChunks } from './util/input-chunks.js';
import { oneLine, printable } from './util/terminal.js';
import type { CheckResult } from './checks/types.js';

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

/**
 * Batch output in chunks of about 64 KB (one write per chunk, not one per token), with backpressure;
 * a result waits at most FLUSH_AFTER_MS, so `tail -f tokens | oidc-cli decode -` still shows each one.
 */
const CHUNK_CHARS = 64 * 1024;
const FLUSH_AFTER_MS = 20;

function chunkedWriter(): { write(text: string): Promise<void>; end(): Promise<void> } {
  let pending: string[] = [];
  let size = 0;
  let timer: NodeJS.Timeout | undefined;
  // A timed flush that failed is reported by the next write (the batch stops there) or by end().
  let failed: unknown;
  const flush = (): Promise<void> => {
    clearTimeout(timer);
    timer = undefined;
    if (failed !== undefined) return Promise.reject(failed);
    const pieces = pending;
    pending = [];
    size = 0;
    if (pieces.length === 0) return Promise.resolve();
    if (pieces.length === 1) return writeOut(pieces[0]!);
    return writeOut(pieces.join(''));
  };
  return {
    write(text) {
      if (failed !== undefined) return Promise.reject(failed);
      if (text.length === 0) return Promise.resolve();
      pending.push(text);
      size += text.length;
      if (size >= CHUNK_CHARS) return flush();
      timer ??= setTimeout(() => flush().catch((error: unknown) => (failed = error)), FLUSH_AFTER_MS);
      return Promise.resolve();
    },
    end: flush,
  };
}

function isAsyncIterable(value: CommandOutput): value is AsyncIterable<Report> {
  return typeof (value as AsyncIterable<Report>)[Symbol.asyncIterator] === 'function';
}

function isRendered(value: CommandOutput): value is { rendered: AsyncIterable<RenderedChunk> } {
  return typeof (value as { rendered?: unknown }).rendered === 'object';
}

/** The ✔/✖ lines of a human batch end with the count. */
function batchSummary(chalk: ChalkInstance, results: number, failed: number): string {
  const verdict = failed === 0 ? chalk.green.bold('OK') : chalk.red.bold('FAILED');
  return `${verdict}  ${results} tokens, ${results - failed} ok, ${failed} failed\n`;
}

/**
 * The stdout gate: every rendered result passes the run's secret registry, and JSON escapes what a
 * terminal would act on (report/json.ts jsonSafe). `bare` (the token of `oidc-cli token`) is the one value
 * printed as it is: it is the result the user asked for, and token.ts only lets a VSCHAR token through.
 */
async function printOutput(output: CommandOutput, globals: GlobalOptions, secrets: SecretRegistry): Promise<number> {
  const color = colorEnabled(process.stdout, process.env, globals.color);
  const chalk = makeChalk(color);
  if (isRendered(output)) return printRendered(output.rendered, globals, chalk);
  if (!isAsyncIterable(output)) {
    const code = isOk(output, globals.strict) ? 0 : 1;
    try {
      if (globals.json) await writeOut(jsonSafe(secrets.mask(renderJson(output, globals.strict))));
      else if (output.bare !== undefined) await writeOut(output.bare + '\n');
      else await writeOut(secrets.mask(renderHuman(output, chalk, globals.strict, layoutFor(process.stdout, process.env, globals, (text) => secrets.mask(text)))));
    } catch (error) {
      if (error instanceof OutputError) error.runCode = code;
      throw error;
    }
    return code;
  }
  // Batch: one result per input line, written as soon as it is judged (constant memory).
  const render = batchLineRenderer({ json: globals.json, strict: globals.strict, color }, (text) => secrets.mask(text));
  const out = chunkedWriter();
  let index = 0;
  let failed = 0;
  try {
    for await (const report of output) {
      const line = render(report, index);
      if (!line.ok) failed += 1;
      await out.write(line.text);
      index += 1;
    }
  } finally {
    await out.end(); // the results before a failure are still printed
  }
  if (!globals.json) await writeOut(batchSummary(chalk, index, failed));
  return failed === 0 ? 0 : 1;
}

/**
 * A batch rendered on worker threads: the bytes are written in order, a block of results at a time as
 * they come (no joining: joined, they were copied once more), and counted for the summary. Each block's
 * buffer goes back to its thread once written.
 */
async function printRendered(chunks: AsyncIterable<RenderedChunk>, globals: GlobalOptions, chalk: ChalkInstance): Promise<number> {
  let results = 0;
  let failed = 0;
  for await (const chunk of chunks) {
    results += chunk.results;
    failed += chunk.failed;
    try {
      await writeOut(chunk.text);
    } finally {
      chunk.release?.();
    }
  }
  if (!globals.json) await writeOut(batchSummary(chalk, results, failed));
  return failed === 0 ? 0 : 1;
}

export async function runCommand(name: string, options: Record<string, unknown>, rawGlobals: Record<string, unknown>, abort: AbortController, secrets: SecretRegistry): Promise<number> {
  const startedAt = Date.now();
  const globals = toGlobals(rawGlobals);
  secrets.reveal = globals.showTokens;
  const ui = createUi({
    mask: (text) => secrets.mask(text),
    chalk: makeChalk(colorEnabled(process.stderr, process.env, globals.color)),
    stream: process.stderr,
    progress: !globals.json || globals.verbose > 0,
    // --explain lines are part of the progress: --json keeps stderr quiet unless -v asks for it.
    explain: globals.explain && (!globals.json || globals.verbose > 0),
    verbose: globals.verbose,
  });
  let http: HttpClient | undefined;
  const flowLog = new FlowLog();
  const context: Context = {
    globals,
    flowLog,
    ui,
    version: packageVersion(),
    env: process.env,
    // A getter: creating process.stdin costs start-up time that most commands never need.
    get stdin() {
      return process.stdin;
    },
    // node:tty only when asked (decode reading stdin): most runs never are.
    stdinIsTerminal: () => process.getBuiltinModule('node:tty').isatty(0),
    stdinChunks: () => inputChunks(0, () => process.stdin),
    signal: abort.signal,
    addSecret: (value) => secrets.add(value),
    mask: (text) => secrets.mask(text),
    batchGate: () => ({ json: globals.json, strict: globals.strict, color: colorEnabled(process.stdout, process.env, globals.color), reveal: secrets.reveal, secrets: secrets.entries() }),
    async writeFile(path, text, flag) {
      const { writeReportFile } = await import('./report/write-file.js'); // only `check --junit/--sarif` write a file
      // A FIFO's reader is waited for no longer than the run's --timeout (or the default, from now).
      const deadline = globals.timeout !== undefined ? startedAt + 1000 * globals.timeout : Date.now() + 1000 * DEFAULT_TIMEOUT_SECONDS;
      await writeReportFile(path, secrets.mask(text), flag, deadline);
    },
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
          secrets,
          onExchange: (exchange) => flowLog.exchange(exchange),
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
    return await printOutput(output, globals, secrets);
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

/**
 * A run that could not complete may have judged something first (the discovery failures behind a key set
 * that never came): its failures and warnings go on stderr above the error line, as --json keeps them.
 */
function findingsBefore(judged: readonly CheckResult[]): string {
  const findings = judged.filter((check) => check.status === 'fail' || check.status === 'warn');
  if (findings.length === 0) return '';
  const width = Math.max(...findings.map((check) => check.id.length));
  return `found before it stopped:\n${findings.map((check) => `  ${check.status === 'fail' ? '✖' : '!'} ${check.id.padEnd(width)}  ${oneLine(check.message)}\n`).join('')}`;
}

/** The last lines on stderr quote server data (a jwks_uri, a Location, a body's start): masked and terminal-safe like every Ui line. */
function writeErr(text: string, secrets: SecretRegistry): void {
  process.stderr.write(printable(secrets.mask(text)));
}

/** --json: the run that stopped still leaves its one document on stdout; a failure to write it changes nothing. */
async function writeErrorDocument(command: string, error: unknown, code: number, secrets: SecretRegistry): Promise<void> {
  const detail = error instanceof CliError ? error : { code: 'INTERNAL', message: `internal error: ${error instanceof Error ? error.message : String(error)}`, hint: undefined };
  await writeOut(jsonSafe(secrets.mask(renderJsonError(command, detail, code)))).catch(() => undefined);
}

/** The entry point: the only place that exits. */
export async function main(argv: string[]): Promise<void> {
  let exitCode = 0;
  const secrets = new SecretRegistry();
  const abort = new AbortController();
  const onSigint = () => {
    if (abort.signal.aborted) process.exit(4);
    abort.abort(new CliError('CANCELLED', 'cancelled (Ctrl-C)'));
  };
  process.on('SIGINT', onSigint);
  // Without a listener a write error would crash the process; the writes themselves report it (writeOut).
  let stdoutError: NodeJS.ErrnoException | undefined;
  let outputHandled = false;
  let ran: { name: string; json: boolean } | undefined;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => (stdoutError ??= error));
  try {
    const program = buildCli(packageVersion(), async (name, options, globals) => {
      ran = { name, json: globals.json === true };
      exitCode = await runCommand(name, options, globals, abort, secrets);
    });
    program.configureOutput({ writeErr: (text) => writeErr(text, secrets) });
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already printed help, the version, or its one-line usage error.
      exitCode = error.exitCode === 0 ? 0 : 2;
    } else if (error instanceof OutputError) {
      const { code, line } = error.outcome();
      if (line) writeErr(`${line}\n`, secrets);
      exitCode = code;
      outputHandled = true;
    } else {
      const { line, code } = errorLine(error);
      if (ran?.json && !wroteAnyResult()) await writeErrorDocument(ran.name, error, code, secrets);
      else if (error instanceof CliError && error.judged) writeErr(findingsBefore(error.judged), secrets);
      writeErr(line + '\n', secrets);
      if (process.env.OIDC_CLI_DEBUG && error instanceof Error) writeErr(`${error.stack}\n`, secrets);
      exitCode = code;
    }
  }
  // A write that failed after the result was handed over (commander's help, --version) still counts.
  await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
  if (stdoutError && !outputHandled) {
    const late = new OutputError(stdoutError.code ?? stdoutError.message);
    late.runCode = exitCode;
    const { code, line } = late.outcome();
    if (line) writeErr(`${line}\n`, secrets);
    exitCode = Math.max(exitCode, code);
  }
  process.exit(exitCode);
}
