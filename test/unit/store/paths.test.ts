import { chmod, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cacheDir, configDir, configFile, makeMissingDirs } from '../../../src/store/paths.js';

const root = await mkdtemp(join(tmpdir(), 'oidc-cli-paths-'));
afterAll(() => rm(root, { recursive: true, force: true }));

describe('XDG paths', () => {
  it('uses XDG_CONFIG_HOME and XDG_CACHE_HOME when absolute', () => {
    const env = { XDG_CONFIG_HOME: '/x/conf', XDG_CACHE_HOME: '/x/cache', HOME: '/home/u' };
    expect(configDir(env)).toBe('/x/conf/oidc-cli');
    expect(cacheDir(env)).toBe('/x/cache/oidc-cli');
    expect(configFile(env)).toBe('/x/conf/oidc-cli/config.json');
  });

  it('falls back to ~/.config and ~/.cache when unset, empty or relative', () => {
    expect(configDir({ HOME: '/home/u' })).toBe('/home/u/.config/oidc-cli');
    expect(cacheDir({ HOME: '/home/u', XDG_CACHE_HOME: '' })).toBe('/home/u/.cache/oidc-cli');
    expect(cacheDir({ HOME: '/home/u', XDG_CACHE_HOME: 'relative/cache' })).toBe('/home/u/.cache/oidc-cli');
  });
});

describe('makeMissingDirs', () => {
  it('creates each missing level 0700, one at a time, and leaves existing levels as they are', async () => {
    const base = join(root, 'existing');
    await mkdir(base);
    await chmod(base, 0o755);
    const dir = join(base, 'a', 'b', 'oidc-cli');
    await makeMissingDirs(dir);
    for (const level of [join(base, 'a'), join(base, 'a', 'b'), dir]) expect((await stat(level)).mode & 0o777).toBe(0o700);
    expect((await stat(base)).mode & 0o777).toBe(0o755);
    await makeMissingDirs(dir); // all there: nothing to do
  });

  // Break 17: Node's recursive mkdir loops forever on /proc, where mkdir is ENOENT under a parent that exists.
  it.skipIf(process.platform !== 'linux')('fails at once where a directory cannot be made (/proc, /sys), never loops', async () => {
    await expect(makeMissingDirs('/proc/self/oidc-cli')).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(makeMissingDirs('/proc/self/oidc-cli/tokens')).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(makeMissingDirs('/sys/kernel/oidc-cli')).rejects.toMatchObject({ code: expect.stringMatching(/^E/) });
  });

  it('does not create anything behind a file in the way', async () => {
    const file = join(root, 'file');
    await writeFile(file, 'x');
    await expect(makeMissingDirs(join(file, 'oidc-cli'))).rejects.toMatchObject({ code: 'ENOTDIR' });
  });
});
