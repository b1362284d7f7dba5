import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLocalFile } from '../../../src/util/local-file.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oidc-cli-local-file-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('readLocalFile', () => {
  it('reads a small regular file whole', async () => {
    await writeFile(join(dir, 'ok'), 'secret\n');
    expect(await readLocalFile(join(dir, 'ok'), '--secret-file ok')).toBe('secret\n');
  });

  it('refuses a file over the cap, a missing file and a directory with an input error naming the label', async () => {
    await writeFile(join(dir, 'big'), 'x'.repeat(11));
    await expect(readLocalFile(join(dir, 'big'), 'key file', 10)).rejects.toMatchObject({ code: 'INPUT', message: 'key file is 11 bytes, over the 10 bytes limit' });
    await expect(readLocalFile(join(dir, 'none'), 'key file')).rejects.toMatchObject({ code: 'INPUT', message: 'cannot read key file: no such file (ENOENT)' });
    await expect(readLocalFile(dir, 'key file')).rejects.toMatchObject({ code: 'INPUT', message: 'key file is not a regular file (a directory)' });
  });
});
