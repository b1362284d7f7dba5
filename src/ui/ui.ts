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
}

export function createUi(options: UiOptions): Ui {
  const { chalk: c, stream } = options;
  const write = (line: string) => stream.write(line + '\n');
  return {
    chalk: c,
    step: (title) => options.progress && write(c.bold(`→ ${printable(title)}`)),
    detail: (line) => options.progress && write(`  ${printable(line)}`),
    explain: (line) => options.explain && write(c.cyan(`  ⓘ ${printable(line)}`)),
    warn: (line) => write(c.yellow(`warning: ${printable(line)}`)),
    prompt: (line) => write(printable(line)),
    trace: (line) => options.verbose > 0 && write(c.dim(printable(line))),
    async spinner(text) {
      if (!stream.isTTY || !options.progress) return () => undefined;
      const { default: ora } = await import('ora');
      const spinner = ora({ text, stream }).start();
      return (finalText) => (finalText ? spinner.succeed(finalText) : spinner.stop());
    },
  };
}
