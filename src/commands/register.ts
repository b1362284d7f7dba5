import { lstat, readFile, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { nativeClientMetadata, registerAt, type Registration } from '../core/registration.js';
import { CliError, inputError, usageError } from '../errors.js';
import type { Report, Section } from '../report/model.js';
import { writeFileAtomic } from '../store/atomic.js';
import { readSecretFile } from '../store/profiles.js';
import { redactSecret } from '../util/redact.js';
import { shellWord } from '../util/shell.js';
import type { Context } from './context.js';

export interface RegisterOptions {
  issuer?: string;
  redirectUri?: string[];
  clientName?: string;
  scope?: string;
  clientAuth?: string;
  grantType?: string[];
  metadataFile?: string;
  initialAccessTokenFile?: string;
  out?: string;
}

// RFC 8252 §7.3: a loopback redirect URI whose port the IdP ignores; oidc-cli's listener serves /callback.
const LOOPBACK_REDIRECT_URIS = ['http://127.0.0.1/callback', 'http://[::1]/callback'];

/**
 * `oidc-cli register --issuer URL`: RFC 7591 dynamic registration of a client (by default a native app
 * that signs in through oidc-cli's loopback listener), the answer judged, the credentials it holds
 * masked, and with --out FILE the whole registration kept, 0600, for the client's later use.
 */
export async function run(options: RegisterOptions, context: Context): Promise<Report> {
  if (!options.issuer) throw usageError('register needs --issuer URL (or OIDC_ISSUER)', 'e.g. oidc-cli register --issuer https://idp.example.com');
  const out = options.out === undefined ? undefined : resolve(options.out);
  if (out !== undefined) await refuseLink(out);
  const metadata = {
    ...nativeClientMetadata({ redirect_uris: options.redirectUri?.length ? options.redirectUri : LOOPBACK_REDIRECT_URIS, client_name: options.clientName, scope: options.scope, token_endpoint_auth_method: options.clientAuth, grant_types: options.grantType }),
    ...(await metadataFrom(options.metadataFile)),
  };
  const initialAccessToken = options.initialAccessTokenFile === undefined ? undefined : await readSecretFile(options.initialAccessTokenFile, context.ui.warn);
  if (initialAccessToken) context.addSecret(initialAccessToken);

  const http = await context.http();
  const registration = await registerAt(http, { issuer: options.issuer, metadata, initialAccessToken }, { ui: context.ui, signal: context.signal, insecure: context.globals.insecure });
  const { client } = registration;
  if (out !== undefined && registration.client_id && client) {
    try {
      await writeFileAtomic(out, `${JSON.stringify({ issuer: options.issuer, ...client }, null, 2)}\n`);
    } catch (error) {
      throw new CliError('OUTPUT', `--out ${out}: the client was registered (client_id ${registration.client_id}) but could not be written: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    context.ui.detail(`registration written to ${out} (0600)`);
  }
  return reportOf(options.issuer, metadata, registration, out, context);
}

function reportOf(issuer: string, asked: Record<string, unknown>, registration: Registration, out: string | undefined, context: Context): Report {
  const { client } = registration;
  const show = context.globals.showTokens;
  const fields: Array<[string, string]> = [
    ['issuer', issuer],
    ['endpoint', registration.registration_endpoint],
    ['answer', `HTTP ${registration.response.status} in ${registration.response.elapsedMs} ms`],
  ];
  if (registration.client_id) fields.push(['client_id', registration.client_id]);
  if (typeof client?.client_secret === 'string') fields.push(['client_secret', `${redactSecret(client.client_secret, show)}${out ? ` (in ${out})` : ' (pass --out FILE to keep it)'}`]);
  if (typeof client?.registration_access_token === 'string') fields.push(['registration_access_token', redactSecret(client.registration_access_token, show)]);
  if (typeof client?.registration_client_uri === 'string') fields.push(['registration_client_uri', client.registration_client_uri]);
  if (out) fields.push(['written to', `${out} (0600)`]);
  const sections: Section[] = [
    { title: 'Registration', kind: 'fields', fields },
    { title: 'Asked for', kind: 'json', value: asked },
    ...(client ? [{ title: 'Registered', kind: 'json' as const, value: client }] : []),
  ];
  if (registration.client_id) {
    const login = ['oidc-cli', 'login', '--issuer', shellWord(issuer), '--client-id', shellWord(registration.client_id)];
    if (typeof client?.client_secret === 'string') login.push('--client-secret-file', 'SECRET_FILE');
    sections.push({ title: 'Next', kind: 'text', text: `Sign in with it:\n  ${login.join(' ')}` });
  }
  return {
    command: 'register',
    checks: registration.checks,
    // The credentials in `client` are masked by the output gate (registerClient registered them as secrets).
    data: { issuer, registration_endpoint: registration.registration_endpoint, status: registration.response.status, asked, client: client ?? null, client_id: registration.client_id ?? null, written_to: out ?? null },
    sections,
  };
}

async function metadataFrom(file: string | undefined): Promise<Record<string, unknown>> {
  if (file === undefined) return {};
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw inputError(`--metadata-file ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw inputError(`--metadata-file ${file}: not JSON`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw inputError(`--metadata-file ${file}: not a JSON object of client metadata (RFC 7591 §2)`);
  return value as Record<string, unknown>;
}

/** A symlink where the registration (credentials) is to be written is someone's trap: refused, not followed or replaced. */
async function refuseLink(path: string): Promise<void> {
  // Checked before registering: a client registered and then lost to a bad path is a client too many.
  const parent = await stat(dirname(path)).catch(() => undefined);
  if (!parent?.isDirectory()) throw usageError(`--out ${path}: the directory ${dirname(path)} does not exist`);
  const existing = await lstat(path).catch(() => undefined);
  if (existing?.isSymbolicLink()) throw usageError(`--out ${path} is a symbolic link: not written through`);
  if (existing && !existing.isFile()) throw usageError(`--out ${path} is not a regular file`);
}
