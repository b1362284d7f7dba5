/**
 * The Browser port of src/core/ports.ts as an in-process HTTP driver, so a unit test calls runLogin or
 * runCheck directly against the real IdP of idp.ts: no child process, no --browser-command. It behaves as
 * ui/browser.ts does for a --browser-command that is browser.mjs: `exited` once the walk ends, `failed`
 * (CANCELLED, as a command that exits non-zero) when it stops short.
 */
import { CliError } from '../../src/errors.js';
import type { Browser, LaunchedBrowser, OpenOptions } from '../../src/core/ports.js';
import { signIn, type SignInOptions } from './http-browser.mjs';
import { browse } from './scripted-idp.js';

export interface HttpBrowser extends Browser {
  /** Every URL handed to the browser, in order. */
  opened: string[];
}

export function httpBrowser(options: Omit<SignInOptions, 'signal'> & { timeoutMs?: number } = {}): HttpBrowser {
  // A probe asking the sign-in to be refused: pressed as browser.mjs does for OIDC_CLI_SIGN_IN=deny.
  return walkingBrowser((url, openOptions) => signIn(url, { ...options, ...(openOptions.refuse ? { deny: true } : {}), signal: AbortSignal.timeout(options.timeoutMs ?? 15_000) }));
}

/** The no-JavaScript browser of scripted-idp.ts (its `browse` command), in-process. */
export function scriptedBrowser(): HttpBrowser {
  return walkingBrowser((url) => browse(url));
}

function walkingBrowser(walkTo: (url: string, options: OpenOptions) => Promise<unknown>): HttpBrowser {
  const opened: string[] = [];
  return {
    opened,
    async open(url: string, openOptions: OpenOptions = {}): Promise<LaunchedBrowser> {
      opened.push(url);
      let stopped = false;
      const walk = walkTo(url, openOptions);
      const exited = walk.then(() => 0, () => 1);
      const failed = walk.then(
        () => new Promise<never>(() => undefined),
        (error: Error) => {
          if (stopped) return new Promise<never>(() => undefined);
          throw new CliError('CANCELLED', `the HTTP browser stopped before the authorization response arrived: ${error.message}`);
        },
      );
      failed.catch(() => undefined);
      return { failed, exited, stop: () => void (stopped = true) };
    },
  };
}
