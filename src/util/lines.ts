import { createInterface } from 'node:readline';

/**
 * Non-blank lines of a stream, one at a time with their 1-based line numbers, so batch input is
 * processed in constant memory however long it is.
 */
export async function* nonBlankLines(stream: NodeJS.ReadableStream): AsyncGenerator<{ line: string; number: number }> {
  const reader = createInterface({ input: stream, crlfDelay: Infinity });
  let number = 0;
  for await (const line of reader) {
    number += 1;
    if (line.trim() !== '') yield { line, number };
  }
}
