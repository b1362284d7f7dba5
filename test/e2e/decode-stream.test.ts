// How batch decode reads stdin (src/util/input-chunks.ts): a file, a pipe or a socket is read in place
// on libuv's thread pool, a descriptor left non-blocking goes on through Node's stream. Whichever way,
// a slow writer's tokens come out as they come in, every byte is read once, and in order.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT } from '../support/cli.js';
import { goodClaims, mint, rsaKey } from '../support/tokens.js';

const key = rsaKey('stream-1');
let dir: string;
let jwksFile: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'oidc-cli-stream-'));
  jwksFile = join(dir, 'keys.json');
  writeFileSync(jwksFile, JSON.stringify({ keys: [key.jwk] }));
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves with stdout's complete lines once there are `count` of them. */
function linesOf(stream: NodeJS.ReadableStream, count: number, sink: string[]): Promise<string[]> {
  return new Promise((resolve) => {
    let text = '';
    stream.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const lines = text.split('\n').slice(0, -1);
      sink.splice(0, sink.length, ...lines);
      if (lines.length >= count) resolve(lines);
    });
  });
}

describe('decode - reading stdin', { timeout: 30_000 }, () => {
  it('prints the results of the tokens written so far while stdin stays open (tail -f tokens | oidc-cli decode -)', async () => {
    const child = spawn(process.execPath, [BIN, 'decode', '--jwks', jwksFile, '--json', '-'], { cwd: ROOT, stdio: 'pipe', env: { ...process.env, NO_COLOR: '1' } });
    const seen: string[] = [];
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      child.stdin.write(`${mint(goodClaims(), key)}\n${mint(goodClaims(), key)}\nnot-a-token\n`);
      const first = await linesOf(child.stdout, 3, seen);
      expect(first.map((line) => (JSON.parse(line) as { line: number; ok: boolean }).ok)).toEqual([true, true, false]);
      await sleep(200);
      child.stdin.end(`${mint(goodClaims(), key)}\n`);
      expect(await closed).toBe(1);
      expect(seen.map((line) => (JSON.parse(line) as { line: number }).line)).toEqual([1, 2, 3, 4]);
    } finally {
      child.kill();
    }
  });

  it('reads a shell pipe from a slow writer whole, in order', async () => {
    const tokens = Array.from({ length: 120 }, () => mint(goodClaims(), key));
    const file = join(dir, 'tokens.txt');
    writeFileSync(file, tokens.join('\n') + '\n');
    // Three pieces with pauses between: the in-place reads wait on the pipe, and nothing is lost between them.
    const script = `(head -n 40 "$0"; sleep 0.2; sed -n 41,80p "$0"; sleep 0.2; tail -n 40 "$0") | "$1" "$2" decode --jwks "$3" --json -`;
    const child = spawn('sh', ['-c', script, file, process.execPath, BIN, jwksFile], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const seen: string[] = [];
    const lines = linesOf(child.stdout, 120, seen);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect((await lines).map((line) => (JSON.parse(line) as { line: number }).line)).toEqual(tokens.map((_, i) => i + 1));
  });

  it('goes on through the stream when the descriptor is non-blocking and nothing has come yet', async () => {
    // process.stdin, once created, makes a pipe non-blocking: reads in place then answer EAGAIN.
    const script = `
      const { inputChunks } = await import(${JSON.stringify(join(ROOT, 'dist/src/util/input-chunks.js'))});
      process.stdin;
      let text = '';
      for await (const chunk of inputChunks(0, () => process.stdin)) text += Buffer.from(chunk).toString();
      process.stdout.write(text);`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, stdio: 'pipe' });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const pieces = Array.from({ length: 5 }, (_, i) => `piece ${i} ${'x'.repeat(70_000)}\n`);
    for (const piece of pieces) {
      child.stdin.write(piece);
      await sleep(100);
    }
    child.stdin.end();
    expect(await new Promise((resolve) => child.on('close', resolve))).toBe(0);
    expect(out).toBe(pieces.join(''));
  });

  it('reads a file on stdin from where its descriptor stands: (head -n 1; oidc-cli decode -) < file', async () => {
    const tokens = Array.from({ length: 3 }, () => mint(goodClaims(), key));
    const file = join(dir, 'three.txt');
    writeFileSync(file, tokens.join('\n') + '\n');
    const script = `(read -r first; "$1" "$2" decode --jwks "$3" --json -) < "$0"`;
    const child = spawn('sh', ['-c', script, file, process.execPath, BIN, jwksFile], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    expect(await new Promise((resolve) => child.on('close', resolve))).toBe(0);
    const lines = out.trimEnd().split('\n').map((line) => JSON.parse(line) as { line: number; signature: { verified: boolean } });
    expect(lines.map((line) => [line.line, line.signature.verified])).toEqual([
      [1, true],
      [2, true],
    ]);
  });

  it('stdin on a terminal (a pty of script(1)) is never waited on: decode and decode - say how to give the token, exit 2', () => {
    for (const args of ['decode', 'decode -']) {
      const run = spawnSync('script', ['-qec', `"${process.execPath}" "${BIN}" ${args}; echo "exit=$?"`, '/dev/null'], { cwd: ROOT, encoding: 'utf8', timeout: 20_000, env: { ...process.env, NO_COLOR: '1' } });
      expect(run.stdout, args).toContain('no token: pass it as an argument, or pipe it on stdin (decode -)');
      expect(run.stdout, args).toContain('exit=2');
    }
  });
});
