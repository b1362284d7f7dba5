// Issue 8: the files oidc-cli writes, through the real binary (test/unit/store covers the modules):
// private directories and files even under umask 000 and over world-readable leftovers; a process
// SIGKILLed in the middle of rewriting the token cache leaves the previous file intact and usable; a
// corrupted cache is reported on stderr, set aside, and not fatal.
import { execFileSync, spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheFileName } from '../../src/store/cache.js';
import { hasStackTrace, runCli } from '../support/cli.js';
import { BROWSER_SCRIPT } from '../support/idp-flow.js';
import { startIdp, type Idp } from '../support/idp.js';

// Loaded with --import into the CLI: the first write to a temp file of the token cache writes half the
// data, reaches the disk, and then the process is SIGKILLed, as a crash or an OOM kill would do it.
const KILL_MID_WRITE = `
import { open } from 'node:fs/promises';
import { fsyncSync, readlinkSync, writeSync } from 'node:fs';
const probe = await open(new URL(import.meta.url), 'r');
const proto = Object.getPrototypeOf(probe);
await probe.close();
const original = proto.writeFile;
proto.writeFile = async function (data, ...rest) {
  const path = readlinkSync('/proc/self/fd/' + this.fd);
  if (!/oidc-cli\\/tokens\\/\\..*\\.tmp$/.test(path)) return original.call(this, data, ...rest);
  const bytes = Buffer.from(data);
  writeSync(this.fd, bytes, 0, Math.floor(bytes.length / 2));
  fsyncSync(this.fd);
  process.kill(process.pid, 'SIGKILL');
  await new Promise(() => undefined);
};
`;

let idp: Idp;
let dir: string;
let env: Record<string, string | undefined>;
let killer: string;
let previousUmask: number;

const mode = async (path: string) => (await stat(path)).mode & 0o777;
const tokensDir = () => join(dir, 'cache', 'oidc-cli', 'tokens');
const cachePath = () => join(tokensDir(), cacheFileName({ issuer: idp.issuer, client_id: idp.clients.public.client_id }));
const login = () => runCli(['login', '--client-id', idp.clients.public.client_id, '--browser-command', `node ${BROWSER_SCRIPT}`, '--timeout', '30', '--json'], { env, timeoutMs: 60_000 });

