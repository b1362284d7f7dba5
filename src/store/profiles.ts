import { readLocalFileWithMode } from '../util/local-file.js';
import type { Context } from '../commands/context.js';
import { inputError, usageError } from '../errors.js';
import { type ClientAuthMethod, type Config, type Profile, loadConfig } from './config.js';
import { configFile } from './paths.js';

/** The client options every issuer-facing command takes (src/cli.ts clientOptions + issuerOption). */
export interface ClientFlags {
  issuer?: string;
  clientId?: string;
  clientSecret?: string;
  clientSecretFile?: string;
  clientAuth?: string;
  privateKey?: string;
  /** RFC 8705: --cert FILE --key FILE, the PEM client certificate and its private key. */
  cert?: string;
  key?: string;
  scope?: string;
  redirectUri?: string;
}

export type Source = 'flag' | 'env' | 'profile';

export interface PartialClient {
  issuer?: string;
  client_id?: string;
  client_secret?: string;
  /** The method asked for, else the one the credentials imply: secret → basic, key → private_key_jwt. */
  client_auth: ClientAuthMethod;
  /** True when client_auth was chosen explicitly (flag or profile), not implied. */
  client_auth_explicit: boolean;
  private_key_file?: string;
  /** RFC 8705 --cert / --key: checked to come in pairs; read by core/mtls.ts loadClientCertificate. */
  cert_file?: string;
  key_file?: string;
  scope?: string;
  redirect_uri?: string;
  /** The profile used, if any. */
  profile?: string;
  /** Where each value came from, for `-v` and error messages. */
  sources: Partial<Record<'issuer' | 'client_id' | 'client_secret', string>>;
}

export interface ResolvedClient extends PartialClient {
  issuer: string;
  client_id: string;
}

export type StoreSide = Pick<Context, 'env' | 'ui'> & { globals: Pick<Context['globals'], 'profile'> };

/**
 * Merges client settings: command-line flag, then environment (OIDC_ISSUER, OIDC_CLIENT_ID,
 * OIDC_CLIENT_SECRET), then the profile (`--profile NAME`, or config.json's default_profile). Reads
 * secret files. Throws a USAGE error when the issuer or the client id is still missing.
 */
export async function resolveClient(flags: ClientFlags, context: StoreSide): Promise<ResolvedClient> {
  const client = await resolveClientPartial(flags, context);
  const via = client.profile ? `, or set it in profile "${client.profile}"` : ', or use --profile NAME';
  if (!client.issuer) throw usageError(`no issuer: pass --issuer URL or set OIDC_ISSUER${via}`);
  if (!client.client_id) throw usageError(`no client id: pass --client-id ID or set OIDC_CLIENT_ID${via}`);
  return client as ResolvedClient;
}

/** Like resolveClient, but leaves a missing issuer or client id to the caller (e.g. `token` picks it from the cache). */
export async function resolveClientPartial(flags: ClientFlags, context: StoreSide): Promise<PartialClient> {
  const env = context.env;
  const { name, profile } = await selectProfile(context);
  const sources: PartialClient['sources'] = {};
  // commander already copies OIDC_* into the flag value; tell the two apart for messages only.
  const pick = (key: 'issuer' | 'client_id', flag: string | undefined, envName: string, fromProfile: string | undefined) => {
    if (flag) sources[key] = flag === env[envName] ? envName : 'flag';
    else if (env[envName]) sources[key] = envName;
    else if (fromProfile) sources[key] = `profile ${name}`;
    return flag || env[envName] || fromProfile || undefined;
  };
  const client: PartialClient = {
    client_auth: 'none',
    client_auth_explicit: false,
    sources,
  };
  const issuer = pick('issuer', flags.issuer, 'OIDC_ISSUER', profile?.issuer);
  const clientId = pick('client_id', flags.clientId, 'OIDC_CLIENT_ID', profile?.client_id);
  if (issuer) client.issuer = issuer;
  if (clientId) client.client_id = clientId;
  if (name) client.profile = name;

  const secret = await resolveSecret(flags, env, name, profile, context.ui.warn);
  if (secret) {
    client.client_secret = secret.value;
    sources.client_secret = secret.source;
  }
  const privateKey = flags.privateKey ?? profile?.private_key_file;
  if (privateKey) client.private_key_file = privateKey;
  const certFile = flags.cert ?? profile?.cert_file;
  const keyFile = flags.key ?? profile?.key_file;
  if (Boolean(certFile) !== Boolean(keyFile)) throw usageError(certFile ? '--cert needs --key FILE, the certificate\'s private key' : '--key needs --cert FILE, the client certificate it belongs to', 'pass both (PEM files), or neither');
  if (certFile && keyFile) {
    client.cert_file = certFile;
    client.key_file = keyFile;
  }
  const scope = flags.scope ?? profile?.scope;
  if (scope) client.scope = scope;
  const redirectUri = flags.redirectUri ?? profile?.redirect_uri;
  if (redirectUri) client.redirect_uri = redirectUri;

  const explicit = (flags.clientAuth ?? profile?.client_auth) as ClientAuthMethod | undefined;
  client.client_auth_explicit = explicit !== undefined;
  client.client_auth = explicit ?? (client.client_secret ? 'client_secret_basic' : privateKey ? 'private_key_jwt' : 'none');
  if ((client.client_auth === 'client_secret_basic' || client.client_auth === 'client_secret_post') && !client.client_secret) {
    throw usageError(`--client-auth ${client.client_auth} needs a client secret`, 'use --client-secret-file FILE or OIDC_CLIENT_SECRET (or client_secret_env/client_secret_file in a profile)');
  }
  if (client.client_auth === 'private_key_jwt' && !privateKey) {
    throw usageError('--client-auth private_key_jwt needs --private-key FILE (or private_key_file in a profile)');
  }
  if ((client.client_auth === 'tls_client_auth' || client.client_auth === 'self_signed_tls_client_auth') && !certFile) {
    throw usageError(`--client-auth ${client.client_auth} needs --cert FILE --key FILE (or cert_file and key_file in a profile)`);
  }
  return client;
}

