import { CliError } from '../errors.js';
import { timeNotes } from '../core/jwt/claims.js';
import type { ValidateOptions, ValidationResult } from '../core/jwt/types.js';
import { formatFailure, validateJwt } from '../core/jwt/validate.js';
import type { BatchLineRenderer } from '../report/batch-line.js';
import type { Report, Section } from '../report/model.js';
import type { Line } from '../util/lines.js';
import { show } from '../util/show.js';

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

/** The full report of one token. */
export function decodeReport(result: ValidationResult, now: number): Report {
  const times = result.parsed.payload ? timeNotes(result.parsed.payload, now) : {};
  return { command: 'decode', checks: result.checks, data: decodeData(result, times), sections: decodeSections(result, times) };
}

/** A line of batch input that is not a token: reported as that line's failure, the rest go on. */
function unreadableLineReport(error: CliError, line: number): Report {
  return { command: 'decode', checks: formatFailure('jwt', error.message), data: { line, error: error.message }, sections: [] };
}

/**
 * The result of one line of batch input (on the main thread or a worker thread: commands/decode-pool.ts).
 * One line per token is printed (JSON or human), never the sections of a full report.
 */
export async function judgeLine({ line, number }: Line, prepared: Omit<ValidateOptions, 'now'>): Promise<Report> {
  const now = Date.now() / 1000;
  try {
    const result = await validateJwt(line, { ...prepared, now });
    const times = result.parsed.payload ? timeNotes(result.parsed.payload, now) : {};
    return { command: 'decode', checks: result.checks, data: { line: number, ...decodeData(result, times) }, sections: [] };
  } catch (error) {
    if (error instanceof CliError && error.code === 'INPUT') return unreadableLineReport(error, number);
    throw error;
  }
}

/** A block of batch lines, judged and rendered in order; an error that stops the batch ends it. */
export interface JudgedBlock {
  text: string;
  results: number;
  failed: number;
  error: Error | undefined;
}

/**
 * Judges and renders a block of batch lines: on a worker thread (decode-worker.ts), or on the main thread
 * for a block a worker's bounded heap could not hold (decode-pool.ts). Stops at the first line whose
 * judging throws (a key set that could not be fetched again), after the results before it.
 */
export async function judgeBlock(lines: Line[], prepared: Omit<ValidateOptions, 'now'>, render: BatchLineRenderer): Promise<JudgedBlock> {
  let text = '';
  let results = 0;
  let failed = 0;
  try {
    for (const line of lines) {
      // A batch line is labelled with its line number, so the index of the result shows nowhere.
      const rendered = render(await judgeLine(line, prepared), line.number - 1);
      text += rendered.text;
      results += 1;
      if (!rendered.ok) failed += 1;
    }
  } catch (thrown) {
    return { text, results, failed, error: thrown instanceof Error ? thrown : new Error(String(thrown)) };
  }
  return { text, results, failed, error: undefined };
}