beforeAll(async () => {
  idp = await startIdp();
  dir = await mkdtemp(join(tmpdir(), 'oidc-cli-files-'));
  killer = join(dir, 'kill-mid-write.mjs');
  await writeFile(killer, KILL_MID_WRITE);
  env = { XDG_CACHE_HOME: join(dir, 'cache'), XDG_CONFIG_HOME: join(dir, 'config'), OIDC_ISSUER: idp.issuer, OIDC_CLIENT_ID: idp.clients.public.client_id, OIDC_CLIENT_SECRET: undefined, BROWSER: undefined };
  // The children inherit the umask: with 000, anything not explicitly private would be world-writable.
  previousUmask = process.umask(0o000);
});
afterAll(async () => {
  process.umask(previousUmask);
  await idp?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('files written by the real binary', () => {
  it('login under umask 000, over world-readable directories, leaves 0700 directories and a 0600 cache file', { timeout: 90_000 }, async () => {
    await mkdir(join(dir, 'cache', 'oidc-cli'), { recursive: true });
    await chmod(join(dir, 'cache', 'oidc-cli'), 0o777);
    const result = await login();
    expect(result.code, result.stderr).toBe(0);
    expect(await mode(join(dir, 'cache', 'oidc-cli'))).toBe(0o700);
    expect(await mode(tokensDir())).toBe(0o700);
    expect(await mode(cachePath())).toBe(0o600);
    // Written atomically: nothing but the cache file itself is left beside it.
    expect(await readdir(tokensDir())).toEqual([cacheFileName({ issuer: idp.issuer, client_id: idp.clients.public.client_id })]);
  });

  it('check --junit writes its report 0600 under umask 000', { timeout: 90_000 }, async () => {
    const junit = join(dir, 'report.xml');
    const result = await runCli(['check', '--client-id', idp.clients.machine.client_id, '--junit', junit, '--json'], { env: { ...env, OIDC_CLIENT_SECRET: idp.clients.machine.client_secret }, timeoutMs: 60_000 });
    expect([0, 1], result.stderr).toContain(result.code);
    expect(await readFile(junit, 'utf8')).toContain('<testsuite');
    expect(await mode(junit)).toBe(0o600);
  });

  // The preload finds the file behind a handle through /proc (Linux, as CI is).
  it.skipIf(process.platform !== 'linux')('refresh SIGKILLed in the middle of rewriting the cache: the previous file is intact and still used', { timeout: 90_000 }, async () => {
    const before = await readFile(cachePath(), 'utf8');
    const killed = await runCli(['refresh', '--json'], { env: { ...env, NODE_OPTIONS: `--import=${pathToFileURL(killer).href}` }, timeoutMs: 60_000 });
    // No exit code: the process died of the signal, after the IdP had answered the refresh.
    expect(killed.code, killed.stderr).toBeNull();
    expect(await readFile(cachePath(), 'utf8')).toBe(before);
    expect(await mode(cachePath())).toBe(0o600);
    // The torn write is in a temp file beside it, never in the cache file itself.
    const names = await readdir(tokensDir());
    expect(names.some((name) => name.endsWith('.tmp'))).toBe(true);

    const token = await runCli(['token'], { env, timeoutMs: 60_000 });
    expect(token.code, token.stderr).toBe(0);
    expect(token.stdout.trim()).toBe((JSON.parse(before) as { access_token: string }).access_token);
    expect(token.stderr).not.toMatch(/corrupt/);
  });

  it('a corrupted cache file is reported on stderr, set aside, and the next login works', { timeout: 90_000 }, async () => {
    await writeFile(cachePath(), '{"format":"oidc-cli/token-cache/1","issuer": tr', { mode: 0o600 });
    const token = await runCli(['token'], { env, timeoutMs: 60_000 });
    expect(token.code, token.stderr).toBe(2);
    expect(hasStackTrace(token.stderr)).toBe(false);
    expect(token.stderr).toContain(`token cache file ${cachePath()} is corrupted; moved it to ${cachePath()}.corrupt-`);
    expect(token.stdout).toBe('');
    const aside = (await readdir(tokensDir())).filter((name) => name.includes('.corrupt-'));
    expect(aside).toHaveLength(1);
    expect(await readFile(join(tokensDir(), aside[0]!), 'utf8')).toContain('"issuer": tr');

    const again = await login();
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).not.toMatch(/corrupt/);
    expect(await mode(cachePath())).toBe(0o600);
    const next = await runCli(['token'], { env, timeoutMs: 60_000 });
    expect(next.code, next.stderr).toBe(0);
  });
});

// Break 7: a device or FIFO given as a report file is written straight through (docs/security.md), but
// never waited on: a FIFO nobody reads is an error at once (exit 3), a reader gets the whole report.
describe.skipIf(process.platform === 'win32')('report files on a FIFO never hang the run', () => {
  const check = (flag: string, file: string) =>
    runCli(['check', '--client-id', idp.clients.machine.client_id, flag, file, '--timeout', '20'], { env: { ...env, OIDC_CLIENT_SECRET: idp.clients.machine.client_secret }, timeoutMs: 40_000 });

  it.each(['--junit', '--sarif'])('check %s FIFO with no reader: exit 3 with one line naming the FIFO, well within --timeout', { timeout: 60_000 }, async (flag) => {
    const fifo = join(dir, `unread${flag}.fifo`);
    execFileSync('mkfifo', [fifo]);
    const result = await check(flag, fifo);
    expect(hasStackTrace(result.stderr)).toBe(false);
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toContain(`oidc-cli: ${flag}: cannot write ${fifo}: ENXIO (a FIFO that no process is reading)`);
    expect((await stat(fifo)).isFIFO()).toBe(true);
  });

  it('check --junit FIFO with a reader: the reader gets the whole report', { timeout: 60_000 }, async () => {
    const fifo = join(dir, 'read.fifo');
    execFileSync('mkfifo', [fifo]);
    const reader = spawn('cat', [fifo], { stdio: ['ignore', 'pipe', 'ignore'] });
    let received = '';
    reader.stdout.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
    const closed = new Promise<void>((resolve) => reader.on('close', () => resolve()));
    const result = await check('--junit', fifo);
    // A reader left waiting (the CLI never opened the FIFO) must not hang the test.
    const timer = setTimeout(() => reader.kill(), 5_000);
    await closed;
    clearTimeout(timer);
    expect([0, 1], result.stderr).toContain(result.code);
    expect(received).toContain('<testsuite');
    expect(received.trimEnd().endsWith('</testsuites>')).toBe(true);
  });
});
