// The token cache and the config file, through the real binary: trusted only when they are ours, and a
// cache that cannot be written never loses a login (the report is printed, the exit code says so).
// Planting files "owned by another user" needs root (chown to 65534, chattr +i); those tests skip otherwise.
import { spawnSync } from 'node:child_process';
import { chmod, chown, lchown, lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cacheFileName } from '../../src/store/cache.js';
import { hasStackTrace, runCli } from '../support/cli.js';
import { BROWSER_SCRIPT } from '../support/idp-flow.js';
import { startIdp, type Idp } from '../support/idp.js';

const isRoot = process.getuid?.() === 0;
const NOBODY = 65534;
const chattrWorks = isRoot && spawnSync('chattr', ['--help']).error === undefined;

// Loaded with --import: every write to a temp file of the token cache fails as on a full disk.
const DISK_FULL = `
import { open } from 'node:fs/promises';
import { readlinkSync } from 'node:fs';
const probe = await open(new URL(import.meta.url), 'r');
const proto = Object.getPrototypeOf(probe);
await probe.close();
const original = proto.writeFile;
proto.writeFile = async function (data, ...rest) {
  if (!/oidc-cli\\/tokens\\/\\..*\\.tmp$/.test(readlinkSync('/proc/self/fd/' + this.fd))) return original.call(this, data, ...rest);
  throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
};
`;

let idp: Idp;
let root: string;
let dir: string;
let diskFull: string;
let attacker: Server;
let attackerOrigin: string;
const attackerRequests: string[] = [];

type Check = { id: string; status: string; message: string };
type Doc = { ok: boolean; checks: Check[]; tokens?: { access_token?: string }; cache?: { saved: boolean; reason?: string } };
const check = (doc: { checks: Check[] }, id: string) => doc.checks.find((c) => c.id === id);

const cacheHome = () => join(dir, 'cache');
const tokensDir = () => join(cacheHome(), 'oidc-cli', 'tokens');
const publicKey = () => ({ issuer: idp.issuer, client_id: idp.clients.public.client_id });
const machineKey = () => ({ issuer: idp.issuer, client_id: idp.clients.machine.client_id });
const env = (extra: Record<string, string | undefined> = {}) => ({ XDG_CACHE_HOME: cacheHome(), XDG_CONFIG_HOME: join(dir, 'config'), OIDC_ISSUER: undefined, OIDC_CLIENT_ID: undefined, OIDC_CLIENT_SECRET: undefined, BROWSER: undefined, HTTP_PROXY: undefined, HTTPS_PROXY: undefined, ...extra });
const login = (extra: Record<string, string | undefined> = {}) =>
  runCli(['login', '--issuer', idp.issuer, '--client-id', idp.clients.public.client_id, '--browser-command', `node ${BROWSER_SCRIPT}`, '--timeout', '30', '--json'], { env: env(extra), timeoutMs: 60_000 });
const machineToken = (extra: Record<string, string | undefined> = {}, args: string[] = []) =>
  runCli(['token', '--grant', 'client_credentials', '--issuer', idp.issuer, '--client-id', idp.clients.machine.client_id, ...args], { env: env({ OIDC_CLIENT_SECRET: idp.clients.machine.client_secret, ...extra }), timeoutMs: 60_000 });

/** A well-formed cache entry, as an attacker would plant it. */
async function plant(path: string, entry: Record<string, unknown>, options: { uid?: number; mode?: number } = {}) {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, JSON.stringify({ format: 'oidc-cli/token-cache/1', obtained_at: Math.floor(Date.now() / 1000), expires_at: Math.floor(Date.now() / 1000) + 3600, ...entry }));
  await chmod(path, options.mode ?? 0o600);
  if (options.uid !== undefined) await chown(path, options.uid, options.uid);
}

