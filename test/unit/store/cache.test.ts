import { chmod, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cacheFilePath, isExpired, listEntries, loadTokens, saveTokens, tokensDir, type TokenEntry } from '../../../src/store/cache.js';

const root = await mkdtemp(join(tmpdir(), 'oidc-cli-cache-'));
afterAll(() => rm(root, { recursive: true, force: true }));

const entry = (over: Partial<TokenEntry> = {}): TokenEntry => ({
  issuer: 'https://idp.example.com',
  client_id: 'app',
  access_token: 'at-123456789',
  refresh_token: 'rt-123456789',
  id_token: 'eyJ.x.y',
  token_type: 'Bearer',
  expires_at: 2_000_000_000,
  scope: 'openid profile',
  obtained_at: 1_700_000_000,
  ...over,
});

async function freshEnv() {
  return { XDG_CACHE_HOME: await mkdtemp(join(root, 'xdg-')), HOME: root };
}

describe('token cache', () => {
  it('round-trips an entry keyed by issuer and client_id, in a 0700 directory and a 0600 file', async () => {
    const env = await freshEnv();
    const path = await saveTokens(entry(), { env });
    expect(await loadTokens({ issuer: 'https://idp.example.com', client_id: 'app' }, { env })).toEqual(entry());
    expect(await loadTokens({ issuer: 'https://idp.example.com', client_id: 'other' }, { env })).toBeUndefined();
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(tokensDir(env))).mode & 0o777).toBe(0o700);
    expect((await stat(join(env.XDG_CACHE_HOME, 'oidc-cli'))).mode & 0o777).toBe(0o700);
  });

  it('the file name does not reveal the issuer or client', async () => {
    const env = await freshEnv();
    const path = await saveTokens(entry({ issuer: 'https://evil/../../x' }), { env });
    expect(path.startsWith(tokensDir(env))).toBe(true);
    expect(path).toMatch(/[0-9a-f]{32}\.json$/);
  });

  it('overwrites the entry for the same key and lists entries newest first', async () => {
    const env = await freshEnv();
    await saveTokens(entry(), { env });
    await saveTokens(entry({ access_token: 'at-newer-0000', obtained_at: 1_700_000_100 }), { env });
    await saveTokens(entry({ client_id: 'machine', obtained_at: 1_700_000_050 }), { env });
    const list = await listEntries({ env });
    expect(list.map((e) => [e.client_id, e.access_token])).toEqual([
      ['app', 'at-newer-0000'],
      ['machine', 'at-123456789'],
    ]);
  });

  it('lookOnly (the script hot path) changes nothing: a corrupted file is only told, and an open one is not made 0600', async () => {
    const env = await freshEnv();
    const key = { issuer: 'https://idp.example.com', client_id: 'app' };
    await saveTokens(entry(), { env });
    const path = cacheFilePath(key, env);
    await chmod(path, 0o644);
    const open: string[] = [];
    expect(await loadTokens(key, { env, warn: (l) => open.push(l), lookOnly: true })).toBeDefined();
    expect(open).toEqual([`token cache file ${path} is readable by other users`]);
    expect((await stat(path)).mode & 0o777).toBe(0o644);
    await writeFile(path, '{"format":"oidc-cli/token-cache/1","issuer":');
    const warnings: string[] = [];
    expect(await loadTokens(key, { env, warn: (l) => warnings.push(l), lookOnly: true })).toBeUndefined();
    expect(warnings.at(-1)).toBe(`token cache file ${path} is corrupted`);
    expect(await readdir(tokensDir(env))).toEqual([basename(path)]);
  });

  it('sets a corrupted cache file aside with a warning instead of failing', async () => {
    const env = await freshEnv();
    const key = { issuer: 'https://idp.example.com', client_id: 'app' };
    await saveTokens(entry(), { env });
    const path = cacheFilePath(key, env);
    await writeFile(path, '{"format":"oidc-cli/token-cache/1","issuer":');
    const warnings: string[] = [];
    expect(await loadTokens(key, { env, warn: (l) => warnings.push(l) })).toBeUndefined();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/corrupted; moved it to .*\.corrupt-/);
    const names = await readdir(tokensDir(env));
    expect(names.some((n) => n.includes('.corrupt-'))).toBe(true);
    expect(names.some((n) => n.endsWith('.json'))).toBe(false);
    expect(await readFile(join(tokensDir(env), names.find((n) => n.includes('.corrupt-'))!), 'utf8')).toContain('"issuer":');
    // The next login writes a fresh entry.
    await saveTokens(entry(), { env });
    expect(await loadTokens(key, { env })).toEqual(entry());
  });

  it('treats wrongly typed members as corruption', async () => {
    const env = await freshEnv();
    await saveTokens(entry(), { env });
    await writeFile(cacheFilePath(entry(), env), JSON.stringify({ format: 'oidc-cli/token-cache/1', issuer: 'https://idp.example.com', client_id: 'app', obtained_at: 1, expires_at: 'soon' }));
    const warnings: string[] = [];
    expect(await listEntries({ env, warn: (l) => warnings.push(l) })).toEqual([]);
    expect(warnings).toHaveLength(1);
  });

  it('removes temp files abandoned by a killed writer (they hold tokens), but not a fresh one', async () => {
    const env = await freshEnv();
    await saveTokens(entry(), { env });
    const stale = join(tokensDir(env), '.abc.json.123.deadbeef.tmp');
    const fresh = join(tokensDir(env), '.abc.json.456.cafe.tmp');
    await writeFile(stale, 'half');
    await writeFile(fresh, 'half');
    const old = new Date(Date.now() - 3_600_000);
    await utimes(stale, old, old);
    await saveTokens(entry({ client_id: 'other' }), { env });
    const names = await readdir(tokensDir(env));
    expect(names).not.toContain('.abc.json.123.deadbeef.tmp');
    expect(names).toContain('.abc.json.456.cafe.tmp');
  });

  it('judges expiry with a leeway, and an unknown expiry as not expired', () => {
    expect(isExpired(entry({ expires_at: 1000 }), 969)).toBe(false);
    expect(isExpired(entry({ expires_at: 1000 }), 970)).toBe(true);
    expect(isExpired(entry({ expires_at: undefined }), 5_000_000_000)).toBe(false);
  });
});
