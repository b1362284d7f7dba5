import { spawn } from 'node:child_process';
import type { Browser, LaunchedBrowser, OpenOptions } from '../core/ports.js';
import { CliError, usageError } from '../errors.js';

/**
 * Hands the authorization URL to a browser: `--browser-command CMD` (or $BROWSER) runs CMD with the URL
 * as its last argument, `--no-browser` only prints it, otherwise the `open` package picks the system's.
 * The command is split into words here and run without a shell, so a URL can never inject anything.
 */
export interface BrowserOptions {
  noBrowser: boolean;
  command: string | undefined;
  /** Where the URL and notes are printed; stderr by default (stdout carries only the report). */
  print?: (line: string) => void;
}

export type { LaunchedBrowser };

/** POSIX-like word splitting: whitespace separates, '…' is literal, "…" and \ escape. No expansion. */
export function splitCommand(command: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < command.length; i++) {
    const ch = command[i]!;
    if (quote === "'") {
      if (ch === "'") quote = undefined;
      else word += ch;
    } else if (quote === '"') {
      if (ch === '"') quote = undefined;
      else if (ch === '\\' && i + 1 < command.length && '"\\$`'.includes(command[i + 1]!)) word += command[++i];
      else word += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
    } else if (ch === '\\' && i + 1 < command.length) {
      word += command[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (quote) throw usageError(`--browser-command: unterminated ${quote} quote in "${command}"`);
  if (inWord) words.push(word);
  if (words.length === 0) throw usageError('--browser-command is empty');
  return words;
}

const never = () => new Promise<never>(() => undefined);

const toStderr = (line: string) => void process.stderr.write(`${line}\n`);

export async function openBrowser(url: string, browserOptions: BrowserOptions, openOptions: OpenOptions = {}): Promise<LaunchedBrowser> {
  const options = { ...browserOptions, print: browserOptions.print ?? toStderr };
  if (options.noBrowser) {
    options.print('Open this URL in a browser to sign in:');
    options.print(`  ${url}`);
    return { failed: never(), exited: never(), stop: () => undefined };
  }
  if (options.command !== undefined) return runCommand(splitCommand(options.command), url, openOptions.refuse === true);
  options.print(`Opening the browser; if it does not open, visit:\n  ${url}`);
  try {
    const { default: open } = await import('open');
    const child = await open(url);
    child.on('error', () => options.print('(could not start the system browser: open the URL above by hand)'));
  } catch {
    options.print('(could not start the system browser: open the URL above by hand)');
  }
  return { failed: never(), exited: never(), stop: () => undefined };
}

/** The Browser port of core/ (src/core/ports.ts) as the options chose it. */
export function browserFor(options: BrowserOptions): Browser {
  return { open: (url, openOptions) => openBrowser(url, options, openOptions) };
}

/** What a --browser-command finds in its environment: `deny` asks it to refuse the sign-in (OpenOptions.refuse). */
export const SIGN_IN_VARIABLE = 'OIDC_CLI_SIGN_IN';

function runCommand([file, ...args]: string[], url: string, refuse: boolean): LaunchedBrowser {
  let stopped = false;
  // stdout of the browser goes to our stderr: stdout carries only the report.
  const env = { ...process.env, [SIGN_IN_VARIABLE]: refuse ? 'deny' : 'allow' };
  const child = spawn(file!, [...args, url], { stdio: ['ignore', 2, 2], shell: false, env });
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      if (!stopped) reject(usageError(`--browser-command: cannot run "${file}": ${error.code === 'ENOENT' ? 'not found' : error.message}`));
    });
    child.once('exit', (code, signal) => {
      if (stopped || code === 0) return;
      reject(new CliError('CANCELLED', `the browser command "${file}" ${signal ? `was killed by ${signal}` : `exited with code ${code}`} before the authorization response arrived`));
    });
  });
  failed.catch(() => undefined);
  const exited = new Promise<number | null>((resolve) => {
    child.once('error', () => resolve(null));
    child.once('exit', (code) => resolve(code));
  });
  return {
    failed,
    exited,
    stop() {
      stopped = true;
    },
  };
}
