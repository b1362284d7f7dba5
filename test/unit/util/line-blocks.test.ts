import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { blockLines, type Line, nonBlankLineBlocks, nonBlankLines } from '../../../src/util/lines.js';

/** The input as a stream of chunks cut where `cuts` says (byte offsets), as a pipe may deliver it. */
const chunked = (bytes: Buffer, cuts: number[]) => Readable.from([0, ...cuts, bytes.length].slice(1).map((end, i, ends) => bytes.subarray(i === 0 ? 0 : ends[i - 1], end)).filter((chunk) => chunk.length > 0));

async function viaLines(bytes: Buffer, cuts: number[], max?: number): Promise<Line[] | string> {
  const out: Line[] = [];
  try {
    for await (const line of nonBlankLines(chunked(bytes, cuts), max)) out.push(line);
  } catch (error) {
    return `${(error as Error).message} after ${out.length}`;
  }
  return out;
}

/**
 * The same chunks from one buffer, overwritten for each (util/input-chunks.ts reads stdin so): a block or
 * a carried partial line that still pointed into it would come out wrong.
 */
async function* reused(bytes: Buffer, cuts: number[]): AsyncGenerator<Uint8Array> {
  const buffer = Buffer.alloc(Math.max(1, bytes.length));
  for await (const chunk of chunked(bytes, cuts)) {
    buffer.fill(0x7e);
    (chunk as Buffer).copy(buffer);
    yield buffer.subarray(0, (chunk as Buffer).length);
  }
  buffer.fill(0x7e);
}

async function viaBlocks(bytes: Buffer, cuts: number[], perBlock: number, max?: number, reuse = false): Promise<Line[] | string> {
  const out: Line[] = [];
  try {
    const source = reuse ? reused(bytes, cuts) : chunked(bytes, cuts);
    for await (const block of nonBlankLineBlocks(source, perBlock, perBlock === 32 ? 5 : 1 << 20, max)) out.push(...(Array.isArray(block) ? block : blockLines(block)));
  } catch (error) {
    return `${(error as Error).message} after ${out.length}`;
  }
  return out;
}

describe('nonBlankLineBlocks: the lines of nonBlankLines, found in bytes (decode batch on worker threads)', () => {
  const inputs = [
    'a\nb\n\nc\n',
    'a\r\nb\r\n\r\nc',
    'one\rtwo\r\rthree\r',
    'mixed\r\n\n\r\rend',
    '  \n\t\nx\n   ',
    'caf\u00e9\n\u20ac\u20ac\n\u{1f600}\r\n\u2028 sep\n',
    '\r',
    '',
    '\n\n\n',
  ];
  it('gives the same lines and numbers however the input is cut into chunks and blocks', async () => {
    for (const text of [...inputs, Buffer.from([0x61, 0xe2, 0x82, 0x0a, 0xff, 0x0d, 0xc3, 0x0a, 0x62]).toString('latin1')]) {
      const bytes = text.startsWith('a\u00e2') ? Buffer.from(text, 'latin1') : Buffer.from(text);
      for (let cut = 1; cut <= bytes.length; cut++) {
        const cuts = Array.from({ length: Math.ceil(bytes.length / cut) }, (_, i) => i * cut).slice(1);
        const expected = await viaLines(bytes, cuts);
        for (const perBlock of [1, 2, 32]) {
          expect(await viaBlocks(bytes, cuts, perBlock), JSON.stringify({ text, cut, perBlock })).toEqual(expected);
          expect(await viaBlocks(bytes, cuts, perBlock, undefined, true), JSON.stringify({ text, cut, perBlock, reuse: true })).toEqual(expected);
        }
      }
    }
  });

  it('refuses an endless line at the same line, after the same lines', async () => {
    const bytes = Buffer.concat([Buffer.from('x\n\u00e9y\r\n'), Buffer.alloc(300, 'z'), Buffer.from('\nnever')]);
    const cuts = Array.from({ length: 40 }, (_, i) => (i + 1) * 8);
    const expected = await viaLines(bytes, cuts, 100);
    expect(expected).toMatch(/^line 3 of the input is longer than 100 characters; refusing it after 2$/);
    expect(await viaBlocks(bytes, cuts, 32, 100)).toEqual(expected);
    expect(await viaBlocks(bytes, cuts, 32, 100, true)).toEqual(expected);
  });

  it('takes each block\'s bytes from the given allocator, so they can be recycled', async () => {
    const taken: Uint8Array[] = [];
    const take = (size: number) => {
      const bytes = new Uint8Array(new ArrayBuffer(size + 16), 8, size);
      taken.push(bytes);
      return bytes;
    };
    const blocks = [];
    for await (const block of nonBlankLineBlocks(chunked(Buffer.from('a\nbb\nccc\ndddd\ne'), [3, 7]), 2, 1 << 20, undefined, take)) blocks.push(block);
    const byteBlocks = blocks.filter((block) => !Array.isArray(block));
    expect(byteBlocks.map((block) => (block as { bytes: Uint8Array }).bytes)).toEqual(taken);
    expect(blocks.flatMap((block) => (Array.isArray(block) ? block : blockLines(block))).map((line) => line.line)).toEqual(['a', 'bb', 'ccc', 'dddd', 'e']);
  });
});
