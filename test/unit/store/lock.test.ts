import { lstat, mkdtemp, readdir, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CliError } from '../../../src/errors.js';
import { withFileLock } from '../../../src/store/lock.js';

const root = await mkdtemp(join(tmpdir(), 'oidc-cli-lock-'));
afterAll(() => rm(root, { recursive: true, force: true }));

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('withFileLock', () => {
  it('runs holders one at a time and removes the lock afterwards', async () => {
    const path = join(root, 'a.json');
    const events: string[] = [];
    const holder = (name: string) =>
      withFileLock(path, async () => {
        events.push(`${name} in`);
        await pause(30);
        events.push(`${name} out`);
        return name;
      });
    expect(await Promise.all([holder('one'), holder('two'), holder('three')])).toEqual(['one', 'two', 'three']);
    for (let i = 0; i < events.length; i += 2) expect(events[i]!.split(' ')[0]).toBe(events[i + 1]!.split(' ')[0]);
    expect(await readdir(root)).toEqual([]);
  });

  it('releases the lock when the holder throws', async () => {
    const path = join(root, 'b.json');
    await expect(withFileLock(path, async () => { throw new Error('boom'); })).rejects.toThrow('boom');
    expect(await withFileLock(path, async () => 'again')).toBe('again');
  });

  it('breaks a stale lock left by a crashed process', async () => {
    const path = join(root, 'c.json');
    await writeFile(`${path}.lock`, '99999\n');
    const old = new Date(Date.now() - 120_000);
    await utimes(`${path}.lock`, old, old);
    expect(await withFileLock(path, async () => 'ok', { staleMs: 60_000 })).toBe('ok');
  });

  it('gives up on a live lock after waitMs with a TIMEOUT error that names the file', async () => {
    const path = join(root, 'd.json');
    await writeFile(`${path}.lock`, '1\n');
    const error = await withFileLock(path, async () => 'never', { waitMs: 100 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(3);
    expect((error as CliError).message).toContain('d.json.lock');
  });

  it('a symlink in place of the lock is not a lock of ours: its target is not read, written or judged by its age, and the lock is taken', async () => {
    const path = join(root, 'e.json');
    const target = join(root, 'e-target');
    await writeFile(target, 'untouched');
    await symlink(target, `${path}.lock`);
    const warnings: string[] = [];
    expect(await withFileLock(path, async () => 'ok', { waitMs: 100, warn: (line) => warnings.push(line) })).toBe('ok');
    expect(warnings).toEqual([`removed ${path}.lock: it is a symbolic link, not a lock oidc-cli made`]);
    expect(await readFile(target, 'utf8')).toBe('untouched');
    await expect(lstat(`${path}.lock`)).rejects.toMatchObject({ code: 'ENOENT' });
    await rm(target);
  });
});

