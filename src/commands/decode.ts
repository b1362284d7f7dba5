import { stat } from 'node:fs/promises';
import { CliError, inputError, usageError } from '../errors.js';
import type { KeySource, ValidateOptions } from '../core/jwt/types.js';
import { validateJwt } from '../core/jwt/validate.js';
import { isCompactShape, isTokenText, MAX_TOKEN_BYTES } from '../core/jwt/parse.js';
import { BufferPool } from '../util/buffer-pool.js';
import { type Line, type LineBlock, LineReader, nonBlankLineBlocks } from '../util/lines.js';
import type { CommandOutput, Context } from './context.js';
import { decodeReport } from './decode-report.js';

export interface DecodeOptions {
  token?: string;
  issuer?: string;
  jwks?: string;
  secret?: string;
  secretFile?: string;
  alg?: string[];
  iss?: string;
  aud?: string;
  nonce?: string;
  maxAge?: number;
  clockSkew: number;
}

/** Everything but the token: keys, secret and expectations, resolved once for one token or a million. */
async function prepare(options: DecodeOptions, context: Context): Promise<Omit<ValidateOptions, 'now'>> {
  if (options.secret !== undefined && options.secretFile !== undefined) throw usageError('give --secret or --secret-file, not both');
  if (options.jwks !== undefined && options.issuer !== undefined) throw usageError('give --jwks or --issuer, not both (--issuer with --jwks: use --iss for the expected issuer)');
  let keys: KeySource | undefined;
  let advertisedAlgorithms: string[] | undefined;
  if (options.jwks !== undefined || options.issuer !== undefined) {
    // Loaded only when keys are asked for: decoding alone starts without the discovery and JWKS code.
    const { keySourceFromIssuer, keySourceFromJwksOption } = await import('../core/key-source.js');
    if (options.jwks !== undefined) keys = await keySourceFromJwksOption(options.jwks, () => context.http());
    if (options.issuer !== undefined) ({ keys, advertisedAlgorithms } = await keySourceFromIssuer(options.issuer, await context.http()));
  }
  let secret: Uint8Array | undefined;
  if (options.secret !== undefined) secret = new TextEncoder().encode(options.secret);
  if (options.secretFile !== undefined) {
    const { readLocalFile } = await import('../util/local-file.js'); // not at start-up: most runs give no secret file
    // A trailing newline from `echo secret > file` is not part of the secret.
    secret = new TextEncoder().encode((await readLocalFile(options.secretFile, `--secret-file ${options.secretFile}`)).replace(/\r?\n$/, ''));
  }
  const expect: ValidateOptions['expect'] = {};
  const issuer = options.iss ?? options.issuer;
  if (issuer !== undefined) expect.issuer = issuer;
  if (options.aud !== undefined) expect.audience = options.aud;
  if (options.nonce !== undefined) expect.nonce = options.nonce;
  if (options.maxAge !== undefined) expect.maxAge = options.maxAge;
  if (advertisedAlgorithms) expect.advertisedAlgorithms = advertisedAlgorithms;
  if (secret) context.addSecret(new TextDecoder().decode(secret));
  const prepared: Omit<ValidateOptions, 'now'> = { prefix: 'jwt', expect, clockSkew: options.clockSkew };
  if (keys) prepared.keys = keys;
  if (secret) prepared.secret = secret;
  if (options.alg) prepared.algorithms = options.alg;
  return prepared;
}

/** A file's name given where the token belongs: say how to read the file instead. */
async function withFileHint(error: unknown, argument: string): Promise<unknown> {
  if (!(error instanceof CliError) || error.code !== 'INPUT' || argument.length > 4096) return error;
  const file = await stat(argument).catch(() => undefined);
  if (!file?.isFile()) return error;
  return inputError(`"${argument}" is a file, not a token`, `to read the token from it: oidc-cli decode - < ${argument}`);
}

export async function run(options: DecodeOptions, context: Context): Promise<CommandOutput> {
  const fromStdin = options.token === undefined || options.token === '-';
  if (fromStdin && context.stdinIsTerminal()) throw usageError('no token: pass it as an argument, or pipe it on stdin (decode -)');
  const prepared = await prepare(options, context);
  if (!fromStdin) {
    const now = Date.now() / 1000;
    try {
      return decodeReport(await validateJwt(options.token!, { ...prepared, now }), now);
    } catch (error) {
      throw await withFileHint(error, options.token!);
    }
  }
  // Peek at two lines: one token gives the full report, more give one result a line (streamed).
  // Shared with the worker threads, not copied to them; filled again once a block is judged (decode-pool.ts).
  const blockBuffers = new BufferPool(SPARE_BLOCK_BUFFERS, (size) => new SharedArrayBuffer(size));
  const lines = new LineReader(nonBlankLineBlocks(context.stdinChunks(), LINES_PER_TASK, BYTES_PER_TASK, undefined, (size) => blockBuffers.take(size)));
  const first: Array<{ line: string; number: number }> = [];
  for (let i = 0; i < 2; i++) {
    const next = await lines.next();
    if (next.done) break;
    first.push(next.value);
  }
  if (first.length === 0) throw inputError('no token on stdin');
  if (first.length === 1) {
    const now = Date.now() / 1000;
    return decodeReport(await validateJwt(first[0]!.line, { ...prepared, now }), now);
  }
  const wrapped = await joinWrapped(first, lines, context.ui.warn);
  if (typeof wrapped === 'string') {
    const now = Date.now() / 1000;
    return decodeReport(await validateJwt(wrapped, { ...prepared, now }), now);
  }
  // Many tokens: judged and rendered on every core (decode-pool.ts), printed in input order.
  const { judgeOnThreads } = await import('./decode-pool.js');
  return { rendered: judgeOnThreads(prepend(wrapped, lines.blocks()), prepared, context.batchGate(), blockBuffers) };
}

/** Lines a worker thread judges at a time (decode-pool.ts): stdin is cut into blocks of this many, or fewer long ones. */
const LINES_PER_TASK = 32;
const BYTES_PER_TASK = 256 * 1024;
/** More than the blocks in flight at once (decode-pool.ts: a few per core). */
const SPARE_BLOCK_BUFFERS = 32;

async function* prepend(first: Line[], rest: AsyncIterable<LineBlock | Line[]>): AsyncGenerator<LineBlock | Line[]> {
  yield first;
  yield* rest;
}

/**
 * One token broken across lines on stdin (pasted from a wrapped terminal or an e-mail) rather than a
 * batch: the lines after the first are pieces (base64url and dots) that do not start a token of their
 * own ("eyJ", a JOSE header), and together they make one compact token. Returns that token, or the
 * lines read so far for the batch when the input is not one.
 */
async function joinWrapped(first: Line[], rest: AsyncIterator<Line>, warn: (line: string) => void): Promise<string | Line[]> {
  const piece = (line: Line) => line.line.trim();
  const continues = (line: Line) => isTokenText(piece(line)) && !piece(line).startsWith('eyJ');
  if (!isTokenText(piece(first[0]!)) || !continues(first[1]!)) return first;
  const read = [...first];
  let size = piece(first[0]!).length + piece(first[1]!).length;
  for (let next = await rest.next(); !next.done; next = await rest.next()) {
    read.push(next.value);
    size += piece(next.value).length;
    if (!continues(next.value) || size > MAX_TOKEN_BYTES) return read;
  }
  const token = read.map(piece).join('');
  if (!isCompactShape(token)) return read;
  warn(`the token on stdin is broken across ${read.length} lines: read as one`);
  return token;
}
