// Issue 8: a handful of fuzzed discovery documents and JWK Sets through the real binary: served by a
// loopback server to `discover`, and as files to `jwks --file`. Exit 0/1 with a JSON report, or the
// documented error exit (3 for an answer that is not usable JSON, 2 for an unreadable file) with one
// line; never a stack trace or an internal error.
import fc from 'fast-check';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { soundJwks, soundMetadata } from '../support/bad-idp.js';
import { hasStackTrace, runCli, type CliResult } from '../support/cli.js';
import { FUZZ_RUNS, FUZZ_SEED, jsonValue, nastyString } from './fuzz.js';

const COUNT = FUZZ_RUNS > 1000 ? 40 : 6;
const sample = <T>(arb: fc.Arbitrary<T>) => fc.sample(arb, { numRuns: COUNT, ...(FUZZ_SEED === undefined ? {} : { seed: FUZZ_SEED }) });

let server: Server;
let origin: string;
let dir: string;
const documents: Array<{ metadata: Buffer; jwks: Buffer }> = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oidc-cli-fuzz-docs-'));
  server = createServer((req, res) => {
    const [, index, ...rest] = (req.url ?? '/').split('/');
    const doc = documents[Number(index)];
    if (!doc) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(rest.join('/') === 'jwks' ? doc.jwks : doc.metadata);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

function expectEnding(result: CliResult, errorCode: number, label: string) {
  expect([0, 1, errorCode], `${label}\n${result.stderr}`).toContain(result.code);
  expect(hasStackTrace(result.stderr), label).toBe(false);
  expect(result.stderr, label).not.toContain('internal error');
  if (result.code === errorCode) {
    const lines = result.stderr.trimEnd().split('\n').filter((line) => !line.startsWith('  hint: '));
    expect(lines, label).toHaveLength(1);
    expect(lines[0]).toMatch(/^oidc-cli: /);
  } else {
    expect(typeof result.json().ok, label).toBe('boolean');
  }
}

/** The sound document with random members replaced, as raw bytes (sometimes not JSON at all). */
const metadataBytes = (issuer: string) =>
  fc.oneof(
    fc.dictionary(fc.constantFrom(...Object.keys(soundMetadata(issuer, origin))), fc.oneof(jsonValue, nastyString)).map((patch) => Buffer.from(JSON.stringify({ ...soundMetadata(issuer, origin, issuer.slice(origin.length)), ...patch }))),
    jsonValue.map((value) => Buffer.from(JSON.stringify(value))),
    fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
  );
const jwksBytes = fc.oneof(
  fc.array(fc.oneof(fc.constantFrom(...soundJwks().keys), fc.dictionary(fc.constantFrom('kty', 'kid', 'alg', 'use', 'n', 'e', 'crv', 'x', 'y', 'd', 'k', 'x5c', 'key_ops'), fc.oneof(jsonValue, nastyString))), { maxLength: 5 }).map((keys) => Buffer.from(JSON.stringify({ keys }))),
  jsonValue.map((value) => Buffer.from(JSON.stringify(value))),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
);

describe('fuzz: documents through the real binary', () => {
  it(`${COUNT} discovery documents and key sets served to \`discover\``, { timeout: 60_000 + COUNT * 5_000 }, async () => {
    for (let i = 0; i < COUNT; i += 1) {
      const issuer = `${origin}/${i}`;
      documents[i] = { metadata: sample(metadataBytes(issuer))[i]!, jwks: sample(jwksBytes)[i]! };
      const result = await runCli(['discover', '--issuer', issuer, '--json', '--timeout', '20'], { env: { OIDC_ISSUER: undefined }, timeoutMs: 30_000 });
      expectEnding(result, 3, documents[i]!.metadata.toString('utf8').slice(0, 300));
    }
  });

  it(`${COUNT} key sets as files to \`jwks --file\``, { timeout: 60_000 + COUNT * 5_000 }, async () => {
    for (const [i, bytes] of sample(jwksBytes).entries()) {
      const file = join(dir, `jwks-${i}.json`);
      await writeFile(file, bytes);
      const result = await runCli(['jwks', '--file', file, ...(i % 2 ? ['--json'] : [])], { env: { OIDC_ISSUER: undefined }, timeoutMs: 30_000 });
      expect([0, 1, 2], `${bytes.toString('utf8').slice(0, 300)}\n${result.stderr}`).toContain(result.code);
      expect(hasStackTrace(result.stderr)).toBe(false);
      expect(result.stderr).not.toContain('internal error');
      if (i % 2 && result.code !== 2) expect(result.json().command).toBe('jwks');
    }
  });
});
