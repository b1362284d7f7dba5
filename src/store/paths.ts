import { chmod, mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

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
 * Creates the directory (and parents) and makes the leaf 0700: it holds tokens, so no other user may
 * list or read it. mkdir's mode is filtered by the umask and ignored for an existing directory, hence chmod.
 */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
}
