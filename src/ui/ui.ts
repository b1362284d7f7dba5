import type { ChalkInstance } from 'chalk';
import type { Ui } from '../core/ports.js';
import { MIN_WIDTH, wrap } from '../report/layout.js';
import { oneLine, printable } from '../util/terminal.js';

// The Ui port is declared by core (src/core/ports.ts), which must not import ui/; createUi implements it.
export type { Ui };

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
  // A line written while a spinner spins would land in the middle of its frame: clear it, write, redraw.
  let spinning: { clear(): unknown; render(): unknown } | undefined;
  const emit = (text: string) => {
    spinning?.clear();
    stream.write(text + '\n');
    spinning?.render();
  };
  const write = (text: string, style: (text: string) => string = (t) => t) => emit(style(safe(text)));
  // Progress lines quote what the IdP sent (a kid, a token_type, a callback parameter): one line each,
  // so a newline inside a value cannot print a line of its own.
  const writeLine = (text: string, style: (text: string) => string = (t) => t) => {
    for (const line of fitted(oneLine(mask(text)))) emit(style(line));
  };
  // On a terminal, a progress line longer than it is wide wraps under its own indent (masked first, so no
  // part of a secret survives a cut); a pipe or a CI log keeps each line whole.
  const fitted = (line: string): string[] => {
    const width = stream.isTTY && stream.columns >= MIN_WIDTH ? stream.columns : undefined;
    if (width === undefined || line.length <= width) return [line];
    const indent = /^\s*/.exec(line)![0];
    const hang = `${indent}  `;
    return wrap(line.slice(indent.length), width - hang.length).map((part, i) => `${i === 0 ? indent : hang}${part}`);
  };
  return {
    chalk: c,
    step: (title) => options.progress && writeLine(`→ ${title}`, c.bold),
    detail: (line) => options.progress && writeLine(`  ${line}`),
    explain: (line) => options.explain && writeLine(`  ⓘ ${line}`, c.cyan),
    warn: (line) => write(`warning: ${line}`, c.yellow),
    prompt: (line) => write(line),
    trace: (line) => options.verbose > 0 && writeLine(line, c.dim),
    async spinner(text) {
      // Only where a person watches a terminal of known width: never in a pipe, a CI log or under --json.
      if (!stream.isTTY || !stream.columns || !options.progress || spinning) return () => undefined;
      const { default: ora } = await import('ora');
      // Enabled here, not by ora's own guess (it turns itself off under CI=true): the checks above decided.
      const spinner = ora({ text: safe(text), stream, discardStdin: false, isEnabled: true }).start();
      spinning = spinner;
      return (finalText) => {
        if (spinning !== spinner) return;
        spinning = undefined;
        if (finalText) spinner.succeed(safe(finalText));
        else spinner.stop();
      };
    },
  };
}
