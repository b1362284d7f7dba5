import { chmod, chown, mkdir, mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CheckRecorder } from '../../../src/checks/recorder.js';
import { cacheFilePath, listEntries, loadTokens, saveTokens, saveTokensChecked, tokensDir } from '../../../src/store/cache.js';
import { loadConfig } from '../../../src/store/config.js';
import { checkOwnDir, readOwnFile } from '../../../src/store/trust.js';

const root = await mkdtemp(join(tmpdir(), 'oidc-cli-trust-'));
afterAll(() => rm(root, { recursive: true, force: true }));
const isRoot = process.getuid?.() === 0;
let n = 0;
const fresh = async () => {
  const dir = join(root, `t${++n}`);
  await mkdir(dir);
  return dir;
};
const key = { issuer: 'https://idp.example.com', client_id: 'app' };
const entry = { ...key, access_token: 'at', obtained_at: 1 };

describe('readOwnFile / checkOwnDir', () => {
  it('reads our private file; refuses a group/other-writable one, a symlink and a non-file', async () => {
    const dir = await fresh();
    const file = join(dir, 'f');
    await writeFile(file, 'x', { mode: 0o600 });
    expect(await readOwnFile(file)).toEqual({ kind: 'read', text: 'x', madePrivate: false });
    await chmod(file, 0o620);
    expect(await readOwnFile(file)).toEqual({ kind: 'refused', reason: 'it is writable by other users (mode 0620)' });
    await symlink(file, join(dir, 'link'));
    expect(await readOwnFile(join(dir, 'link'))).toEqual({ kind: 'refused', reason: 'it is a symbolic link' });
    expect(await readOwnFile(dir)).toEqual({ kind: 'refused', reason: 'it is not a regular file' });
    expect(await readOwnFile(join(dir, 'missing'))).toEqual({ kind: 'missing' });
  });

  it('makes a readable file 0600 when asked', async () => {
    const file = join(await fresh(), 'f');
    await writeFile(file, 'x');
    await chmod(file, 0o644);
    expect(await readOwnFile(file, { private: true })).toMatchObject({ kind: 'read', madePrivate: true });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('makes our open directory 0700 and refuses someone else\'s (root: chown 65534)', async (ctx) => {
    const dir = await fresh();
    await chmod(dir, 0o777);
    expect(await checkOwnDir(dir)).toEqual({ kind: 'ok', madePrivate: true });
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    if (!isRoot) return ctx.skip('chown to another uid needs root');
    await chown(dir, 65534, 65534);
    expect(await checkOwnDir(dir)).toEqual({ kind: 'refused', reason: 'it is owned by uid 65534, not by you (uid 0)' });
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
  });
});

describe('the token cache on read', () => {
  it('ignores, with one warning, an entry whose issuer is not the one it is filed under (loadTokens and listEntries)', async () => {
    const env = { XDG_CACHE_HOME: await fresh() };
    const path = await saveTokens(entry, { env });
    await writeFile(path, JSON.stringify({ format: 'oidc-cli/token-cache/1', ...entry, issuer: 'https://attacker.example' }), { mode: 0o600 });
    const warnings: string[] = [];
    const warn = (line: string) => warnings.push(line);
    expect(await listEntries({ env, warn })).toEqual([]);
    expect(await loadTokens(key, { env, warn })).toBeUndefined();
    expect(warnings).toEqual([`ignoring token cache file ${path}: it names issuer https://attacker.example and client app, but is filed under another key`]);
  });

  it('ignores the whole cache when its directory is someone else\'s (root: chown 65534)', async (ctx) => {
    if (!isRoot) return ctx.skip('chown to another uid needs root');
    const env = { XDG_CACHE_HOME: await fresh() };
    await saveTokens(entry, { env });
    await chown(tokensDir(env), 65534, 65534);
    const warnings: string[] = [];
    expect(await loadTokens(key, { env, warn: (l) => warnings.push(l) })).toBeUndefined();
    expect(warnings).toEqual([`ignoring the token cache ${tokensDir(env)}: it is owned by uid 65534, not by you (uid 0)`]);
  });
});

describe('the token cache on write', () => {
  it('a write that fails is a failed cache.write check and one warning naming where, not an exception', async () => {
    const home = await fresh();
    await writeFile(join(home, 'cache'), 'a file');
    const env = { XDG_CACHE_HOME: join(home, 'cache') };
    const checks = new CheckRecorder();
    const warnings: string[] = [];
    const saved = await saveTokensChecked(entry, { env, warn: (l) => warnings.push(l) }, checks);
    expect(saved.saved).toBe(false);
    expect(checks.results).toMatchObject([{ id: 'cache.write', status: 'fail', message: expect.stringMatching(/^not saved: ENOTDIR/) }]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(new RegExp(`^could not write the token cache under ${join(home, 'cache', 'oidc-cli')}: ENOTDIR`));
  });

  it('passes with the path when written', async () => {
    const env = { XDG_CACHE_HOME: await fresh() };
    const checks = new CheckRecorder();
    expect(await saveTokensChecked(entry, { env }, checks)).toEqual({ saved: true, path: cacheFilePath(key, env) });
    expect(checks.results).toMatchObject([{ id: 'cache.write', status: 'pass' }]);
  });
});

describe('config.json', () => {
  it('a file writable by others is refused with a warning: no profile, no default_profile', async () => {
    const home = await fresh();
    const env = { XDG_CONFIG_HOME: home };
    await mkdir(join(home, 'oidc-cli'));
    const file = join(home, 'oidc-cli', 'config.json');
    await writeFile(file, JSON.stringify({ default_profile: 'p', profiles: { p: { issuer: 'https://x.example' } } }));
    await chmod(file, 0o646);
    const warnings: string[] = [];
    const config = await loadConfig(env, (l) => warnings.push(l));
    expect(config?.profiles).toEqual({});
    expect(config?.default_profile).toBeUndefined();
    expect(config?.untrusted?.message).toBe(`config file ${file} is writable by other users (mode 0646): its profiles are not used`);
    expect(warnings).toEqual([`ignoring config file ${file}: it is writable by other users (mode 0646)`]);
  });
});
