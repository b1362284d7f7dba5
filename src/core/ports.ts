import type { ChalkInstance } from 'chalk';

/**
 * What a flow in core/ needs from the outside world besides HTTP (src/http/types.ts): where it says
 * things (stderr, through the output gate) and a browser. Commands build them from src/ui/; a unit test
 * passes its own (kubelogin's browser.Interface and its HTTP driver are the model), so a whole login runs
 * in-process against a real IdP.
 */

/**
 * Everything a command may say while it runs goes to stderr through here: steps of a flow, the
 * `--explain` lines, warnings and HTTP traces. stdout is reserved for the result (main.ts).
 * Implemented by src/ui/ui.ts createUi.
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

/** A browser handed one authorization URL (src/ui/browser.ts: the system's, --browser-command, or --no-browser). */
export interface LaunchedBrowser {
  /** Rejects when the browser fails (a command exits non-zero or cannot start) before `stop()` is called. */
  failed: Promise<never>;
  /** Resolves with the exit code (null when killed) once a command ends, whatever the code; never for a person's browser. */
  exited: Promise<number | null>;
  stop(): void;
}

export interface OpenOptions {
  /**
   * Ask the sign-in to be refused instead of completed (a probe of the IdP's refusal). A
   * --browser-command sees OIDC_CLI_SIGN_IN=deny in its environment and may press "deny"; a command
   * that does not read it simply signs in, and the probe says it could not tell.
   */
  refuse?: boolean;
}

export interface Browser {
  open(url: string, options?: OpenOptions): Promise<LaunchedBrowser>;
}
