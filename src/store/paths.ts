import { lstat, mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';

const APP = 'oidc-cli';

/**
 * XDG Base Directory: a variable that is unset, empty or relative is ignored ("all paths set in these
 * environment variables must be absolute"), and the documented default under $HOME is used instead.
 */
function xdgBase(env: NodeJS.ProcessEnv, variable: string, fallback: string): string {
  const value = env[variable];
  if (value && isAbsolute(value)) return value;
  const home = env.HOME && isAbsolute(env.HOME) ? env.HOME : homedir();
  return join(home, fallback);
}

/** $XDG_CONFIG_HOME/oidc-cli (default ~/.config/oidc-cli): holds config.json. */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(xdgBase(env, 'XDG_CONFIG_HOME', '.config'), APP);
}

/** $XDG_CACHE_HOME/oidc-cli (default ~/.cache/oidc-cli): holds the token cache. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(xdgBase(env, 'XDG_CACHE_HOME', '.cache'), APP);
}

export function configFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(configDir(env), 'config.json');
}

/**
 * Creates the levels of `dir` that do not exist, one at a time, 0700 (XDG: "should be created with
 * permission 0700"). No level that exists is changed, and nothing is followed or fixed here: the caller
 * checks the levels it owns (trust.ts checkOwnDir). Not mkdir's `recursive`: on /proc, where mkdir is
 * ENOENT under a parent that exists, Node's recursive mkdir loops for ever (break 17); here each level is
 * made once, and the first that cannot be is the error.
 */
export async function makeMissingDirs(dir: string): Promise<void> {
  const missing: string[] = [];
  for (let level = resolve(dir); ; level = dirname(level)) {
    if (await exists(level)) break;
    missing.push(level);
    if (dirname(level) === level) break;
  }
  for (const level of missing.reverse()) {
    try {
      await mkdir(level, { mode: 0o700 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error; // made meanwhile by a parallel run
    }
  }
}

/**
 * lstat: a symlink in the way exists (it is judged by the caller, never created through). Under a file
 * (ENOTDIR) the level is missing, so mkdir says why it cannot be made; any other error (EACCES) is the
 * caller's to report.
 */
async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code !== 'ENOENT' && code !== 'ENOTDIR';
  }
}
