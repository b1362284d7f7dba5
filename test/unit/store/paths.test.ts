import { mkdtemp, rm, stat, mkdir, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cacheDir, configDir, configFile, ensurePrivateDir } from '../../../src/store/paths.js';

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

describe('ensurePrivateDir', () => {
  it('creates missing parents and makes the directory 0700', async () => {
    const dir = join(root, 'a', 'b', 'oidc-cli');
    await ensurePrivateDir(dir);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
  });

  it('tightens an existing directory that others could read', async () => {
    const dir = join(root, 'loose');
    await mkdir(dir);
    await chmod(dir, 0o755);
    await ensurePrivateDir(dir);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
  });
});
