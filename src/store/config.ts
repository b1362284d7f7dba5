import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { inputError } from '../errors.js';
import { jsonParseProblem } from '../util/show.js';
import { configDir, configFile } from './paths.js';
import { checkOwnDir, naming, PARENT_NOT_DIRECTORY, readOwnFile } from './trust.js';

export const CLIENT_AUTH_METHODS = ['none', 'client_secret_basic', 'client_secret_post', 'private_key_jwt', 'tls_client_auth', 'self_signed_tls_client_auth'] as const;
export type ClientAuthMethod = (typeof CLIENT_AUTH_METHODS)[number];

/**
 * One named profile of config.json. Secrets are held by reference only — the name of an environment
 * variable or a file path — so the config file can be shared or committed without leaking them.
 */
export interface Profile {
  issuer?: string;
  client_id?: string;
  client_auth?: ClientAuthMethod;
  client_secret_env?: string;
  client_secret_file?: string;
  private_key_file?: string;
  /** RFC 8705: the PEM client certificate and its private key (--cert, --key). */
  cert_file?: string;
  key_file?: string;
  scope?: string;
  redirect_uri?: string;
}

export interface Config {
  path: string;
  default_profile?: string;
  profiles: Record<string, Profile>;
  /** Profiles that cannot be used, with the reason (a plain client_secret): refused when selected. */
  refused: Record<string, { message: string; hint: string }>;
  /** Set when the whole file is refused (another user could have written it): no profile is used. */
  untrusted?: { message: string; hint: string };
}

const PLAIN_SECRET_HINT = 'replace it with "client_secret_env": "VAR_NAME" or "client_secret_file": "/path/to/secret" (mode 0600)';

const STRING_MEMBERS = ['issuer', 'client_id', 'client_secret_env', 'client_secret_file', 'private_key_file', 'cert_file', 'key_file', 'scope', 'redirect_uri'] as const;

/**
 * Reads config.json; undefined when there is none. A file that exists but is wrong is an INPUT error.
 * A file another user could have written (not ours, group/other-writable, a symlink) is refused with a
 * warning: its profiles name the issuer that receives the client secret.
 */
export async function loadConfig(env: NodeJS.ProcessEnv = process.env, warn: (line: string) => void = () => undefined): Promise<Config | undefined> {
  const path = configFile(env);
  let text: string;
  try {
    // Its directory is ours too: a symlink planted in its place (a shared XDG_CONFIG_HOME) is not followed.
    const dir = await checkOwnDir(configDir(env), { fix: false });
    if (dir.kind === 'missing' || (dir.kind === 'refused' && dir.reason === PARENT_NOT_DIRECTORY)) return undefined;
    if (dir.kind === 'refused') {
      const reason = naming(configDir(env), dir.reason);
      warn(`ignoring config file ${path}: ${reason}`);
      return { path, profiles: {}, refused: {}, untrusted: { message: `config file ${path} is not used: ${reason}`, hint: `${configDir(env)} must be a directory of yours, not a symbolic link: move what is there away and mkdir -m 700 ${configDir(env)}` } };
    }
    const file = await readOwnFile(path);
    if (file.kind === 'missing') return undefined;
    if (file.kind === 'refused') {
      warn(`ignoring config file ${path}: ${file.reason}`);
      const message = `config file ${path} ${file.reason.replace(/^it /, '')}: its profiles are not used`;
      return { path, profiles: {}, refused: {}, untrusted: { message, hint: `make it yours and private: chown $(id -u) ${path} && chmod 600 ${path}` } };
    }
    text = file.text;
  } catch (error) {
    throw inputError(`cannot read config file ${path}: ${(error as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw inputError(`config file ${path} is not valid JSON: ${jsonParseProblem(error)}`);
  }
  return parseConfig(raw, path, warn);
}

export function parseConfig(raw: unknown, path: string, warn: (line: string) => void): Config {
  if (!isObject(raw)) throw inputError(`config file ${path}: expected a JSON object with "profiles"`);
  const profilesRaw = raw.profiles ?? {};
  if (!isObject(profilesRaw)) throw inputError(`config file ${path}: "profiles" must be an object of named profiles`);
  for (const key of Object.keys(raw)) {
    if (key !== 'profiles' && key !== 'default_profile' && key !== '$schema') warn(`config file ${path}: unknown member "${key}" ignored`);
  }
  // Keyed by the names the file gives: records without a prototype, so a profile named "__proto__" is
  // stored as one and "constructor" is not found where no such profile exists.
  const config: Config = { path, profiles: Object.create(null) as Config['profiles'], refused: Object.create(null) as Config['refused'] };
  if (raw.default_profile !== undefined) {
    if (typeof raw.default_profile !== 'string') throw inputError(`config file ${path}: "default_profile" must be a string`);
    config.default_profile = raw.default_profile;
  }
  for (const [name, value] of Object.entries(profilesRaw)) {
    if (isObject(value) && 'client_secret' in value) {
      // Refused when selected; the other profiles stay usable, with a warning to fix the file.
      const message = `config file ${path}, profile "${name}" holds a plain "client_secret"; secrets are kept by reference only`;
      config.refused[name] = { message, hint: PLAIN_SECRET_HINT };
      warn(`${message} (the profile is refused until it is fixed)`);
      config.profiles[name] = {};
      continue;
    }
    config.profiles[name] = parseProfile(name, value, path, warn);
  }
  return config;
}

function parseProfile(name: string, raw: unknown, path: string, warn: (line: string) => void): Profile {
  const where = `config file ${path}, profile "${name}"`;
  if (!isObject(raw)) throw inputError(`${where}: expected an object`);
  const profile: Profile = {};
  for (const member of STRING_MEMBERS) {
    const value = raw[member];
    if (value === undefined) continue;
    if (typeof value !== 'string' || value === '') throw inputError(`${where}: "${member}" must be a non-empty string`);
    profile[member] = member.endsWith('_file') ? expandPath(value, dirname(path)) : value;
  }
  if (raw.client_auth !== undefined) {
    if (!CLIENT_AUTH_METHODS.includes(raw.client_auth as ClientAuthMethod)) {
      throw inputError(`${where}: "client_auth" is ${JSON.stringify(raw.client_auth)}, expected one of ${CLIENT_AUTH_METHODS.join(', ')}`);
    }
    profile.client_auth = raw.client_auth as ClientAuthMethod;
  }
  const known = new Set<string>([...STRING_MEMBERS, 'client_auth']);
  for (const key of Object.keys(raw)) if (!known.has(key)) warn(`${where}: unknown member "${key}" ignored`);
  return profile;
}

/** `~/x` is the home directory; a relative path is relative to the config file's directory. */
function expandPath(value: string, base: string): string {
  if (value === '~' || value.startsWith('~/')) return join(homedir(), value.slice(1));
  return isAbsolute(value) ? value : resolve(base, value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
