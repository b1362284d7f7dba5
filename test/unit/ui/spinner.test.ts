// The spinner of src/ui/ui.ts (ora): only on a TTY of known width with progress on; a line written
// while it spins clears the frame first, so the two never share a terminal line.
import { Writable } from 'node:stream';
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { createUi } from '../../../src/ui/ui.js';

function stream(tty: boolean, columns: number | undefined) {
  const chunks: string[] = [];
  const out = new Writable({ write: (chunk, _enc, done) => void (chunks.push(String(chunk)), done()) }) as unknown as NodeJS.WriteStream;
  // The terminal calls ora makes to clear its frame, recorded as marks.
  Object.assign(out, { isTTY: tty, columns, cursorTo: () => chunks.push('<col0>') > 0, moveCursor: () => true, clearLine: () => chunks.push('<clear>') > 0 });
  return { out, text: () => chunks.join('') };
}

const ui = (out: NodeJS.WriteStream, progress = true) => createUi({ chalk: new Chalk({ level: 0 }), stream: out, progress, explain: false, verbose: 0 });

describe('ui.spinner', () => {
  it('spins on a TTY of known width, and a warning written meanwhile is a line of its own', async () => {
    const { out, text } = stream(true, 80);
    const u = ui(out);
    const stop = await u.spinner('Waiting for the sign-in');
    u.warn('a stray request');
    stop('Signed in');
    expect(text()).toContain('Waiting for the sign-in');
    // The frame was cleared (cursor to column 0, line erased) right before the warning was written.
    expect(text()).toMatch(/<clear>(<col0>)?warning: a stray request\n/);
    expect(text()).toContain('Signed in');
  });

  it('is silent in a pipe, on a terminal of unknown width and under --json (no progress)', async () => {
    for (const [tty, columns, progress] of [[false, 80, true], [true, undefined, true], [true, 80, false]] as const) {
      const { out, text } = stream(tty, columns);
      const stop = await ui(out, progress).spinner('Waiting');
      stop('done');
      expect(text()).toBe('');
    }
  });
});

describe('progress lines on stderr', () => {
  const long = 'code_challenge  9XDoK2vA4ZkqkqQe4u2P0bqfXkq1tSm5aZlWmX = BASE64URL(SHA-256(code_verifier)), method S256';
  it('on a terminal, a line wider than it wraps under its own indent', () => {
    const { out, text } = stream(true, 60);
    ui(out).detail(long);
    const lines = text().trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(60);
    expect(lines[0]!.startsWith('  code_challenge')).toBe(true);
    for (const line of lines.slice(1)) expect(line.startsWith('    ')).toBe(true);
  });

  it('in a pipe (or a CI log) every line stays whole', () => {
    const { out, text } = stream(false, 60);
    ui(out).detail(long);
    expect(text()).toBe(`  ${long}\n`);
  });
});
