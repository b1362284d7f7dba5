import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { CliError, inputError, usageError } from '../errors.js';
import type { KeySource, ValidateOptions, ValidationResult } from '../core/jwt/types.js';
import { formatFailure, validateJwt } from '../core/jwt/validate.js';
import { timeNotes } from '../core/jwt/claims.js';
import { isCompactShape, isTokenText, MAX_TOKEN_BYTES } from '../core/jwt/parse.js';
import type { Report, Section } from '../report/model.js';
import { nonBlankLines } from '../util/lines.js';
import type { CommandOutput, Context } from './context.js';
import { show } from '../util/show.js';

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

type TimeNotes = ReturnType<typeof timeNotes>;

/** The JSON members (`kind`, `header`, `signature`, `payload`, `times`). */
function decodeData({ parsed, signature }: ValidationResult, times: TimeNotes): Record<string, unknown> {
  const data: Record<string, unknown> = {
    kind: parsed.kind.toUpperCase(),
    header: parsed.header,
    signature: { verified: signature.verified, alg: signature.alg, kid: signature.kid, key_thumbprint: signature.keyThumbprint, reason: signature.reason },
  };
  if (parsed.payload) data.payload = parsed.payload;
  if (parsed.payloadText !== undefined) data.payload_text = parsed.payloadText;
  if (Object.keys(times).length) data.times = times;
  return data;
}

/** The same for humans: token type and signature, header, payload with its times. */
function decodeSections({ parsed, signature }: ValidationResult, times: TimeNotes): Section[] {
  const signatureLine = signature.verified
    ? `verified (${signature.alg}${signature.kid ? `, kid ${signature.kid}` : ''}, key thumbprint ${signature.keyThumbprint})`
    : `NOT verified: ${signature.reason ?? 'no key'}`;
  const sections: Section[] = [
    {
      title: 'Token',
      kind: 'fields',
      fields: [
        ['type', parsed.kind === 'jwe' ? 'JWE (encrypted, 5 parts)' : 'JWS (signed, 3 parts)'],
        ...(parsed.header.cty !== undefined ? [['cty', `${show(parsed.header.cty)}${show(parsed.header.cty).toUpperCase() === 'JWT' ? ' (a nested JWT)' : ''}`] as [string, string]] : []),
        ['signature', signatureLine],
      ],
    },
    { title: 'Header', kind: 'json', value: parsed.header },
  ];
  if (parsed.payload) {
    const notes = Object.fromEntries(Object.entries(times).map(([claim, t]) => [claim, `${t.iso}, ${t.relative}`]));
    sections.push({ title: 'Payload', kind: 'json', value: parsed.payload, notes });
  } else if (parsed.payloadText !== undefined) {
    sections.push({ title: 'Payload (not a JSON claims set; a JWS may sign any content)', kind: 'text', text: parsed.payloadText });
  }
  return sections;
}

export function decodeReport(result: ValidationResult, now: number): Report {
  const times = result.parsed.payload ? timeNotes(result.parsed.payload, now) : {};
  return { command: 'decode', checks: result.checks, data: decodeData(result, times), sections: decodeSections(result, times) };
}

/** A line of batch input that is not a token: reported as that line's failure, the rest go on. */
function unreadableLineReport(error: CliError, line: number): Report {
  return { command: 'decode', checks: formatFailure('jwt', error.message), data: { line, error: error.message }, sections: [] };
}

/**
 * How many tokens are judged at once in batch mode. Signatures are checked on libuv's thread pool
 * (jws-verify.ts), so while some wait there the main thread parses, judges and prints the others.
 */
const BATCH_WINDOW = 32;

async function* decodeLines(first: Array<{ line: string; number: number }>, rest: AsyncIterator<{ line: string; number: number }>, prepared: Omit<ValidateOptions, 'now'>): AsyncGenerator<Report> {
  const judge = async ({ line, number }: { line: string; number: number }): Promise<Report> => {
    const now = Date.now() / 1000;
    try {
      const result = await validateJwt(line, { ...prepared, now });
      const times = result.parsed.payload ? timeNotes(result.parsed.payload, now) : {};
      // One line per token is printed (JSON or human), never the sections of a full report.
      return { command: 'decode', checks: result.checks, data: { line: number, ...decodeData(result, times) }, sections: [] };
    } catch (error) {
      if (error instanceof CliError && error.code === 'INPUT') return unreadableLineReport(error, number);
      throw error;
    }
  };
  // Results leave in input order; a failure surfaces when its turn comes, as it did one at a time.
  const pending: Array<Promise<Report>> = [];
  const start = (entry: { line: string; number: number }) => {
    const report = judge(entry);
    report.catch(() => undefined); // awaited below, in order; not an unhandled rejection meanwhile
    pending.push(report);
  };
  for (const entry of first) start(entry);
  let next = rest.next();
  for (;;) {
    const oldest = pending[0];
    if (oldest && pending.length >= BATCH_WINDOW) {
      yield await pending.shift()!;
      continue;
    }
    // Print the oldest report as soon as it is ready, even while the next line is slow to come
    // (`tail -f tokens | oidc-cli decode -`); otherwise start judging the next line.
    if (oldest && (await Promise.race([oldest.then(() => 'report', () => 'report'), next.then(() => 'line', () => 'line')])) === 'report') {
      yield await pending.shift()!;
      continue;
    }
    const line = await next;
    if (line.done) break;
    start(line.value);
    next = rest.next();
  }
  while (pending.length > 0) yield await pending.shift()!;
}

/**
 * Batch input: signatures are checked on libuv's thread pool while this thread judges and prints, so
 * one pool thread per spare core. The default 4 on a 2-core machine take CPU from this thread and
 * cost a third of the throughput. Takes effect only before the pool's first use (reading stdin or
 * --jwks); a UV_THREADPOOL_SIZE the user set wins.
 */
function sizeThreadPool(): void {
  process.env.UV_THREADPOOL_SIZE ??= String(Math.max(1, availableParallelism() - 1));
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
  if (fromStdin && context.stdin.isTTY) throw usageError('no token: pass it as an argument, or pipe it on stdin (decode -)');
  if (fromStdin) sizeThreadPool();
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
  const lines = nonBlankLines(context.stdin)[Symbol.asyncIterator]();
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
  return decodeLines(wrapped, lines, prepared);
}

type Line = { line: string; number: number };

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
