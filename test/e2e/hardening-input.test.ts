// Issue 8: hostile input on stdin. A line that never ends is refused once it passes the line cap, in
// bounded memory, instead of being buffered and rescanned whole; binary garbage gets one result per line.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasStackTrace, runCli } from '../support/cli.js';

const MAX_RSS_MB = 200;
let dir: string;
let preload: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oidc-cli-input-'));
  preload = join(dir, 'rss.mjs');
  await writeFile(preload, "import { writeFileSync } from 'node:fs';\nprocess.on('exit', () => writeFileSync(process.env.OIDC_TEST_RSS_FILE, String(process.resourceUsage().maxRSS)));\n");
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function decode(stdin: Buffer, name: string, args: string[] = []) {
  const rssFile = join(dir, `rss-${name}`);
  const result = await runCli(['decode', ...args, '-'], { stdin, env: { NODE_OPTIONS: `--import=${pathToFileURL(preload).href}`, OIDC_TEST_RSS_FILE: rssFile }, timeoutMs: 60_000 });
  return { result, rssMb: Number(await readFile(rssFile, 'utf8')) / 1024 };
}

describe('hostile stdin', { timeout: 90_000 }, () => {
  it('a 64 MiB line without a break: exit 2 with one line, memory bounded', async () => {
    const { result, rssMb } = await decode(Buffer.alloc(64 * 1024 * 1024, 'a'), 'endless');
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr.trimEnd()).toMatch(/^oidc-cli: line 1 of the input is longer than \d+ characters; refusing it$/);
    expect(hasStackTrace(result.stderr)).toBe(false);
    expect(rssMb).toBeLessThan(MAX_RSS_MB);
  });

  it('an endless line after good ones: the batch stops there with exit 2; whatever was printed is whole JSON lines', async () => {
    const token = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln';
    const { result, rssMb } = await decode(Buffer.concat([Buffer.from(`${token}\n${token}\n`), Buffer.alloc(16 * 1024 * 1024, 'b')]), 'after', ['--json']);
    expect(result.code, result.stderr).toBe(2);
    // Results are judged in groups, so the earlier lines may or may not be out when the input is refused.
    for (const line of result.stdout.split('\n').filter(Boolean)) expect([1, 2]).toContain((JSON.parse(line) as { line: number }).line);
    expect(result.stderr).toMatch(/^oidc-cli: line 3 of the input is longer than/m);
    expect(rssMb).toBeLessThan(MAX_RSS_MB);
  });

  it('binary garbage: one judged result per line, exit 1, no stack trace', async () => {
    const garbage = Buffer.from(Array.from({ length: 64 * 1024 }, (_, i) => (i * 7919) % 256));
    const { result } = await decode(garbage, 'garbage', ['--json']);
    expect(result.code, result.stderr).toBe(1);
    expect(hasStackTrace(result.stderr)).toBe(false);
    for (const line of result.stdout.trimEnd().split('\n')) expect((JSON.parse(line) as { ok: boolean }).ok).toBe(false);
  });
});