async function selectProfile(context: StoreSide): Promise<{ name?: string; profile?: Profile }> {
  const asked = context.globals.profile;
  const warn = (line: string) => context.ui.warn(line);
  const config = await loadConfig(context.env, warn);
  if (asked === undefined) {
    if (!config?.default_profile || config.untrusted) return {};
    return findProfile(config, config.default_profile);
  }
  if (!config) throw usageError(`--profile ${asked}: no config file at ${configFile(context.env)}`, 'create it with a "profiles" object (see README "Profiles")');
  return findProfile(config, asked);
}

function findProfile(config: Config, name: string): { name: string; profile: Profile } {
  if (config.untrusted) throw inputError(config.untrusted.message, config.untrusted.hint);
  // Own members only: --profile constructor names no profile, not Object.prototype's constructor.
  const refused = Object.hasOwn(config.refused, name) ? config.refused[name] : undefined;
  if (refused) throw inputError(refused.message, refused.hint);
  const profile = Object.hasOwn(config.profiles, name) ? config.profiles[name] : undefined;
  if (!profile) {
    const known = Object.keys(config.profiles);
    throw usageError(`no profile "${name}" in ${config.path}`, known.length ? `known profiles: ${known.join(', ')}` : 'the file defines no profiles');
  }
  return { name, profile };
}

async function resolveSecret(
  flags: ClientFlags,
  env: NodeJS.ProcessEnv,
  profileName: string | undefined,
  profile: Profile | undefined,
  warn: (line: string) => void,
): Promise<{ value: string; source: string } | undefined> {
  const fromEnv = env.OIDC_CLIENT_SECRET;
  if (flags.clientSecret && flags.clientSecret !== fromEnv) return { value: flags.clientSecret, source: 'flag' };
  if (flags.clientSecretFile) return { value: await readSecretFile(flags.clientSecretFile, warn), source: `file ${flags.clientSecretFile}` };
  if (fromEnv) return { value: fromEnv, source: 'OIDC_CLIENT_SECRET' };
  if (profile?.client_secret_env) {
    const value = Object.hasOwn(env, profile.client_secret_env) ? env[profile.client_secret_env] : undefined;
    if (!value) throw inputError(`profile "${profileName}" reads the client secret from $${profile.client_secret_env}, which is not set`);
    return { value, source: `$${profile.client_secret_env} (profile ${profileName})` };
  }
  if (profile?.client_secret_file) {
    return { value: await readSecretFile(profile.client_secret_file, warn), source: `file ${profile.client_secret_file} (profile ${profileName})` };
  }
  return undefined;
}

/** One secret per file; a trailing newline (as editors and `echo` leave) is not part of it. */
export async function readSecretFile(path: string, warn: (line: string) => void): Promise<string> {
  const { text, mode: fileMode } = await readLocalFileWithMode(path, `client secret file ${path}`);
  const value = text.replace(/\r?\n$/, '');
  if (!value) throw inputError(`client secret file ${path} is empty`);
  if (process.platform !== 'win32') {
    const mode = fileMode & 0o777;
    if (mode & 0o077) warn(`client secret file ${path} is readable by other users (mode ${mode.toString(8).padStart(4, '0')}); chmod 600 it`);
  }
  return value;
}
