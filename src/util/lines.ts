import { StringDecoder } from 'node:string_decoder';
import { inputError } from '../errors.js';

/** Far above any token (decode refuses more than 1 MiB); past it a line without a break is refused. */
export const MAX_LINE_LENGTH = 4 * 1024 * 1024;

/**
 * Non-blank lines of a stream, one at a time with their 1-based line numbers, so batch input is
 * processed in constant memory however long it is. Splits the chunks itself: readline's per-line
 * events cost more than verifying a token's claims.
 */
export async function* nonBlankLines(stream: NodeJS.ReadableStream, maxLineLength = MAX_LINE_LENGTH): AsyncGenerator<{ line: string; number: number }> {
  // Line breaks as readline with crlfDelay: Infinity sees them: \r\n, \n, or a lone \r.
  const BREAK = /\r\n|\n|\r/g;
  const decoder = new StringDecoder('utf8');
  let rest = '';
  let number = 0;
  for await (const chunk of stream) {
    const text = rest + (typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer));
    // A trailing \r may be the first half of a \r\n split across chunks: keep it for the next one.
    const end = text.endsWith('\r') ? text.length - 1 : text.length;
    let start = 0;
    BREAK.lastIndex = 0;
    for (let match = BREAK.exec(text); match !== null && match.index < end; match = BREAK.exec(text)) {
      const line = text.slice(start, match.index);
      start = BREAK.lastIndex;
      number += 1;
      if (line.trim() !== '') yield { line, number };
    }
    rest = text.slice(start);
    // Without a bound, one endless line would grow memory and rescanning time without limit.
    if (rest.length > maxLineLength) throw inputError(`line ${number + 1} of the input is longer than ${maxLineLength} characters; refusing it`);
  }
  rest += decoder.end();
  const lines = rest.split(BREAK);
  // The input's last line needs no line break after it; a final break leaves an empty remainder.
  if (lines[lines.length - 1] === '') lines.pop();
  for (const line of lines) {
    number += 1;
    if (line.trim() !== '') yield { line, number };
  }
}
