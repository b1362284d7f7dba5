import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../../src/store/atomic.js';

const root = await mkdtemp(join(tmpdir(), 'oidc-cli-atomic-'));
afterAll(() => rm(root, { recursive: true, force: true }));

describe('writeFileAtomic', () => {
  it('writes the content with mode 0600 and leaves no temp file', async () => {
    const target = join(root, 'a.json');
    await writeFileAtomic(target, '{"a":1}\n');
    expect(await readFile(target, 'utf8')).toBe('{"a":1}\n');
    expect((await stat(target)).mode & 0o777).toBe(0o600);
    expect(await readdir(root)).toEqual(['a.json']);
  });

  it('replaces a file that was group/world readable with a 0600 one', async () => {
    const target = join(root, 'b.json');
    await writeFile(target, 'old', { mode: 0o644 });
    await writeFileAtomic(target, 'new');
    expect(await readFile(target, 'utf8')).toBe('new');
    expect((await stat(target)).mode & 0o777).toBe(0o600);
  });

  it('leaves the previous file intact when the writer is killed mid-write', async () => {
    const dir = await mkdtemp(join(root, 'kill-'));
    const target = join(dir, 'tokens.json');
    const old = 'old-content\n';
    await writeFile(target, old, { mode: 0o600 });
    const newSize = 32 * 1024 * 1024;

    // The writer runs in a separate process so it can be SIGKILLed: bundle the real module for it.
    const module = join(dir, 'atomic.mjs');
    await build({ entryPoints: [resolve('src/store/atomic.ts')], bundle: true, platform: 'node', format: 'esm', outfile: module, logLevel: 'silent' });
    const script = `import { writeFileAtomic } from ${JSON.stringify(module)};
      const data = Buffer.alloc(${newSize}, 'n');
      for (;;) await writeFileAtomic(${JSON.stringify(target)}, data);`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'ignore' });

    // Kill as soon as a write is under way: a temp file exists, or the target is torn.
    const deadline = Date.now() + 20_000;
    for (;;) {
      const names = readdirSync(dir).filter((n) => n !== 'atomic.mjs');
      const size = existsSync(target) ? statSync(target).size : -1;
      if (names.some((n) => n.endsWith('.tmp')) || (size !== old.length && size !== newSize)) break;
      if (Date.now() > deadline) throw new Error('the writer never started');
      await new Promise((r) => setImmediate(r));
    }
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));

    const content = await readFile(target);
    const intact = content.toString() === old || (content.length === newSize && content.every((b) => b === 0x6e));
    expect(intact, `target has ${content.length} bytes after the kill`).toBe(true);
    expect((await stat(target)).mode & 0o777).toBe(0o600);
  });
});
