import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { tokenArgument } from '../../../src/util/token-input.js';

const withStdin = (data: string | Buffer) => Readable.from([Buffer.from(data)]);

describe('tokenArgument (introspect -, revoke -)', () => {
  it('reads a token from stdin, without a Bearer prefix or whitespace', async () => {
    const result = await tokenArgument('-', withStdin('  Bearer abc.def.ghi\n'), () => undefined, 'access token', 'log in first');
    expect(result).toEqual({ token: 'abc.def.ghi', source: 'stdin' });
  });

  it('refuses stdin over the 1 MiB token cap instead of buffering it (exit 2)', async () => {
    const huge = Readable.from((function* () {
      for (let i = 0; i < 64; i++) yield Buffer.alloc(64 * 1024, 0x61);
    })());
    await expect(tokenArgument('-', huge, () => undefined, 'access token', 'log in first')).rejects.toMatchObject({ code: 'INPUT', message: expect.stringMatching(/over 1048576 bytes/) });
  });
});
