// Batch decode on worker threads (src/commands/decode-pool.ts): what a user of `decode -` notices is the
// same as one token at a time: one result per line in input order, each what decoding that token alone
// says, the key source and the secret of the run applying to every line.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { hasStackTrace, runCli } from '../support/cli.js';
import { ecKey, goodClaims, mint, nowSeconds, rsaKey } from '../support/tokens.js';

const rsa = rsaKey('r1');
const ec = ecKey('e1');
const stranger = ecKey('e9');
let jwksFile: string;

beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'oidc-cli-batch-'));
  jwksFile = join(dir, 'keys.json');
  writeFileSync(jwksFile, JSON.stringify({ keys: [rsa.jwk, ec.jwk] }));
});

type Line = { line: number; ok: boolean; checks: Array<{ id: string; status: string; message: string }>; signature: { verified: boolean }; error?: string };
/** A result without its line number and what moves with the clock between two runs (relative times). */
const TIMED = new Set(['jwt.exp', 'jwt.iat', 'jwt.nbf']);
function comparable({ line: _line, times: _times, checks, ...rest }: Record<string, unknown>) {
  return { ...rest, checks: (checks as Line['checks']).map((check) => (TIMED.has(check.id) ? { ...check, message: '' } : check)) };
}

describe('decode - with many tokens, judged on worker threads', { timeout: 60_000 }, () => {
  // More lines than one worker task and one stdin chunk hold, so several threads and chunks take part.
  const kinds = [
    () => mint(goodClaims(), rsa),
    () => mint(goodClaims(), ec),
    () => mint(goodClaims({ exp: nowSeconds() - 7200 }), rsa),
    () => mint(goodClaims(), stranger),
    () => 'not-a-token',
  ];
  const tokens = Array.from({ length: 2_000 }, (_, i) => kinds[i % kinds.length]!());

  it('--json: one line per token in input order, blank lines counted; each says what decoding that token alone says', async () => {
    const stdin = tokens.map((token, i) => (i % 100 === 99 ? `${token}\n` : token)).join('\n') + '\n';
    const result = await runCli(['decode', '--jwks', jwksFile, '--json', '-'], { stdin, timeoutMs: 60_000 });
    expect(result.code, result.stderr).toBe(1);
    expect(hasStackTrace(result.stderr)).toBe(false);
    const lines = result.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as Line);
    expect(lines).toHaveLength(tokens.length);
    // Every 100th token is followed by a blank line, which keeps its number.
    expect(lines.map((l) => l.line)).toEqual(tokens.map((_, i) => i + 1 + Math.floor(i / 100)));
    expect(lines.map((l) => l.ok)).toEqual(tokens.map((_, i) => i % kinds.length < 2));
    for (const i of [0, 1, 2, 3, 4]) {
      const alone = await runCli(['decode', '--jwks', jwksFile, '--json', tokens[i]!]);
      const batchLine = lines[i] as unknown as Record<string, unknown>;
      if (i === 4) expect(batchLine).toMatchObject({ ok: false, error: expect.stringContaining('not a JWT') });
      else expect(comparable(batchLine)).toEqual(comparable(JSON.parse(alone.stdout)));
    }
  });

  it('human mode: a line per token in order, then the count', async () => {
    const result = await runCli(['decode', '--jwks', jwksFile, '-'], { stdin: tokens.join('\n') });
    expect(result.code, result.stderr).toBe(1);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(tokens.length + 1);
    expect(lines.slice(0, 5).map((line) => line.slice(0, 14))).toEqual(['✔ ok    line 1', '✔ ok    line 2', '✖ fail  line 3', '✖ fail  line 4', '✖ fail  line 5']);
    expect(lines[1999]).toMatch(/^✖ fail {2}line 2000 {2}jwt\.format: /);
    expect(lines.at(-1)).toBe('FAILED  2000 tokens, 800 ok, 1200 failed');
  });

  it('the run\'s secret is masked on every line, as it is for one token', async () => {
    const secret = 's3cr3t-value-for-the-batch-test-0123456789';
    const hmac = { secret, alg: 'HS256' };
    const lines = Array.from({ length: 300 }, (_, i) => mint(goodClaims({ sub: i % 2 ? secret : `user-${i}` }), hmac)).join('\n');
    const result = await runCli(['decode', '--secret', secret, '--json', '-'], { stdin: lines });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).not.toContain(secret);
    const parsed = result.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as Line & { payload: { sub: string } });
    expect(parsed.every((l) => l.signature.verified)).toBe(true);
    expect(parsed[1]!.payload.sub).toBe('[redacted]');
  });

  it('--jwks URL: a kid it does not have is looked up again by the one key source, not by each thread', async () => {
    let requests = 0;
    const server = createServer((_request, response) => {
      requests += 1;
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [rsa.jwk] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
      const stdin = Array.from({ length: 400 }, (_, i) => mint(goodClaims(), i % 2 ? ec : rsa)).join('\n');
      const result = await runCli(['decode', '--jwks', url, '--json', '-'], { stdin });
      expect(result.code, result.stderr).toBe(1);
      const parsed = result.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as Line);
      expect(parsed.map((l) => l.signature.verified)).toEqual(parsed.map((_, i) => i % 2 === 0));
      // Fetched at the start; within the cooldown an unknown kid fetches nothing more (core/remote-keys.ts).
      expect(parsed[1]!.checks.find((c) => c.id === 'jwt.key')!.message).toContain('no EC key with kid "e1"');
      expect(parsed[1]!.checks.find((c) => c.id === 'jwt.key')!.message).toContain('(fetched moments ago)');
      expect(requests).toBe(1);
    } finally {
      server.close();
    }
  });

  it('a token too large for a worker thread\'s bounded heap is judged on the main thread: every line has its result, in order', async () => {
    // 190,000 empty objects in a claim (a 760 KB token) need far more than a worker's 16 MB old generation.
    const huge = mint(goodClaims({ x: Array.from({ length: 190_000 }, () => ({})) }), rsa);
    const stdin = [mint(goodClaims(), ec), huge, 'not-a-token', mint(goodClaims(), rsa)].join('\n') + '\n';
    const result = await runCli(['decode', '--jwks', jwksFile, '--json', '-'], { stdin, timeoutMs: 60_000 });
    expect(result.stderr).not.toContain('internal error');
    expect(hasStackTrace(result.stderr)).toBe(false);
    expect(result.code, result.stderr).toBe(1);
    const lines = result.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as Line & { payload?: { x?: unknown[] } });
    expect(lines.map((l) => [l.line, l.ok])).toEqual([[1, true], [2, true], [3, false], [4, true]]);
    expect(lines[1]!.signature.verified).toBe(true);
    expect(lines[1]!.payload!.x).toHaveLength(190_000);
  });
});
