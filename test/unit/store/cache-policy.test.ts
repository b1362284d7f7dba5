import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CheckRecorder } from '../../../src/checks/recorder.js';
import { cacheFilePath, loadTokens, saveTokens } from '../../../src/store/cache.js';
import { cacheTokenResponse, flaggedRefusal, verdictOf } from '../../../src/store/cache-policy.js';

const root = await mkdtemp(join(tmpdir(), 'oidc-cli-cache-policy-'));
afterAll(() => rm(root, { recursive: true, force: true }));
const key = { issuer: 'https://idp.example', client_id: 'app' };

function judged(): CheckRecorder {
  const c = new CheckRecorder();
  c.pass('id_token.signature', 'ok');
  c.fail('id_token.aud', 'someone else');
  c.fail('cache.write', 'read-only');
  c.warn('token_response.no_store', 'missing');
  return c;
}

describe('verdictOf: the failed checks of the run that obtained the tokens', () => {
  it('flags with every failed id but cache.write (it judges the cache, not the tokens)', () => {
    expect(verdictOf(judged().results)).toEqual({ flagged: true, failed_checks: ['id_token.aud'] });
    expect(verdictOf(new CheckRecorder().results)).toEqual({ flagged: false, failed_checks: [] });
  });
  it('keeps the flag of the grant a refresh came from, and flags a judgement that could not finish', () => {
    expect(verdictOf([], { flagged: true, failed_checks: ['id_token.nonce'] })).toEqual({ flagged: true, failed_checks: ['id_token.nonce'] });
    expect(verdictOf(judged().results, { flagged: true, failed_checks: ['id_token.nonce'] }).failed_checks).toEqual(['id_token.nonce', 'id_token.aud']);
    expect(verdictOf([], undefined, true)).toEqual({ flagged: true, failed_checks: [] });
  });
});

describe('cacheTokenResponse and the cache file', () => {
  it('saves the verdict with the entry, and reads it back', async () => {
    const env = { XDG_CACHE_HOME: join(root, 'a') };
    const outcome = await cacheTokenResponse({ ...key, access_token: 'at', obtained_at: 1 }, judged().results, { env }, new CheckRecorder());
    expect(outcome).toMatchObject({ saved: true, flagged: true, failed_checks: ['id_token.aud'] });
    expect((await loadTokens(key, { env }))?.verdict).toEqual({ flagged: true, failed_checks: ['id_token.aud'] });
  });
  it('an entry whose verdict is not {flagged: boolean, failed_checks: string[]} is set aside as corrupted, never read as unflagged', async () => {
    const env = { XDG_CACHE_HOME: join(root, 'b') };
    await saveTokens({ ...key, access_token: 'at', obtained_at: 1 }, { env });
    const path = cacheFilePath(key, env);
    await writeFile(path, JSON.stringify({ format: 'oidc-cli/token-cache/1', ...key, access_token: 'at', obtained_at: 1, verdict: { flagged: 'no', failed_checks: [] } }), { mode: 0o600 });
    const warnings: string[] = [];
    expect(await loadTokens(key, { env, warn: (line) => warnings.push(line) })).toBeUndefined();
    expect(warnings.join('\n')).toMatch(/is corrupted/);
    expect((await readdir(join(root, 'b', 'oidc-cli', 'tokens'))).some((name) => name.includes('.corrupt-'))).toBe(true);
  });
});

describe('flaggedRefusal: what token does with a flagged entry', () => {
  it('refuses with exit 1 and one line naming the failed ids; --allow-failed warns instead; an unflagged entry passes', () => {
    const warnings: string[] = [];
    const refusal = flaggedRefusal({ flagged: true, failed_checks: ['id_token.aud'] }, 'X (client app)', false, (line) => warnings.push(line));
    expect(refusal?.exitCode).toBe(1);
    expect(refusal?.message).toBe('the token of X (client app) is flagged: id_token.aud failed; not printed (pass --allow-failed to print it anyway, or log in again)');
    expect(refusal?.message).not.toContain('\n');
    expect(flaggedRefusal({ flagged: true, failed_checks: ['id_token.aud'] }, 'X', true, (line) => warnings.push(line))).toBeUndefined();
    expect(warnings).toEqual(['printing the token of X although it is flagged: id_token.aud failed (--allow-failed)']);
    expect(flaggedRefusal({ flagged: false, failed_checks: [] }, 'X', false, () => undefined)).toBeUndefined();
    expect(flaggedRefusal(undefined, 'X', false, () => undefined)).toBeUndefined();
  });
});
