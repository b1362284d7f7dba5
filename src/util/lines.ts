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
    if (rest.length > maxLineLength) throw tooLong(number + 1, maxLineLength);
  }
  rest += decoder.end();
  const batch = lastLines(rest, number);
  if (batch.length > 0) yield batch;
}

/** The same lines one at a time. */
export async function* nonBlankLines(stream: NodeJS.ReadableStream, maxLineLength = MAX_LINE_LENGTH): AsyncGenerator<Line> {
  for await (const batch of nonBlankLineBatches(stream, maxLineLength)) yield* batch;
}

/** Whole lines of input as UTF-8 bytes, each with its line break, and the number of the first. */
export interface LineBlock {
  bytes: Uint8Array;
  first: number;
}

const LF = 0x0a;
const CR = 0x0d;

/** The non-blank lines of a block, numbered: the same lines, split the same way, as nonBlankLineBatches. */
export function blockLines({ bytes, first }: LineBlock): Line[] {
  const parts = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8').split(/\r\n|\n|\r/);
  parts.pop(); // a block ends with a line break: nothing after it
  const lines: Line[] = [];
  for (const [i, line] of parts.entries()) if (line.trim() !== '') lines.push({ line, number: first + i });
  return lines;
}

/**
 * The same input as nonBlankLineBatches, cut into blocks of `linesPerBlock` whole lines (fewer when they
 * reach `bytesPerBlock`) without decoding them: a thread that hands lines on (decode's main thread) then
 * only finds line breaks, and what it holds stays outside its heap. Line breaks and numbers are those of
 * nonBlankLineBatches (\r\n, \n or a lone \r; a \r at the end of a chunk waits for the next), and so is
 * the refusal of an endless line.
 *
 * A block's bytes come from `take` (decode's recycled buffers), and nothing of a chunk is kept once the
 * next is asked for: a source may reuse its buffer (util/input-chunks.ts). The partial line a chunk ends
 * with is carried to the next as a copy, and not joined to it: joining copied every chunk once more.
 */
export async function* nonBlankLineBlocks(
  chunks: AsyncIterable<Uint8Array | string>,
  linesPerBlock: number,
  bytesPerBlock: number,
  maxLineLength = MAX_LINE_LENGTH,
  take: (size: number) => Uint8Array = (size) => new Uint8Array(size),
): AsyncGenerator<LineBlock | Line[]> {
  // No line break in it, except perhaps a final \r (the first half of a \r\n?).
  let carried: Uint8Array = new Uint8Array(0);
  let number = 0;
  for await (const chunk of chunks) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    // Positions count through the carried part, then the chunk: `data` is the two, never joined.
    const c = carried.length;
    const total = c + bytes.length;
    const byteAt = (i: number) => (i < c ? carried[i] : bytes[i - c]);
    const find = (value: number, from: number) => {
      if (from < c) {
        if (value === CR && carried[c - 1] === CR) return c - 1;
        from = c;
      }
      const i = bytes.indexOf(value, from - c);
      return i === -1 ? -1 : i + c;
    };
    const copy = (from: number, to: number) => {
      const out = take(to - from);
      if (from < c) out.set(carried.subarray(from, Math.min(to, c)));
      if (to > c) out.set(bytes.subarray(Math.max(from - c, 0), to - c), Math.max(c - from, 0));
      return out;
    };
    const end = total > 0 && byteAt(total - 1) === CR ? total - 1 : total;
    let blockStart = 0;
    let lines = 0;
    // `at`: just after the last line break found. The carried part holds none but a final \r: not rescanned.
    let at = 0;
    let scan = c > 0 && carried[c - 1] === CR ? c - 1 : c;
    // The next \r from `scan` on, found once and reused: a lone \r far ahead is not searched for again per line.
    let nextCr = find(CR, scan);
    for (;;) {
      if (nextCr !== -1 && nextCr < scan) nextCr = find(CR, scan);
      const nextLf = find(LF, scan);
      if (nextCr !== -1 && nextCr < end && (nextLf === -1 || nextCr < nextLf)) at = byteAt(nextCr + 1) === LF ? nextCr + 2 : nextCr + 1;
      else if (nextLf !== -1 && nextLf < end) at = nextLf + 1;
      else break;
      scan = at;
      lines += 1;
      if (lines === linesPerBlock || at - blockStart >= bytesPerBlock) {
        yield { bytes: copy(blockStart, at), first: number + 1 };
        number += lines;
        lines = 0;
        blockStart = at;
      }
    }
    if (lines > 0) {
      yield { bytes: copy(blockStart, at), first: number + 1 };
      number += lines;
    }
    carried = at >= c ? new Uint8Array(bytes.subarray(at - c)) : Buffer.concat([carried.subarray(at), bytes]);
    // Without a bound, one endless line would grow memory and rescanning time without limit (in characters, as decoded).
    if (carried.length > maxLineLength && new StringDecoder('utf8').write(Buffer.from(carried)).length > maxLineLength) throw tooLong(number + 1, maxLineLength);
  }
  const lines = lastLines(Buffer.from(carried).toString('utf8'), number);
  if (lines.length > 0) yield lines;
}

/**
 * Reads the first lines one at a time (decode peeks at them: one token, or a token broken across
 * lines?), then hands over the rest a block at a time, starting with what is left of the block read.
 */
export class LineReader implements AsyncIterator<Line> {
  private buffered: Line[] = [];
  private at = 0;

  constructor(private readonly source: AsyncIterator<LineBlock | Line[]>) {}

  async next(): Promise<IteratorResult<Line>> {
    while (this.at >= this.buffered.length) {
      const block = await this.source.next();
      if (block.done) return { done: true, value: undefined };
      this.buffered = Array.isArray(block.value) ? block.value : blockLines(block.value);
      this.at = 0;
    }
    return { done: false, value: this.buffered[this.at++]! };
  }

  async *blocks(): AsyncGenerator<LineBlock | Line[]> {
    if (this.at < this.buffered.length) yield this.buffered.slice(this.at);
    this.buffered = [];
    this.at = 0;
    for (let block = await this.source.next(); !block.done; block = await this.source.next()) yield block.value;
  }
}

const tooLong = (number: number, max: number) => inputError(`line ${number} of the input is longer than ${max} characters; refusing it`);

/** What is left when the input ends, as lines numbered after `before`, blank ones left out. */
function lastLines(text: string, before: number): Line[] {
  const parts = text.split(/\r\n|\n|\r/);
  // The input's last line needs no line break after it; a final break leaves an empty remainder.
  if (parts[parts.length - 1] === '') parts.pop();
  const lines: Line[] = [];
  let number = before;
  for (const line of parts) {
    number += 1;
    if (line.trim() !== '') lines.push({ line, number });
  }
  return lines;
}
