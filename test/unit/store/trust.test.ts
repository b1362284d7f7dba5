import { chmod, chown, mkdir, mkdtemp, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
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

describe('checkOwnDir never follows a symlink (break 11)', () => {
  it('refuses a symlink to our own open directory, and leaves the target\'s mode alone', async () => {
    const dir = await fresh();
    const target = join(dir, 'target');
    await mkdir(target);
    await chmod(target, 0o777);
    await symlink(target, join(dir, 'link'));
    expect(await checkOwnDir(join(dir, 'link'))).toEqual({ kind: 'refused', reason: 'it is a symbolic link' });
    expect((await stat(target)).mode & 0o777).toBe(0o777);
    // A dangling one too: it is not ours to create through.
    await symlink(join(dir, 'nowhere'), join(dir, 'dangling'));
    expect(await checkOwnDir(join(dir, 'dangling'))).toEqual({ kind: 'refused', reason: 'it is a symbolic link' });
  });

  it('tells a file in the way from a file in place of a parent', async () => {
    const dir = await fresh();
    await writeFile(join(dir, 'file'), 'x');
    expect(await checkOwnDir(join(dir, 'file'))).toEqual({ kind: 'refused', reason: 'it is not a directory' });
    expect(await checkOwnDir(join(dir, 'file', 'below'))).toEqual({ kind: 'refused', reason: 'a parent of it is not a directory' });
    expect(await checkOwnDir(join(dir, 'missing'))).toEqual({ kind: 'missing' });
  });

  it('with fix: false, reports an open directory without changing it', async () => {
    const dir = await fresh();
    await chmod(dir, 0o755);
    expect(await checkOwnDir(dir, { fix: false })).toEqual({ kind: 'ok', madePrivate: false, open: true });
    expect((await stat(dir)).mode & 0o777).toBe(0o755);
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

  it('a symlink in place of oidc-cli/ or tokens/ is refused: nothing is created or chmod-ed behind it', async () => {
    const home = await fresh();
    const victim = join(home, 'victim');
    await mkdir(victim);
    await chmod(victim, 0o755);
    await symlink(victim, join(home, 'oidc-cli'));
    const env = { XDG_CACHE_HOME: home };
    await expect(saveTokens(entry, { env })).rejects.toMatchObject({ name: 'CacheWriteError', detail: `${join(home, 'oidc-cli')} is a symbolic link` });
    expect((await stat(victim)).mode & 0o777).toBe(0o755);
    expect(await readdir(victim)).toEqual([]);
    expect(await loadTokens(key, { env, warn: () => undefined })).toBeUndefined();

    const other = await fresh();
    await mkdir(join(other, 'oidc-cli'), { mode: 0o700 });
    await symlink(victim, join(other, 'oidc-cli', 'tokens'));
    await expect(saveTokens(entry, { env: { XDG_CACHE_HOME: other } })).rejects.toMatchObject({ detail: `${join(other, 'oidc-cli', 'tokens')} is a symbolic link` });
    expect(await readdir(victim)).toEqual([]);
  });

  it('passes with the path when written', async () => {
    const env = { XDG_CACHE_HOME: await fresh() };
    const checks = new CheckRecorder();
    expect(await saveTokensChecked(entry, { env }, checks)).toEqual({ saved: true, path: cacheFilePath(key, env) });
    expect(checks.results).toMatchObject([{ id: 'cache.write', status: 'pass' }]);
  });
});

describe('config.json', () => {
  it('a config directory that is a symlink is refused with a warning, even to a good config.json', async () => {
    const home = await fresh();
    const real = join(home, 'real');
    await mkdir(real);
    await writeFile(join(real, 'config.json'), JSON.stringify({ profiles: { p: { issuer: 'https://x.example' } } }), { mode: 0o600 });
    await symlink(real, join(home, 'oidc-cli'));
    const warnings: string[] = [];
    const config = await loadConfig({ XDG_CONFIG_HOME: home }, (l) => warnings.push(l));
    expect(config?.profiles).toEqual({});
    expect(config?.untrusted?.message).toBe(`config file ${join(home, 'oidc-cli', 'config.json')} is not used: ${join(home, 'oidc-cli')} is a symbolic link`);
    expect(warnings).toEqual([`ignoring config file ${join(home, 'oidc-cli', 'config.json')}: ${join(home, 'oidc-cli')} is a symbolic link`]);
  });

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
