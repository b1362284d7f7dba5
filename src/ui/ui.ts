import type { ChalkInstance } from 'chalk';
import { printable } from '../util/terminal.js';

/**
 * Everything a command may say while it runs goes to stderr through here: steps of a flow, the
 * `--explain` lines, warnings and HTTP traces. stdout is reserved for the result (main.ts).
 */
export interface Ui {
  readonly chalk: ChalkInstance;
  /** A protocol step heading ("→ Token request"), shown unless --json or --quiet. */
  step(title: string): void;
  /** Detail under the current step (what was sent, what came back). */
  detail(line: string): void;
  /** One line on why the step matters; only with --explain. */
  explain(line: string): void;
  /** Always shown (even with --json): something the user must know. */
  warn(line: string): void;
  /** Always shown, unstyled: an instruction the user must act on (a URL to open, a device code to enter). */
  prompt(line: string): void;
  /** HTTP traces for -v / -vv. */
  trace(line: string): void;
  /** A spinner while waiting; a no-op unless stderr is a TTY. Returns a stop function. */
  spinner(text: string): Promise<(finalText?: string) => void>;
}

export interface UiOptions {
  chalk: ChalkInstance;
  stream: NodeJS.WriteStream;
  /** Show steps and details (off under --json unless -v). */
  progress: boolean;
  explain: boolean;
  verbose: number;
  /** The run's secret registry (main.ts): every line is masked before it is written. */
  mask?: (text: string) => string;
}

/**
 * The stderr gate: every text is masked (known secrets), made terminal-safe (printable), and only then
 * styled, so neither a secret an IdP echoed nor a control sequence it sent reaches the terminal.
 */
export function createUi(options: UiOptions): Ui {
  const { chalk: c, stream } = options;
  const mask = options.mask ?? ((text: string) => text);
  const safe = (text: string) => printable(mask(text));
  const write = (text: string, style: (text: string) => string = (t) => t) => stream.write(style(safe(text)) + '\n');
  return {
    chalk: c,
    step: (title) => options.progress && write(`→ ${title}`, c.bold),
    detail: (line) => options.progress && write(`  ${line}`),
    explain: (line) => options.explain && write(`  ⓘ ${line}`, c.cyan),
    warn: (line) => write(`warning: ${line}`, c.yellow),
    prompt: (line) => write(line),
    trace: (line) => options.verbose > 0 && write(line, c.dim),
    async spinner(text) {
      if (!stream.isTTY || !options.progress) return () => undefined;
      const { default: ora } = await import('ora');
      const spinner = ora({ text: safe(text), stream }).start();
      return (finalText) => (finalText ? spinner.succeed(safe(finalText)) : spinner.stop());
    },
  };
}
