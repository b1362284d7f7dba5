import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CliError } from '../../../src/errors.js';
import { resolveClient, resolveClientPartial } from '../../../src/store/profiles.js';

const root = await mkdtemp(join(tmpdir(), 'oidc-cli-profiles-'));
afterAll(() => rm(root, { recursive: true, force: true }));

async function setup(config: unknown, extraEnv: Record<string, string> = {}) {
  const home = await mkdtemp(join(root, 'xdg-'));
  await mkdir(join(home, 'oidc-cli'), { recursive: true });
  if (config !== undefined) await writeFile(join(home, 'oidc-cli', 'config.json'), typeof config === 'string' ? config : JSON.stringify(config));
  const warnings: string[] = [];
  const context = (profile?: string) => ({
    env: { XDG_CONFIG_HOME: home, HOME: root, ...extraEnv },
    ui: { warn: (l: string) => void warnings.push(l) } as never,
    globals: { profile },
  });
  return { home, warnings, context };
}

async function usage(promise: Promise<unknown>): Promise<CliError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(CliError);
  return error as CliError;
}

describe('resolveClient', () => {
  it('takes the profile, and a flag or env var overrides it', async () => {
    const { context } = await setup({
      profiles: { dev: { issuer: 'https://dev.example.com', client_id: 'dev-app', scope: 'openid email', client_auth: 'none' } },
    });
    const fromProfile = await resolveClient({}, context('dev'));
    expect(fromProfile).toMatchObject({ issuer: 'https://dev.example.com', client_id: 'dev-app', scope: 'openid email', client_auth: 'none', profile: 'dev' });
    const flagged = await resolveClient({ clientId: 'cli-app' }, context('dev'));
    expect(flagged.client_id).toBe('cli-app');
    expect(flagged.sources.client_id).toBe('flag');

    const withEnv = await setup({ profiles: { dev: { issuer: 'https://dev.example.com', client_id: 'dev-app' } } }, { OIDC_CLIENT_ID: 'env-app' });
    const env = await resolveClient({}, withEnv.context('dev'));
    expect(env.client_id).toBe('env-app');
    expect(env.sources.client_id).toBe('OIDC_CLIENT_ID');
  });

  it('a client certificate (RFC 8705): cert_file/key_file relative to the config file, in pairs; tls_client_auth needs them', async () => {
    const { home, context } = await setup({ profiles: { m: { issuer: 'https://x', client_id: 'a', cert_file: 'c.pem', key_file: '~/k.pem', client_auth: 'tls_client_auth' }, bare: { issuer: 'https://x', client_id: 'a', client_auth: 'self_signed_tls_client_auth' } } });
    expect(await resolveClient({}, context('m'))).toMatchObject({ cert_file: join(home, 'oidc-cli', 'c.pem'), key_file: join(homedir(), 'k.pem'), client_auth: 'tls_client_auth' });
    expect((await usage(resolveClient({}, context('bare')))).message).toBe('--client-auth self_signed_tls_client_auth needs --cert FILE --key FILE (or cert_file and key_file in a profile)');
    expect((await usage(resolveClient({ issuer: 'https://x', clientId: 'a', key: 'k.pem' }, context()))).message).toBe('--key needs --cert FILE, the client certificate it belongs to');
  });

  it('uses default_profile when no --profile is given', async () => {
    const { context } = await setup({ default_profile: 'p', profiles: { p: { issuer: 'https://p.example.com', client_id: 'p' } } });
    expect((await resolveClient({}, context())).profile).toBe('p');
  });

  it('refuses a plain client_secret in the config file', async () => {
    const { context } = await setup({ profiles: { dev: { issuer: 'https://x', client_id: 'a', client_secret: 's3cret' } } });
    const error = await usage(resolveClient({}, context('dev')));
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain('plain "client_secret"');
    expect(error.message).not.toContain('s3cret');
    expect(error.hint).toContain('client_secret_env');
  });

  it('a profile with a plain secret does not block the others, but is warned about', async () => {
    const { context, warnings } = await setup({ profiles: { bad: { client_secret: 's3cret' }, good: { issuer: 'https://x', client_id: 'g' } } });
    expect((await resolveClient({}, context('good'))).client_id).toBe('g');
    expect(warnings.join('\n')).toMatch(/profile "bad" holds a plain "client_secret".*refused/);
    expect(warnings.join('\n')).not.toContain('s3cret');
  });

  it('reads the secret by reference: from the named env var or a file (trailing newline dropped)', async () => {
    const viaEnv = await setup({ profiles: { m: { issuer: 'https://x', client_id: 'm', client_secret_env: 'M_SECRET' } } }, { M_SECRET: 'from-env' });
    const a = await resolveClient({}, viaEnv.context('m'));
    expect(a.client_secret).toBe('from-env');
    expect(a.client_auth).toBe('client_secret_basic');

    const viaFile = await setup({ profiles: { m: { issuer: 'https://x', client_id: 'm', client_secret_file: 'secret.txt', client_auth: 'client_secret_post' } } });
    const secretPath = join(viaFile.home, 'oidc-cli', 'secret.txt');
    await writeFile(secretPath, 'from-file\n');
    await chmod(secretPath, 0o644);
    const b = await resolveClient({}, viaFile.context('m'));
    expect(b.client_secret).toBe('from-file');
    expect(b.client_auth).toBe('client_secret_post');
    expect(viaFile.warnings.join('\n')).toMatch(/readable by other users/);
  });

  it('a secret env var named by the profile but unset is a clear input error', async () => {
    const { context } = await setup({ profiles: { m: { issuer: 'https://x', client_id: 'm', client_secret_env: 'NOPE' } } });
    const error = await usage(resolveClient({}, context('m')));
    expect(error.message).toContain('$NOPE');
    expect(error.exitCode).toBe(2);
  });

  it('says what is missing, with exit 2', async () => {
    const { context } = await setup(undefined);
    const noIssuer = await usage(resolveClient({ clientId: 'a' }, context()));
    expect(noIssuer.code).toBe('USAGE');
    expect(noIssuer.message).toMatch(/no issuer: pass --issuer URL or set OIDC_ISSUER/);
    const noClient = await usage(resolveClient({ issuer: 'https://x' }, context()));
    expect(noClient.message).toMatch(/no client id/);
    // The partial form leaves it to the caller.
    expect((await resolveClientPartial({}, context())).issuer).toBeUndefined();
  });

  it('an unknown profile or a missing config file names what exists', async () => {
    const none = await setup(undefined);
    expect((await usage(resolveClient({}, none.context('dev')))).message).toMatch(/--profile dev: no config file at .*config\.json/);
    const some = await setup({ profiles: { a: {}, b: {} } });
    const error = await usage(resolveClient({}, some.context('dev')));
    expect(error.message).toContain('no profile "dev"');
    expect(error.hint).toBe('known profiles: a, b');
  });

  it('a config file that is not JSON, or holds a bad client_auth, is an input error', async () => {
    const broken = await setup('{ profiles: ');
    expect((await usage(resolveClient({}, broken.context('x')))).message).toMatch(/not valid JSON/);
    const bad = await setup({ profiles: { x: { client_auth: 'magic' } } });
    expect((await usage(resolveClient({}, bad.context('x')))).message).toMatch(/"client_auth" is "magic"/);
  });

  it('client_secret_basic without any secret is a usage error', async () => {
    const { context } = await setup(undefined);
    const error = await usage(resolveClient({ issuer: 'https://x', clientId: 'a', clientAuth: 'client_secret_basic' }, context()));
    expect(error.message).toContain('needs a client secret');
  });
});
