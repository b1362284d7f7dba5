// Report files (--junit, --sarif): atomic for a regular file, straight through to a device or FIFO,
// and never waited on past the run's deadline (break 7: a FIFO nobody reads hung the run forever).
import { execFileSync } from 'node:child_process';
import { closeSync, constants, openSync, readSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReportFile } from '../../src/report/write-file.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oidc-cli-report-file-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('writeReportFile', () => {
  it('replaces a regular file atomically, 0600, and leaves no temp file', async () => {
    const file = join(dir, 'report.xml');
    await writeFile(file, 'old', { mode: 0o644 });
    await writeReportFile(file, '<new/>', '--junit', Date.now() + 5_000);
    expect(await readFile(file, 'utf8')).toBe('<new/>');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('a full device is an OUTPUT error naming the flag (exit 3)', async () => {
    await expect(writeReportFile('/dev/full', 'x', '--sarif', Date.now() + 5_000)).rejects.toMatchObject({ code: 'OUTPUT', message: '--sarif: cannot write /dev/full: ENOSPC (no space left on device)' });
  });

  it.skipIf(process.platform === 'win32')('a FIFO with no reader is an OUTPUT error at once, and stays a FIFO', async () => {
    const fifo = join(dir, 'unread');
    execFileSync('mkfifo', [fifo]);
    const started = Date.now();
    await expect(writeReportFile(fifo, 'x', '--junit', Date.now() + 60_000)).rejects.toMatchObject({ code: 'OUTPUT', message: `--junit: cannot write ${fifo}: ENXIO (a FIFO that no process is reading)` });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect((await stat(fifo)).isFIFO()).toBe(true);
    // The same through a symlink to it.
    await symlink(fifo, join(dir, 'unread-link'));
    await expect(writeReportFile(join(dir, 'unread-link'), 'x', '--junit', Date.now() + 60_000)).rejects.toMatchObject({ code: 'OUTPUT' });
  });

  it.skipIf(process.platform === 'win32')('a FIFO whose reader never reads: the write gives up at the deadline with an OUTPUT error', async () => {
    const fifo = join(dir, 'stalled');
    execFileSync('mkfifo', [fifo]);
    // A reader that keeps the FIFO open and reads nothing: the pipe (64 KiB) fills and stays full.
    const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const started = Date.now();
      await expect(writeReportFile(fifo, 'x'.repeat(1024 * 1024), '--junit', Date.now() + 500)).rejects.toMatchObject({
        code: 'OUTPUT',
        message: expect.stringMatching(new RegExp(`^--junit: cannot write ${fifo}: the reader took no more of it`)),
      });
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      closeSync(reader);
    }
  });

  it.skipIf(process.platform === 'win32')('a FIFO with a reader gets the whole text', async () => {
    const fifo = join(dir, 'read');
    execFileSync('mkfifo', [fifo]);
    const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const text = 'y'.repeat(200 * 1024);
    const chunks: Buffer[] = [];
    const drain = setInterval(() => {
      const buffer = Buffer.alloc(65536);
      try {
        for (;;) {
          const n = readSync(reader, buffer, 0, buffer.length, null);
          if (n <= 0) break;
          chunks.push(Buffer.from(buffer.subarray(0, n)));
        }
      } catch {
        /* EAGAIN: nothing to read yet */
      }
    }, 5);
    try {
      await writeReportFile(fifo, text, '--junit', Date.now() + 10_000);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(Buffer.concat(chunks).toString()).toBe(text);
    } finally {
      clearInterval(drain);
      closeSync(reader);
    }
  });
});

// `check --junit /dev/stdout > report.xml`: the path names a descriptor that is open on a regular file. It
// is written through that descriptor's file, never renamed over: as root, the rename replaced /dev/stdout.
describe.skipIf(process.platform !== 'linux')('a path naming an open descriptor (/dev/stdout, /proc/self/fd/N)', () => {
  it('is written straight through even when the descriptor is on a regular file', async () => {
    const file = join(dir, 'redirected.xml');
    await writeFile(file, 'earlier lines\n');
    const fd = openSync(file, 'a'); // as `>>` opens it
    try {
      await writeReportFile(`/proc/self/fd/${fd}`, '<report/>', '--junit', Date.now() + 5_000);
      expect(await readFile(file, 'utf8')).toBe('earlier lines\n<report/>');
      expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    } finally {
      closeSync(fd);
    }
  });
});
