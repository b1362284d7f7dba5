// A few fuzzed hostile values through the real binary (the judges get thousands in values.test.ts):
// ID token claims and token responses to `login`, refresh answers to `refresh`. Each run ends in exit
// 0 or 1 with a JSON report, never "internal error"; a refresh always keeps the rotated refresh token.
import fc from 'fast-check';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTokens, saveTokens } from '../../src/store/cache.js';
import { hasStackTrace, runCli, type CliResult } from '../support/cli.js';
import { startBadLifecycleIdp } from '../support/lifecycle-bad-idp.js';
import { startScriptedIdp } from '../support/scripted-idp.js';
import { FUZZ_RUNS, FUZZ_SEED, hostileValue, outOfRangeNumber } from './fuzz.js';

const COUNT = FUZZ_RUNS > 1000 ? 30 : 4;
const sample = <T>(arb: fc.Arbitrary<T>) => fc.sample(arb, { numRuns: COUNT, ...(FUZZ_SEED === undefined ? {} : { seed: FUZZ_SEED }) });
const BROWSER = 'node dist/test/support/scripted-idp.js browse';

let home: string;
beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'oidc-cli-fuzz-values-'));
});
afterAll(() => rm(home, { recursive: true, force: true }));

function expectJudged(result: CliResult, label: string) {
  expect(result.stderr, label).not.toContain('internal error');
  expect(hasStackTrace(result.stderr), label).toBe(false);
  expect([0, 1], `${label}\n${result.stderr}`).toContain(result.code);
  expect(typeof result.json().ok, label).toBe('boolean');
}

const claims = fc.record({ exp: fc.oneof(outOfRangeNumber, hostileValue), iat: fc.oneof(outOfRangeNumber, hostileValue), nbf: hostileValue, sub: hostileValue, aud: hostileValue, nonce: hostileValue }, { requiredKeys: [] });
const tokenResponse = fc.record({ expires_in: fc.oneof(outOfRangeNumber, hostileValue), token_type: hostileValue, scope: hostileValue }, { requiredKeys: [] });

describe('fuzz: hostile values through the binary', () => {
  it(`${COUNT} logins with hostile ID token claims and token responses`, { timeout: 60_000 + COUNT * 10_000 }, async () => {
    const runs = sample(fc.tuple(claims, tokenResponse));
    for (const [idTokenClaims, response] of runs) {
      const idp = await startScriptedIdp('none', { idTokenClaims, tokenResponse: response });
      try {
        const result = await runCli(['login', '--issuer', idp.issuer, '--client-id', idp.client_id, '--browser-command', BROWSER, '--timeout', '20', '--json'], { env: { XDG_CACHE_HOME: home, BROWSER: undefined }, timeoutMs: 25_000 });
        expectJudged(result, JSON.stringify({ idTokenClaims, response }));
      } finally {
        await idp.close();
      }
    }
  });

  it(`${COUNT} refreshes with hostile answers keep the rotated refresh token`, { timeout: 60_000 + COUNT * 10_000 }, async () => {
    for (const [refreshIdTokenClaims, refreshResponse] of sample(fc.tuple(claims, tokenResponse))) {
      const idp = await startBadLifecycleIdp({ refreshIdTokenClaims, refreshResponse });
      try {
        const xdg = await mkdtemp(join(home, 'xdg-'));
        const env = { XDG_CACHE_HOME: xdg, XDG_CONFIG_HOME: xdg, OIDC_ISSUER: idp.issuer, OIDC_CLIENT_ID: 'cli-public' };
        const tokens = idp.issue('cli-public');
        const now = Math.floor(Date.now() / 1000);
        await saveTokens({ issuer: idp.issuer, client_id: 'cli-public', ...tokens, token_type: 'Bearer', expires_at: now + 300, scope: 'openid', obtained_at: now }, { env });
        const result = await runCli(['refresh', '--json'], { env, timeoutMs: 25_000 });
        const label = JSON.stringify({ refreshIdTokenClaims, refreshResponse });
        expectJudged(result, label);
        const entry = await loadTokens({ issuer: idp.issuer, client_id: 'cli-public' }, { env });
        expect(entry?.refresh_token, label).not.toBe(tokens.refresh_token);
      } finally {
        await idp.close();
      }
    }
  });
});
