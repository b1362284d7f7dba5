// Issue 8: a handful of fuzzed tokens through the real binary (`decode`), one spawn per batch and a few
// single runs: exit 0/1/2 only, stdout one JSON document per line under --json, never a stack trace.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hasStackTrace, runCli } from '../support/cli.js';
import { b64u, mint, rsaKey } from '../support/tokens.js';
import { FUZZ_RUNS, FUZZ_SEED, jsonValue } from './fuzz.js';

const rsa = rsaKey('rsa-1');
const b64uBytes = fc.uint8Array({ maxLength: 120 }).map((bytes) => b64u(Buffer.from(bytes)));
const token = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 120 }),
  fc.tuple(jsonValue, jsonValue, b64uBytes).map(([h, p, s]) => `${b64u(JSON.stringify(h) ?? '')}.${b64u(JSON.stringify(p) ?? '')}.${s}`),
  fc.tuple(fc.dictionary(fc.constantFrom('alg', 'kid', 'jku', 'crit', 'typ', 'enc'), jsonValue), jsonValue).map(([h, p]) => mint(typeof p === 'object' && p !== null && !Array.isArray(p) ? p : { v: p }, rsa, h)),
  fc.integer({ min: 100, max: 10_000 }).map((depth) => `${b64u('{"alg":"RS256"}')}.${b64u(`{"a":${'['.repeat(depth)}${']'.repeat(depth)}}`)}.c2ln`),
);

// Lines: the batch reader splits on newlines, so a generated token never holds one.
const lines = (count: number) => fc.sample(token.map((t) => t.replace(/[\r\n]/g, ' ')), { numRuns: count, ...(FUZZ_SEED === undefined ? {} : { seed: FUZZ_SEED }) });
const BATCH = Math.max(60, Math.round(FUZZ_RUNS / 10));
const SINGLE = FUZZ_RUNS > 1000 ? 40 : 6;

describe('fuzz: random tokens through `oidc-cli decode`', () => {
  it(`a batch of ${BATCH} on stdin gives one JSON result per non-empty line, exit 0 or 1`, { timeout: 120_000 }, async () => {
    const input = lines(BATCH);
    const result = await runCli(['decode', '--json', '-'], { stdin: input.join('\n') + '\n', timeoutMs: 100_000 });
    expect([0, 1], result.stderr).toContain(result.code);
    expect(hasStackTrace(result.stderr)).toBe(false);
    expect(result.stderr).not.toContain('internal error');
    const docs = result.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as { command: string; checks: unknown[]; line: number });
    const expected = input.filter((line) => line.trim() !== '').length;
    expect(docs).toHaveLength(expected);
    for (const doc of docs) {
      expect(doc.command).toBe('decode');
      expect(Array.isArray(doc.checks)).toBe(true);
    }
  });

  it(`${SINGLE} single tokens as an argument, human and --json: exit 0, 1 or 2 with one line`, { timeout: 180_000 }, async () => {
    for (const [i, value] of lines(SINGLE).entries()) {
      // A token starting with "-" would be read as an option, and no argument can hold a NUL byte
      // (spawn refuses it): pass those on stdin instead, as users do.
      const viaStdin = value.trimStart().startsWith('-') || value.trim() === '' || value.includes('\u0000');
      const args = ['decode', ...(i % 2 ? ['--json'] : []), viaStdin ? '-' : value];
      const result = await runCli(args, { stdin: viaStdin ? value : '', timeoutMs: 30_000 });
      expect([0, 1, 2], `${JSON.stringify(value)}\n${result.stderr}`).toContain(result.code);
      expect(hasStackTrace(result.stderr)).toBe(false);
      expect(result.stderr).not.toContain('internal error');
      if (result.code === 2) {
        const errorLines = result.stderr.trimEnd().split('\n').filter((line) => !line.startsWith('  hint: '));
        expect(errorLines, result.stderr).toHaveLength(1);
        expect(errorLines[0]).toMatch(/^oidc-cli: /);
      } else if (i % 2) {
        expect(result.json().command).toBe('decode');
      }
    }
  });
});
