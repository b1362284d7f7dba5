import { StringDecoder } from 'node:string_decoder';
import { inputError } from '../errors.js';

/** Far above any token (decode refuses more than 1 MiB); past it a line without a break is refused. */
export const MAX_LINE_LENGTH = 4 * 1024 * 1024;

/** A non-blank line of input and its 1-based number among all lines, blank ones included. */
export interface Line {
  line: string;
  number: number;
}

/**
 * The non-blank lines of each chunk of a stream, as one array per chunk, so batch input is processed
 * in constant memory however long it is, and a consumer that hands lines on (decode's worker threads)
 * does one step per chunk rather than per line. Splits the chunks itself: readline's per-line events
 * cost more than verifying a token's claims.
 */
export async function* nonBlankLineBatches(stream: NodeJS.ReadableStream, maxLineLength = MAX_LINE_LENGTH): AsyncGenerator<Line[]> {
  // Line breaks as readline with crlfDelay: Infinity sees them: \r\n, \n, or a lone \r.
  const BREAK = /\r\n|\n|\r/g;
  const decoder = new StringDecoder('utf8');
  let rest = '';
  let number = 0;
  for await (const chunk of stream) {
    const text = rest + (typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer));
    // A trailing \r may be the first half of a \r\n split across chunks: keep it for the next one.
    const end = text.endsWith('\r') ? text.length - 1 : text.length;
    const batch: Line[] = [];
    let start = 0;
    BREAK.lastIndex = 0;
    for (let match = BREAK.exec(text); match !== null && match.index < end; match = BREAK.exec(text)) {
      const line = text.slice(start, match.index);
      start = BREAK.lastIndex;
      number += 1;
      if (line.trim() !== '') batch.push({ line, number });
    }
    rest = text.slice(start);
    if (batch.length > 0) yield batch;
    // Without a bound, one endless line would grow memory and rescanning time without limit.
    if (rest.length > maxLineLength) throw inputError(`line ${number + 1} of the input is longer than ${maxLineLength} characters; refusing it`);
  }
  rest += decoder.end();
  const lines = rest.split(BREAK);
  // The input's last line needs no line break after it; a final break leaves an empty remainder.
  if (lines[lines.length - 1] === '') lines.pop();
  const batch: Line[] = [];
  for (const line of lines) {
    number += 1;
    if (line.trim() !== '') batch.push({ line, number });
  }
  if (batch.length > 0) yield batch;
}

/** The same lines one at a time. */
export async function* nonBlankLines(stream: NodeJS.ReadableStream, maxLineLength = MAX_LINE_LENGTH): AsyncGenerator<Line> {
  for await (const batch of nonBlankLineBatches(stream, maxLineLength)) yield* batch;
}

/**
 * Reads the first lines one at a time (decode peeks at them: one token, or a token broken across
 * lines?), then hands over the rest a chunk at a time, starting with what is left of the chunk read.
 */
export class LineReader implements AsyncIterator<Line> {
  private buffered: Line[] = [];
  private at = 0;

  constructor(private readonly source: AsyncIterator<Line[]>) {}

  async next(): Promise<IteratorResult<Line>> {
    while (this.at >= this.buffered.length) {
      const batch = await this.source.next();
      if (batch.done) return { done: true, value: undefined };
      this.buffered = batch.value;
      this.at = 0;
    }
    return { done: false, value: this.buffered[this.at++]! };
  }

  async *batches(): AsyncGenerator<Line[]> {
    if (this.at < this.buffered.length) yield this.buffered.slice(this.at);
    this.buffered = [];
    this.at = 0;
    for (let batch = await this.source.next(); !batch.done; batch = await this.source.next()) yield batch.value;
  }
}
