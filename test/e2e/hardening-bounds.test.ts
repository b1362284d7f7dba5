// Durations and local files are bounded (issue: "Durations are bounded"). An absurd duration is a
// usage error (exit 2) naming the flag and its maximum; a FIFO, a device, a directory or a huge file
// given where a small regular file belongs is refused at once with one line (exit 2), never read
// without end or waited on past --timeout.
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasStackTrace, runCli } from '../support/cli.js';
import { b64u } from '../support/tokens.js';

const TOKEN = `${b64u('{"alg":"HS256"}')}.${b64u('{"sub":"x"}')}.c2ln`;
let dir: string;
let fifo: string;
let huge: string;
let folder: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oidc-cli-bounds-'));
  fifo = join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  huge = join(dir, 'huge');
  await writeFile(huge, '');
  await truncate(huge, 64 * 1024 * 1024); // sparse: 64 MiB that cost nothing on disk
  folder = join(dir, 'folder');
  await mkdir(folder);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** `afterProgress`: the error may follow the progress line of the step that read the file (--ca-file, on the first request). */
function expectOneLineUsage(result: { code: number | null; stderr: string; stdout: string }, pattern: RegExp, afterProgress = false) {
  expect(result.code, result.stderr).toBe(2);
  const lines = result.stderr.trimEnd().split('\n');
  if (afterProgress) {
    expect(lines.filter((line) => line.startsWith('oidc-cli:'))).toEqual([expect.stringMatching(pattern)]);
    expect(lines.filter((line) => !line.startsWith('oidc-cli:') && !line.startsWith('→'))).toEqual([]);
  } else {
    expect(lines[0]).toMatch(pattern);
  }
  expect(result.stderr).not.toMatch(/internal error/);
  expect(hasStackTrace(result.stderr)).toBe(false);
}

describe('durations have a maximum', () => {
  it.each([
    [['--timeout', '25d'], /--timeout: "25d" is more than the maximum of 1d/],
    [['--timeout', '50000d'], /--timeout: "50000d" is more than the maximum/],
    [['--timeout', '99999999999999999999999999999d'], /--timeout: .* is more than the maximum/],
    [['--timeout', '0'], /--timeout: "0" must be more than 0/],
    [['--clock-skew', '2d'], /--clock-skew: "2d" is more than the maximum of 1d/],
    [['--max-age', '400d'], /--max-age: "400d" is more than the maximum of 366d/],
  ])('decode %j → exit 2', async (flags, pattern) => {
    expectOneLineUsage(await runCli(['decode', ...flags, TOKEN]), pattern);
  });

  it('token --min-ttl 2d → exit 2', async () => {
    expectOneLineUsage(await runCli(['token', '--min-ttl', '2d']), /--min-ttl: "2d" is more than the maximum of 1d/);
  });

  it('the maximum itself is accepted: --timeout 24h, --clock-skew 1d', async () => {
    const result = await runCli(['decode', '--timeout', '24h', '--clock-skew', '1d', TOKEN, '--json']);
    expect(result.code, result.stderr).toBe(1); // judged: the token has no exp and no signature check
    expect(result.json<{ command: string }>().command).toBe('decode');
  });
});

describe('local files are regular and small', () => {
  // Paths are made in beforeAll, after the test table is built: look them up when the test runs.
  const paths: Record<string, () => string> = { 'a FIFO': () => fifo, '/dev/zero': () => '/dev/zero', 'a directory': () => folder, 'a 64 MiB file': () => huge };
  const cases = () => [
    ['a FIFO', /is not a regular file \(a FIFO\)/],
    ['/dev/zero', /is not a regular file \(a character device\)/],
    ['a directory', /is not a regular file \(a directory\)/],
    ['a 64 MiB file', /is 67108864 bytes, over the 1 MiB limit/],
  ] as Array<[string, RegExp]>;
  const ISSUER = 'http://127.0.0.1:9/unreachable';

  for (const [flag, args] of [
    ['decode --jwks', (file: string) => ['decode', '--jwks', file, TOKEN]],
    ['decode --secret-file', (file: string) => ['decode', '--secret-file', file, TOKEN]],
    ['jwks --file', (file: string) => ['jwks', '--file', file]],
    ['token --client-secret-file', (file: string) => ['token', '--grant', 'client_credentials', '--issuer', ISSUER, '--client-id', 'c', '--client-secret-file', file]],
    ['login --private-key', (file: string) => ['login', '--issuer', ISSUER, '--client-id', 'c', '--private-key', file, '--no-browser']],
    // Break 6: the CA bundle is read before the first request (after its progress line), and refused
    // before any connection is tried; readFileSync of a FIFO used to block the process past --timeout.
    ['discover --ca-file', (file: string) => ['discover', '--issuer', 'https://127.0.0.1:9/unreachable', '--ca-file', file]],
    ['jwks --ca-file', (file: string) => ['jwks', '--jwks-uri', 'https://127.0.0.1:9/jwks', '--ca-file', file]],
  ] as Array<[string, (file: string) => string[]]>) {
    it.each(cases())(`${flag} with %s → exit 2 at once`, async (what, pattern) => {
      const started = Date.now();
      const result = await runCli([...args(paths[what]!()), '--timeout', '5'], { timeoutMs: 15_000 });
      expectOneLineUsage(result, pattern, flag.endsWith('--ca-file'));
      expect(Date.now() - started).toBeLessThan(5000);
    });
  }
});
