/**
 * The script hot path (issue 17): `oidc-cli --version`, `oidc-cli decode TOKEN` and `oidc-cli token` with a
 * usable cached token, answered by a bundle of their own (dist/src/bundle/hot.cjs) without commander and
 * the rest of the CLI, so `$(oidc-cli token)` starts nearly as fast as bare Node.
 *
 * It takes only these exact argument shapes, and only when it can answer them as main.ts would, with the
 * same functions (decode-report.ts, pick-client.ts, the human renderer, output.ts). For anything else, or
 * anything out of the ordinary on the way (an error, a warning, a token to refresh or refuse) it answers
 * nothing, writes nothing, and the launcher runs main.ts, which does the whole work from the start.
 */
import { fstatSync } from 'node:fs';
import type { Ui } from './ui/ui.js';
import { type OutputError, writeOut, writeOutDirect } from './output.js';

/** Inlined by the bundler (scripts/bundle.ts). */
declare const OIDC_CLI_VERSION: string;

/** What to print and the exit code, or undefined: main.ts answers. */
type Answer = { text: string; code: number } | undefined;

/** `decode TOKEN`: the full human report, as decode.ts and main.ts's printOutput make it (no keys, no secret). */
async function decode(token: string): Promise<Answer> {
  // --issuer comes from OIDC_ISSUER when set (cli.ts): then keys are fetched, which is main.ts's work.
  if (token.startsWith('-') || 'OIDC_ISSUER' in process.env) return undefined;
  const { validateJwt } = await import('./core/jwt/validate.js');
  const { decodeReport } = await import('./commands/decode-report.js');
  const { DEFAULT_CLOCK_SKEW_SECONDS } = await import('./util/duration.js');
  const now = Date.now() / 1000;
  let result: Awaited<ReturnType<typeof validateJwt>>;
  try {
    result = await validateJwt(token, { prefix: 'jwt', expect: {}, clockSkew: DEFAULT_CLOCK_SKEW_SECONDS, now });
  } catch {
    return undefined; // not a token: main.ts says why, and whether it is a file
  }
  const report = decodeReport(result, now);
  const { renderHuman } = await import('./report/human.js');
  const { isOk } = await import('./report/model.js');
  const { colorEnabled, makeChalk } = await import('./ui/color.js');
  const { layoutFor } = await import('./output.js');
  // No secret is known to this run, so the output gate's masking leaves the text as it is.
  const text = renderHuman(report, makeChalk(colorEnabled(stdout(), process.env, undefined)), false, layoutFor(stdout(), process.env, { verbose: 0 }, (line) => line));
  return { text, code: isOk(report, false) ? 0 : 1 };
}

/** `token`: the cached access token alone, when token.ts would print it without a network call or a word on stderr. */
async function token(): Promise<Answer> {
  const { pickClient } = await import('./store/pick-client.js');
  const { usableAccessToken } = await import('./store/cache.js');
  const { isVsChar } = await import('./util/plain-token.js');
  const env = process.env;
  let warned = false;
  const ui = { warn: () => (warned = true) } as unknown as Ui;
  // The options commander gives `token` with no flags: issuer and client from the environment (cli.ts).
  const flags = { issuer: env.OIDC_ISSUER, clientId: env.OIDC_CLIENT_ID, clientSecret: env.OIDC_CLIENT_SECRET };
  let picked: Awaited<ReturnType<typeof pickClient>>;
  try {
    // Look only: whatever the cache read would fix or set aside is left to the full CLI, which says so.
    picked = await pickClient(flags, { env, ui, globals: { profile: undefined } }, true, undefined, true);
  } catch {
    return undefined;
  }
  const access = usableAccessToken(picked.cached, Math.floor(Date.now() / 1000), 30);
  if (warned || access === undefined || !isVsChar(access) || picked.cached?.verdict?.flagged) return undefined;
  return { text: `${access}\n`, code: 0 };
}

function answer(args: string[]): Promise<Answer> | Answer {
  if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) return { text: `${OIDC_CLI_VERSION}\n`, code: 0 };
  if (args.length === 2 && args[0] === 'decode') return decode(args[1]!);
  if (args.length === 1 && args[0] === 'token') return token();
  return undefined;
}

/**
 * What the report's colour and layout need of stdout. A terminal is asked through process.stdout (its
 * width); anything else (the pipe of `$(oidc-cli token)`, a file) is not a TTY and has no width, and
 * process.stdout, whose stream modules cost about a tenth of a bare Node start, is not created.
 */
const toTerminal = isTerminal(1);

function isTerminal(fd: number): boolean {
  try {
    // node:tty only for a character device (a terminal, or /dev/null): a pipe or a file is none.
    return fstatSync(fd).isCharacterDevice() && process.getBuiltinModule('node:tty').isatty(fd);
  } catch {
    return false; // closed: the write says so
  }
}
const stdout = (): Pick<NodeJS.WriteStream, 'isTTY' | 'columns'> => (toTerminal ? process.stdout : { isTTY: false, columns: 0 });

/** Answers and exits, or returns false without having written anything: main.ts answers then. */
export async function hotPath(argv: string[]): Promise<boolean> {
  const found = await answer(argv.slice(2));
  if (!found) return false;
  // Without a listener a write error would crash the process; writeOut reports it.
  if (toTerminal) process.stdout.on('error', () => undefined);
  let code = found.code;
  try {
    await (toTerminal ? writeOut(found.text) : writeOutDirect(found.text));
  } catch (error) {
    // As main.ts: lost output is never a success (EPIPE: 1, silently; any other error: 3 and one line).
    const lost = error as OutputError;
    lost.runCode = code;
    const outcome = lost.outcome();
    if (outcome.line) process.stderr.write(`${outcome.line}\n`);
    code = outcome.code;
  }
  process.exit(code);
}