beforeAll(async () => {
  idp = await startIdp();
  root = await mkdtemp(join(tmpdir(), 'oidc-cli-cache-'));
  // Other users must be able to reach the test directories (the uid 65534 runs below).
  await chmod(root, 0o755);
  diskFull = join(root, 'disk-full.mjs');
  await writeFile(diskFull, DISK_FULL);
  attacker = createServer((req, res) => {
    attackerRequests.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''}`);
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
  attackerOrigin = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await idp?.close();
  await new Promise<void>((resolve) => attacker.close(() => resolve()));
  if (chattrWorks) spawnSync('chattr', ['-R', '-i', root]);
  await rm(root, { recursive: true, force: true });
});
let n = 0;
beforeEach(async () => {
  dir = join(root, `case-${++n}`);
  await mkdir(dir, { mode: 0o755 });
  await chmod(dir, 0o755);
  attackerRequests.length = 0;
});

describe('the cache is trusted only when it is ours', () => {
  it.skipIf(!isRoot)('a cache file owned by another user, in a world-writable cache dir, is ignored with a warning: token does not print it (root: chown 65534)', async () => {
    await mkdir(tokensDir(), { recursive: true });
    await chmod(join(cacheHome(), 'oidc-cli'), 0o777);
    await chmod(tokensDir(), 0o777);
    const path = join(tokensDir(), cacheFileName(publicKey()));
    await plant(path, { ...publicKey(), access_token: 'attacker-access-token' }, { uid: NOBODY });
    const result = await runCli(['token', '--issuer', idp.issuer, '--client-id', idp.clients.public.client_id], { env: env() });
    expect(result.stdout).not.toContain('attacker-access-token');
    expect(result.code, result.stderr).toBe(2);
    expect(hasStackTrace(result.stderr)).toBe(false);
    expect(result.stderr).toContain(`warning: ignoring token cache file ${path}: it is owned by uid ${NOBODY}, not by you (uid 0)`);
    // The directories were fixed on the way.
    expect((await stat(tokensDir())).mode & 0o777).toBe(0o700);
    expect((await stat(join(cacheHome(), 'oidc-cli'))).mode & 0o777).toBe(0o700);
  });

  it('a cache file writable by group or other is ignored with a warning', async () => {
    const path = join(tokensDir(), cacheFileName(publicKey()));
    await plant(path, { ...publicKey(), access_token: 'tampered-access-token' }, { mode: 0o666 });
    const result = await runCli(['token', '--issuer', idp.issuer, '--client-id', idp.clients.public.client_id], { env: env() });
    expect(result.stdout).not.toContain('tampered-access-token');
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain(`warning: ignoring token cache file ${path}: it is writable by other users (mode 0666)`);
  });

  it('a symlink in place of a cache file is not followed', async () => {
    const elsewhere = join(dir, 'elsewhere.json');
    await plant(elsewhere, { ...publicKey(), access_token: 'linked-access-token' });
    await mkdir(tokensDir(), { recursive: true });
    const path = join(tokensDir(), cacheFileName(publicKey()));
    await symlink(elsewhere, path);
    const result = await runCli(['token', '--issuer', idp.issuer, '--client-id', idp.clients.public.client_id], { env: env() });
    expect(result.stdout).not.toContain('linked-access-token');
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain(`warning: ignoring token cache file ${path}: it is a symbolic link`);
  });

  it('an entry filed under another issuer\'s key is ignored: refresh does not send the client secret to the issuer it names', async () => {
    // Named for the real IdP and this client, but naming the attacker as issuer.
    const path = join(tokensDir(), cacheFileName(machineKey()));
    await plant(path, { issuer: attackerOrigin, client_id: idp.clients.machine.client_id, access_token: 'a', refresh_token: 'r' });
    const result = await runCli(['refresh', '--client-id', idp.clients.machine.client_id, '--json'], { env: env({ OIDC_CLIENT_SECRET: idp.clients.machine.client_secret }) });
    expect(attackerRequests).toEqual([]);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain(`warning: ignoring token cache file ${path}: it names issuer ${attackerOrigin} and client ${idp.clients.machine.client_id}, but is filed under another key`);
  });

  it.skipIf(!isRoot)('an entry owned by another user naming its own issuer is ignored: refresh does not contact that issuer (root: chown 65534)', async () => {
    const key = { issuer: attackerOrigin, client_id: idp.clients.machine.client_id };
    const path = join(tokensDir(), cacheFileName(key));
    await plant(path, { ...key, access_token: 'a', refresh_token: 'r' }, { uid: NOBODY });
    const result = await runCli(['refresh', '--client-id', idp.clients.machine.client_id, '--json'], { env: env({ OIDC_CLIENT_SECRET: idp.clients.machine.client_secret }) });
    expect(attackerRequests).toEqual([]);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain(`ignoring token cache file ${path}: it is owned by uid ${NOBODY}`);
  });

  it.skipIf(!isRoot)('a cache directory owned by another user is refused on read and on write (root: chown 65534)', async () => {
    await plant(join(tokensDir(), cacheFileName(publicKey())), { ...publicKey(), access_token: 'their-access-token' });
    await chown(join(cacheHome(), 'oidc-cli'), NOBODY, NOBODY);
    const token = await runCli(['token', '--issuer', idp.issuer, '--client-id', idp.clients.public.client_id], { env: env() });
    expect(token.stdout).not.toContain('their-access-token');
    expect(token.code, token.stderr).toBe(2);
    expect(token.stderr).toContain(`warning: ignoring the token cache ${join(cacheHome(), 'oidc-cli')}: it is owned by uid ${NOBODY}, not by you (uid 0)`);

    const result = await login();
    expect(result.code, result.stderr).toBe(1);
    const doc = result.json<Doc>();
    expect(doc.tokens?.access_token).toBeDefined();
    expect(check(doc, 'cache.write')).toMatchObject({ status: 'fail' });
    expect(check(doc, 'cache.write')?.message).toContain(`${join(cacheHome(), 'oidc-cli')} is owned by uid ${NOBODY}`);
  });

  it('a config.json writable by others is refused with a warning, and its profiles are not used', async () => {
    await mkdir(join(dir, 'config', 'oidc-cli'), { recursive: true });
    const file = join(dir, 'config', 'oidc-cli', 'config.json');
    await writeFile(file, JSON.stringify({ default_profile: 'p', profiles: { p: { issuer: attackerOrigin, client_id: 'x' } } }));
    await chmod(file, 0o666);
    const named = await runCli(['token', '--profile', 'p'], { env: env() });
    expect(named.code, named.stderr).toBe(2);
    expect(named.stderr).toContain(`config file ${file} is writable by other users (mode 0666)`);
    // Without --profile the default profile is not applied either: the command goes on without it.
    const implicit = await runCli(['token', '--grant', 'client_credentials'], { env: env({ OIDC_CLIENT_SECRET: 's3cret' }) });
    expect(implicit.code).toBe(2);
    expect(implicit.stderr).toContain(`warning: ignoring config file ${file}: it is writable by other users (mode 0666)`);
    expect(implicit.stderr).toMatch(/no issuer/);
    expect(attackerRequests).toEqual([]);
  });

  it.skipIf(!isRoot)('a config.json owned by another user is refused (root: chown 65534)', async () => {
    await mkdir(join(dir, 'config', 'oidc-cli'), { recursive: true });
    const file = join(dir, 'config', 'oidc-cli', 'config.json');
    await writeFile(file, JSON.stringify({ profiles: { p: { issuer: attackerOrigin, client_id: 'x' } } }));
    await chown(file, NOBODY, NOBODY);
    const result = await runCli(['token', '--grant', 'client_credentials', '--profile', 'p'], { env: env({ OIDC_CLIENT_SECRET: 's3cret' }) });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain(`config file ${file} is owned by uid ${NOBODY}, not by you (uid 0)`);
    expect(attackerRequests).toEqual([]);
  });
});

describe('a cache that cannot be written never loses a login', () => {
  const expectReported = (doc: Doc, pattern: RegExp) => {
    const failed = check(doc, 'cache.write');
    expect(failed?.status).toBe('fail');
    expect(failed?.message).toMatch(pattern);
  };

  it('login with XDG_CACHE_HOME pointing at a file (ENOTDIR): the report is printed, cache.write fails, exit 1', { timeout: 60_000 }, async () => {
    await writeFile(join(dir, 'cache'), 'not a directory');
    const result = await login();
    expect(hasStackTrace(result.stderr)).toBe(false);
    expect(result.code, result.stderr).toBe(1);
    const doc = result.json<Doc>();
    expect(doc.tokens?.access_token).toBeDefined();
    expect(doc.cache).toMatchObject({ saved: false });
    expectReported(doc, /ENOTDIR/);
    expect(result.stderr).toMatch(new RegExp(`warning: could not write the token cache under ${join(dir, 'cache').replace(/[/.]/g, '\\$&')}.*ENOTDIR`));
  });

  it.skipIf(!chattrWorks)('login with an immutable tokens directory (EPERM, root: chattr +i)', { timeout: 60_000 }, async () => {
    await mkdir(tokensDir(), { recursive: true, mode: 0o700 });
    await chmod(join(cacheHome(), 'oidc-cli'), 0o700);
    expect(spawnSync('chattr', ['+i', tokensDir()]).status).toBe(0);
    try {
      const result = await login();
      expect(result.code, result.stderr).toBe(1);
      const doc = result.json<Doc>();
      expect(doc.tokens?.access_token).toBeDefined();
      expectReported(doc, /EPERM/);
      expect(result.stderr).toMatch(/warning: could not write the token cache/);
    } finally {
      spawnSync('chattr', ['-i', tokensDir()]);
    }
  });

  it('login with a symlink planted where the cache file goes: not written through, reported, exit 1', { timeout: 60_000 }, async () => {
    await mkdir(tokensDir(), { recursive: true });
    const target = join(dir, 'planted-target');
    await writeFile(target, 'untouched');
    const path = join(tokensDir(), cacheFileName(publicKey()));
    await symlink(target, path);
    const result = await login();
    expect(result.code, result.stderr).toBe(1);
    const doc = result.json<Doc>();
    expect(doc.tokens?.access_token).toBeDefined();
    expectReported(doc, /symbolic link/);
    expect(await readFile(target, 'utf8')).toBe('untouched');
    expect((await lstat(path)).isSymbolicLink()).toBe(true);
    expect(await readlink(path)).toBe(target);
  });

  it.skipIf(process.platform !== 'linux')('refresh on a full disk (ENOSPC): the refresh token is not spent (exit 3, the login stays usable); with --show-tokens the refresh goes on and shows the new one', { timeout: 90_000 }, async () => {
    const first = await login();
    expect(first.code, first.stderr).toBe(0);
    const path = join(tokensDir(), cacheFileName(publicKey()));
    const before = await readFile(path, 'utf8');
    const full = { NODE_OPTIONS: `--import=${pathToFileURL(diskFull).href}` };
    const refused = await runCli(['refresh', '--json'], { env: env(full), timeoutMs: 60_000 });
    expect(hasStackTrace(refused.stderr)).toBe(false);
    expect(refused.code, refused.stderr).toBe(3);
    expect(refused.stderr).toMatch(/^oidc-cli: not refreshing: could not write the token cache under .*ENOSPC.*the new one could not be kept\n {2}hint: make the cache writable/m);
    expect(await readFile(path, 'utf8')).toBe(before);
    expect((await readdir(tokensDir())).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    // Nothing was spent: once the disk has room, the same login refreshes.
    const later = await runCli(['refresh', '--json'], { env: env(), timeoutMs: 60_000 });
    expect(later.code, later.stderr).toBe(0);
    expect(check(later.json<Doc>(), 'refresh.grant')?.status).toBe('pass');
    // --show-tokens: the user sees the new refresh token in full, so the refresh may spend the old one.
    const shown = await runCli(['refresh', '--json', '--show-tokens'], { env: env(full), timeoutMs: 60_000 });
    expect(shown.code, shown.stderr).toBe(1);
    const doc = shown.json<Doc & { after?: { refresh_token?: string } }>();
    expect(check(doc, 'refresh.grant')?.status).toBe('pass');
    expect(doc.after?.refresh_token).toMatch(/^[\w-]{20,}$/);
    expectReported(doc, /ENOSPC/);
  });

  it.skipIf(!chattrWorks)('token and refresh with an immutable cache dir (EPERM, root: chattr +i): nothing is spent (exit 3), and the login works once the cache is writable', { timeout: 90_000 }, async () => {
    const first = await login();
    expect(first.code, first.stderr).toBe(0);
    const path = join(tokensDir(), cacheFileName(publicKey()));
    const cached = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    // Rewritten in place (no new file): the directory can be frozen afterwards.
    await writeFile(path, JSON.stringify({ ...cached, expires_at: Math.floor(Date.now() / 1000) - 60 }));
    expect(spawnSync('chattr', ['+i', tokensDir()]).status).toBe(0);
    try {
      const result = await runCli(['token', '--issuer', idp.issuer, '--client-id', idp.clients.public.client_id], { env: env(), timeoutMs: 60_000 });
      expect(hasStackTrace(result.stderr)).toBe(false);
      expect([result.code, result.stdout]).toEqual([3, '']);
      expect(result.stderr).toMatch(/^oidc-cli: not refreshing: could not write the token cache .*EPERM/m);
      const refresh = await runCli(['refresh', '--json'], { env: env(), timeoutMs: 60_000 });
      expect(refresh.code, refresh.stderr).toBe(3);
    } finally {
      spawnSync('chattr', ['-i', tokensDir()]);
    }
    // The refresh token was never sent: the same login still gets a token.
    const after = await runCli(['token', '--issuer', idp.issuer, '--client-id', idp.clients.public.client_id], { env: env(), timeoutMs: 60_000 });
    expect(after.code, after.stderr).toBe(0);
    expect(after.stdout.trim()).not.toBe(cached.access_token);
  });

  it('token --grant client_credentials with XDG_CACHE_HOME pointing at a file: the token is printed, exit 1', { timeout: 60_000 }, async () => {
    await writeFile(join(dir, 'cache'), 'not a directory');
    const result = await machineToken();
    expect(hasStackTrace(result.stderr)).toBe(false);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout.trim().split('.')).toHaveLength(3);
    expect(result.stderr).toMatch(/warning: could not write the token cache .*ENOTDIR/);
    const json = await machineToken({}, ['--json']);
    expect(json.code).toBe(1);
    expectReported(json.json<Doc>(), /ENOTDIR/);
  });

  it.skipIf(!isRoot)('token --grant client_credentials run by another user against a cache dir it cannot write (EACCES, root: uid 65534)', { timeout: 60_000 }, async () => {
    await mkdir(cacheHome(), { mode: 0o755 });
    await chmod(cacheHome(), 0o755);
    const result = await runCli(['token', '--grant', 'client_credentials', '--issuer', idp.issuer, '--client-id', idp.clients.machine.client_id, '--json'], {
      env: env({ OIDC_CLIENT_SECRET: idp.clients.machine.client_secret, HOME: dir }),
      uid: NOBODY,
      timeoutMs: 60_000,
    });
    expect(hasStackTrace(result.stderr)).toBe(false);
    expect(result.code, result.stderr).toBe(1);
    expectReported(result.json<Doc>(), /EACCES/);
  });
});

// Break 11: another user plants `oidc-cli -> /some/victim-dir` in a shared (1777) cache home. Every level
// oidc-cli owns (oidc-cli/, tokens/, config's oidc-cli/) is checked without following a symlink, so the
// target is never chmod-ed, written into or read from; the login is still reported, cache.write fails.
describe('no symlink is followed at any level oidc-cli owns', () => {
  const mode = async (path: string) => (await stat(path)).mode & 0o7777;
  /** A shared, sticky, world-writable cache home with `name` in it planted as a symlink to `target` (owned by uid 65534 under root). */
  async function plantLink(linkPath: string, target: string) {
    await symlink(target, linkPath);
    if (isRoot) await lchown(linkPath, NOBODY, NOBODY);
  }
  async function sharedHome() {
    await mkdir(cacheHome());
    await chmod(cacheHome(), 0o1777);
  }

  it.each([
    ['a 0755 directory', 0o755],
    ['a 1777 directory', 0o1777],
  ])('oidc-cli/ a symlink to %s: login prints its report, cache.write fails naming the link, the target keeps its mode and stays empty', { timeout: 60_000 }, async (_what, victimMode) => {
    await sharedHome();
    const victim = join(dir, 'victim');
    await mkdir(victim);
    await chmod(victim, victimMode);
    const link = join(cacheHome(), 'oidc-cli');
    await plantLink(link, victim);
    const result = await login();
    expect(hasStackTrace(result.stderr)).toBe(false);
    expect(result.code, result.stderr).toBe(1);
    const doc = result.json<Doc>();
    expect(doc.tokens?.access_token).toBeDefined();
    expect(check(doc, 'cache.write')).toMatchObject({ status: 'fail', message: `not saved: ${link} is a symbolic link` });
    expect(result.stderr).toContain(`warning: could not write the token cache under ${link}: ${link} is a symbolic link`);
    expect(await mode(victim)).toBe(victimMode);
    expect(await readdir(victim)).toEqual([]);
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
  });

  it('tokens/ a symlink to another directory: not written into or chmod-ed, cache.write fails, exit 1', { timeout: 60_000 }, async () => {
    await mkdir(join(cacheHome(), 'oidc-cli'), { recursive: true, mode: 0o700 });
    const victim = join(dir, 'victim');
    await mkdir(victim);
    await chmod(victim, 0o755);
    await plantLink(tokensDir(), victim);
    const result = await login();
    expect(result.code, result.stderr).toBe(1);
    const doc = result.json<Doc>();
    expect(doc.tokens?.access_token).toBeDefined();
    expect(check(doc, 'cache.write')).toMatchObject({ status: 'fail', message: `not saved: ${tokensDir()} is a symbolic link` });
    expect(await mode(victim)).toBe(0o755);
    expect(await readdir(victim)).toEqual([]);
  });

  it('on read, a symlinked oidc-cli/ is ignored with a warning: token does not print what is behind it, and the target is not chmod-ed', async () => {
    const elsewhere = join(dir, 'elsewhere');
    await plant(join(elsewhere, 'tokens', cacheFileName(publicKey())), { ...publicKey(), access_token: 'behind-the-link-token' });
    await chmod(elsewhere, 0o777);
    await mkdir(cacheHome());
    const link = join(cacheHome(), 'oidc-cli');
    await symlink(elsewhere, link);
    const result = await runCli(['token', '--issuer', idp.issuer, '--client-id', idp.clients.public.client_id], { env: env() });
    expect(result.stdout).not.toContain('behind-the-link-token');
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain(`warning: ignoring the token cache ${link}: it is a symbolic link`);
    expect(await mode(elsewhere)).toBe(0o777);
  });

  it('a symlinked config directory is refused with a warning, and its profiles are not used', async () => {
    const elsewhere = join(dir, 'elsewhere-config');
    await mkdir(elsewhere);
    await writeFile(join(elsewhere, 'config.json'), JSON.stringify({ default_profile: 'p', profiles: { p: { issuer: attackerOrigin, client_id: 'x' } } }), { mode: 0o600 });
    await mkdir(join(dir, 'config'));
    const link = join(dir, 'config', 'oidc-cli');
    await symlink(elsewhere, link);
    const result = await runCli(['token', '--grant', 'client_credentials'], { env: env({ OIDC_CLIENT_SECRET: 's3cret' }) });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain(`warning: ignoring config file ${join(link, 'config.json')}: ${link} is a symbolic link`);
    expect(result.stderr).toMatch(/no issuer/);
    expect(attackerRequests).toEqual([]);
  });
});

// Break 17: Node's recursive mkdir never ends on /proc (mkdir there is ENOENT, its parent exists). The
// directories are made one level at a time, so the run ends: the result is printed, cache.write fails.
describe('an XDG cache home where no directory can be made ends the run, with the result', () => {
  it.skipIf(process.platform !== 'linux').each(['/proc/self', '/proc/self/fd', '/sys/kernel'])('token --grant client_credentials with XDG_CACHE_HOME=%s: the token is printed, cache.write fails, exit 1, within --timeout', { timeout: 60_000 }, async (home) => {
    const started = Date.now();
    const result = await runCli(['token', '--grant', 'client_credentials', '--issuer', idp.issuer, '--client-id', idp.clients.machine.client_id, '--timeout', '10', '--json'], {
      env: env({ XDG_CACHE_HOME: home, OIDC_CLIENT_SECRET: idp.clients.machine.client_secret }),
      timeoutMs: 20_000,
    });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(hasStackTrace(result.stderr)).toBe(false);
    expect(result.code, result.stderr).toBe(1);
    const doc = result.json<Doc>();
    expect(check(doc, 'cache.write')?.status).toBe('fail');
    expect(result.stderr).toContain(`warning: could not write the token cache under ${home}/oidc-cli`);
  });

  it.skipIf(process.platform !== 'linux')('login with XDG_CACHE_HOME=/proc/self: the report is printed, cache.write fails, exit 1, within --timeout', { timeout: 60_000 }, async () => {
    const result = await runCli(['login', '--issuer', idp.issuer, '--client-id', idp.clients.public.client_id, '--browser-command', `node ${BROWSER_SCRIPT}`, '--timeout', '15', '--json'], { env: env({ XDG_CACHE_HOME: '/proc/self' }), timeoutMs: 25_000 });
    expect(hasStackTrace(result.stderr)).toBe(false);
    expect(result.code, result.stderr).toBe(1);
    const doc = result.json<Doc>();
    expect(doc.tokens?.access_token).toBeDefined();
    expect(check(doc, 'cache.write')?.status).toBe('fail');
  });
});
