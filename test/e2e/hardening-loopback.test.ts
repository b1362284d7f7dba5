// Issue 8: the loopback redirect listener of a real `login` under abuse. The "browser" below first
// attacks the listener (many connections, huge URLs and headers, foreign Host headers carrying the real
// state, other paths, other interfaces), records what it saw, then signs in with browser.mjs. The login
// must still succeed with the genuine code: no abusive request was taken as the callback.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../support/cli.js';
import { startIdp, type Idp } from '../support/idp.js';
import { flood, openFiles, type Flood } from '../support/listener-flood.js';

// Written to a temp dir at test time; plain Node, no dependencies.
const ABUSER = String.raw`
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { writeFileSync } from 'node:fs';

const authorize = new URL(process.argv[process.argv.length - 1]);
const redirect = new URL(authorize.searchParams.get('redirect_uri'));
const state = authorize.searchParams.get('state');
const port = Number(redirect.port);
const results = {};

// One raw HTTP exchange: returns the status code, or the socket's fate when no status came back.
function raw(text, host = '127.0.0.1') {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let data = '';
    socket.setTimeout(10000, () => { socket.destroy(); resolve('timeout'); });
    socket.on('connect', () => socket.write(text));
    socket.on('data', (chunk) => (data += chunk));
    // A server refusing an oversized request may reset the socket while we still write: keep any status seen.
    socket.on('error', (error) => resolve(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? error.code));
    socket.on('close', () => resolve(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 'closed'));
  });
}
const get = (path, headers = {}) => raw('GET ' + path + ' HTTP/1.1\r\n' + Object.entries({ host: '127.0.0.1:' + port, connection: 'close', ...headers }).map(([k, v]) => k + ': ' + v + '\r\n').join('') + '\r\n');

const evil = '/callback?code=injected-by-attacker&state=' + encodeURIComponent(state) + '&iss=' + encodeURIComponent(authorize.origin);
results.foreignHost = await get(evil, { host: 'attacker.example:' + port });
results.foreignHostNoPort = await get(evil, { host: 'attacker.example' });
results.noHost = await raw('GET ' + evil + ' HTTP/1.0\r\n\r\n');
const form = 'code=injected-by-attacker&state=' + encodeURIComponent(state);
results.foreignHostPost = await raw('POST /callback HTTP/1.1\r\nhost: rebind.attacker.example:' + port + '\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: ' + form.length + '\r\nconnection: close\r\n\r\n' + form);
results.otherPath = await get('/callbackx' + evil.slice('/callback'.length));
results.traversal = await get('/../callback/..%2f' + evil.slice('/callback'.length));
results.hugeUrl = await get(evil + '&pad=' + 'a'.repeat(200 * 1024));
results.hugeHeaders = await get(evil, { 'x-pad': 'b'.repeat(100 * 1024) });
results.manyHeaders = await get(evil, Object.fromEntries(Array.from({ length: 3000 }, (_, i) => ['x-h' + i, 'v'])));
results.badMethod = await raw('DELETE ' + evil + ' HTTP/1.1\r\nhost: attacker.example:' + port + '\r\nconnection: close\r\n\r\n');
results.garbage = await raw('\u0000\u0001 not http at all\r\n\r\n');

// Many connections at once: some send nothing, some half a request line, some complete stray requests.
const idle = [];
for (let i = 0; i < 150; i++) {
  const socket = connect({ host: '127.0.0.1', port });
  socket.on('error', () => undefined);
  if (i % 3 === 1) socket.write('GET /callback?code=slow');
  idle.push(socket);
}
const stray = await Promise.all(Array.from({ length: 150 }, (_, i) => get(i % 2 ? '/favicon.ico' : '/nothing-' + i)));
results.strayStatuses = [...new Set(stray)];

// Bound to 127.0.0.1 only: the same port on ::1 and on this machine's other addresses refuses.
const others = Object.values(networkInterfaces()).flat().filter((a) => a && !a.internal && a.family === 'IPv4').map((a) => a.address);
results.otherInterfaces = await Promise.all(others.map((address) => raw('GET / HTTP/1.0\r\n\r\n', address)));
results.ipv6Loopback = await raw('GET / HTTP/1.0\r\n\r\n', '::1');

writeFileSync(process.env.ABUSE_RESULTS, JSON.stringify(results));
// Now the genuine sign-in, while the idle connections are still open.
const child = spawn(process.execPath, ['test/support/browser.mjs', authorize.href], { stdio: 'inherit' });
child.on('exit', (code) => {
  for (const socket of idle) socket.destroy();
  process.exit(code ?? 1);
});
`;

// A local process that knows the port (not the state) tries to end the login before the browser comes
// back: wrong state, no state, an IdP-looking error without the state, empty and giant POSTs, and a
// burst. None of it may end the wait; the genuine response that follows is taken (exit 0).
const STRAY = String.raw`
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
const authorize = new URL(process.argv[process.argv.length - 1]);
const callback = authorize.searchParams.get('redirect_uri');
const statuses = [];
const hit = (query, init) => fetch(callback + query, init).then(async (r) => { statuses.push(r.status); return r.text(); }, (e) => { statuses.push(e.cause?.code ?? 'error'); return ''; });
const form = (body) => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
const pages = [];
pages.push(await hit('?code=stray-code&state=' + encodeURIComponent('wrong\u001b[31m-state')));
pages.push(await hit('?code=stray-code'));
pages.push(await hit('?error=access_denied&state=wrong'));
pages.push(await hit('?error=access_denied'));
pages.push(await hit('', { method: 'POST' }));
pages.push(await hit('', form('code=stray-code&state=wrong')));
await hit('', form('code=stray-code&pad=' + 'x'.repeat(1024 * 1024)));
await Promise.all(Array.from({ length: 40 }, (_, i) => hit('?code=c' + i + '&state=s' + i)));
writeFileSync(process.env.STRAY_RESULTS, JSON.stringify({ statuses, pages }));
const child = spawn(process.execPath, ['test/support/browser.mjs', authorize.href], { stdio: 'inherit' });
child.on('exit', (code) => process.exit(code ?? 1));
`;

// Every kind of request to /callback that is not the browser coming back, each carrying the real state
// where it has a place for it: other methods (CONNECT included), foreign or no Host, no state, a request
// too large for the HTTP parser, one whose target is no URL at all. Then requests to other paths, then the
// genuine sign-in.
const KINDS = String.raw`
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { writeFileSync } from 'node:fs';
const authorize = new URL(process.argv[process.argv.length - 1]);
const redirect = new URL(authorize.searchParams.get('redirect_uri'));
const port = Number(redirect.port);
const own = '127.0.0.1:' + port;
const target = '/callback?code=not-the-browser&state=' + encodeURIComponent(authorize.searchParams.get('state')) + '&iss=' + encodeURIComponent(authorize.origin);
function raw(text) {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let data = '';
    socket.setTimeout(10000, () => socket.destroy());
    socket.on('connect', () => socket.write(text));
    socket.on('data', (chunk) => (data += chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(/^HTTP\/1\.[01] (\d{3})/.exec(data)?.[1] ?? 'closed'));
  });
}
const request = (method, path, headers = {}, body = '') => raw(method + ' ' + path + ' HTTP/1.1\r\n' + Object.entries({ host: own, connection: 'close', ...(body ? { 'content-length': body.length } : {}), ...headers }).map(([k, v]) => k + ': ' + v + '\r\n').join('') + '\r\n' + body);
const seen = {};
for (const method of ['HEAD', 'OPTIONS', 'PUT', 'DELETE', 'PATCH', 'TRACE', 'PROPFIND']) seen[method] = await request(method, target, {}, method === 'PUT' || method === 'PATCH' ? 'code=x' : '');
seen.CONNECT = await raw('CONNECT ' + target + ' HTTP/1.1\r\nhost: ' + own + '\r\n\r\n');
seen.foreignHost = await request('GET', target, { host: 'attacker.example:' + port });
seen.noHost = await raw('GET ' + target + ' HTTP/1.0\r\n\r\n');
seen.noState = await request('GET', '/callback?code=not-the-browser');
seen.oversized = await request('GET', target + '&pad=' + 'a'.repeat(20 * 1024));
seen.noUrl = await request('GET', '//[');
seen.favicon = await request('GET', '/favicon.ico');
seen.otherPath = await request('DELETE', '/other' + target);
writeFileSync(process.env.KINDS_RESULTS, JSON.stringify(seen));
const child = spawn(process.execPath, ['test/support/browser.mjs', authorize.href], { stdio: 'inherit' });
child.on('exit', (code) => process.exit(code ?? 1));
`;

// Only strays come, then nothing: the browser command probes the callback and exits without signing in.
const PROBER = `
import { request } from 'node:http';
const authorize = new URL(process.argv[process.argv.length - 1]);
const redirect = new URL(authorize.searchParams.get('redirect_uri'));
const path = '/callback?code=x&state=' + encodeURIComponent(authorize.searchParams.get('state'));
const send = (method, host) => new Promise((resolve) => request({ host: '127.0.0.1', port: redirect.port, method, path, headers: { host } }, (res) => res.resume().on('end', resolve)).on('error', resolve).end());
await send('HEAD', redirect.host);
await send('GET', 'attacker.example:' + redirect.port);
`;

// Break 13: the browser command tells a flooder in the test process (which is not bound by the CLI's
// limit of open files) the port and the CLI's pid, waits until the flood is in place, then signs in.
const FLOODED = `
import { spawn } from 'node:child_process';
const url = process.argv[process.argv.length - 1];
await fetch(process.env.FLOOD_CONTROL, { method: 'POST', body: JSON.stringify({ url, pid: process.ppid }) });
const child = spawn(process.execPath, ['test/support/browser.mjs', url], { stdio: 'inherit' });
child.on('exit', (code) => process.exit(code ?? 1));
`;

let idp: Idp;
let dir: string;
let abuser: string;
let strayer: string;

beforeAll(async () => {
  idp = await startIdp();
  dir = await mkdtemp(join(tmpdir(), 'oidc-cli-loopback-'));
  abuser = join(dir, 'abuser.mjs');
  await writeFile(abuser, ABUSER);
  strayer = join(dir, 'strayer.mjs');
  await writeFile(strayer, STRAY);
  await writeFile(join(dir, 'kinds.mjs'), KINDS);
  await writeFile(join(dir, 'flooded.mjs'), FLOODED);
  await writeFile(join(dir, 'prober.mjs'), PROBER);
});
afterAll(async () => {
  await idp?.close();
  await rm(dir, { recursive: true, force: true });
});

type Check = { id: string; status: string; message: string };

describe('the loopback listener of a real login under abuse', () => {
  it('answers every abusive request without taking it, then takes the genuine callback (exit 0)', { timeout: 120_000 }, async () => {
    const resultsFile = join(dir, 'results.json');
    const result = await runCli(['login', '--issuer', idp.issuer, '--client-id', idp.clients.public.client_id, '--browser-command', `node ${abuser}`, '--timeout', '60', '--json'], {
      env: { ABUSE_RESULTS: resultsFile, XDG_CACHE_HOME: join(dir, 'cache'), XDG_CONFIG_HOME: join(dir, 'config'), BROWSER: undefined, OIDC_CLIENT_SECRET: undefined, OIDC_ISSUER: undefined, OIDC_CLIENT_ID: undefined },
      cwd: ROOT,
      timeoutMs: 100_000,
    });
    const seen = JSON.parse(await readFile(resultsFile, 'utf8')) as Record<string, unknown>;

    // The login went through with the IdP's code: the injected one was never redeemed.
    expect(result.code, `${result.stderr}\n${JSON.stringify(seen)}`).toBe(0);
    const doc = result.json<{ ok: boolean; checks: Check[] }>();
    expect(doc.ok).toBe(true);
    expect(doc.checks.find((c) => c.id === 'authorization.state')?.status).toBe('pass');
    expect(result.stderr).not.toContain('injected-by-attacker');

    // DNS rebinding: the right path and the real state under a foreign Host are refused (421), GET and POST.
    expect(seen.foreignHost).toBe('421');
    expect(seen.foreignHostNoPort).toBe('421');
    expect(seen.foreignHostPost).toBe('421');
    expect(['400', '421']).toContain(seen.noHost);
    expect(['421', '405']).toContain(seen.badMethod);
    // Other paths are not the callback.
    expect(seen.otherPath).toBe('404');
    expect(seen.traversal).toBe('404');
    // Oversized requests are refused by the HTTP parser before any handler runs (431, or a reset while
    // the rest of the request is still being written).
    const refused = ['414', '431', '400', 'ECONNRESET', 'EPIPE'];
    expect(refused).toContain(seen.hugeUrl);
    expect(refused).toContain(seen.hugeHeaders);
    expect(refused).toContain(seen.manyHeaders);
    expect(['400', 'closed', 'ECONNRESET']).toContain(seen.garbage);
    // 300 connections at once are over the listener's 128: the oldest are closed to make room (the idle
    // ones first, being older); every request that was read got its 404.
    expect(seen.strayStatuses).toContain('404');
    for (const status of seen.strayStatuses as string[]) expect(['404', 'closed', 'ECONNRESET']).toContain(status);
    // Loopback only: nothing listens on the machine's other addresses or on ::1.
    for (const outcome of seen.otherInterfaces as string[]) expect(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'timeout']).toContain(outcome);
    expect(['ECONNREFUSED', 'EADDRNOTAVAIL', 'EAFNOSUPPORT', 'ENETUNREACH']).toContain(seen.ipv6Loopback);
  });

  it('requests to /callback without the expected state do not end the login: 400, counted, reported; the real response is taken (exit 0)', { timeout: 120_000 }, async () => {
    const resultsFile = join(dir, 'stray.json');
    const result = await runCli(['login', '--issuer', idp.issuer, '--client-id', idp.clients.public.client_id, '--browser-command', `node ${strayer}`, '--timeout', '60', '--json'], {
      env: { STRAY_RESULTS: resultsFile, XDG_CACHE_HOME: join(dir, 'cache-stray'), XDG_CONFIG_HOME: join(dir, 'config'), BROWSER: undefined, OIDC_CLIENT_SECRET: undefined, OIDC_ISSUER: undefined, OIDC_CLIENT_ID: undefined },
      cwd: ROOT,
      timeoutMs: 100_000,
    });
    const seen = JSON.parse(await readFile(resultsFile, 'utf8')) as { statuses: Array<number | string>; pages: string[] };
    expect(result.code, `${result.stderr}\n${JSON.stringify(seen.statuses)}`).toBe(0);
    const doc = result.json<{ ok: boolean; checks: Check[]; tokens?: unknown; cache: { saved: boolean } }>();
    expect(doc.ok).toBe(true);
    expect(doc.tokens).toBeDefined();
    expect(doc.cache.saved).toBe(true);
    // Each stray request got an error page (the giant POST may be cut off instead), none a token.
    expect(seen.statuses.filter((s) => s === 400)).toHaveLength(46);
    expect([413, 400, 'ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE', 'error']).toContain(seen.statuses[6]);
    for (const page of seen.pages) {
      expect(page).toContain('not the authorization response');
      expect(page).not.toContain('stray-code');
      expect(page).not.toContain('wrong');
    }
    const stray = doc.checks.find((c) => c.id === 'authorization.stray_callbacks');
    expect(stray?.status).toBe('warn');
    expect(stray?.message).toMatch(/^47 requests to \/callback were not the authorization response and were refused: 46 without the state that was sent \(HTTP 400\), 1 with a body over 64 KiB \(HTTP 413\)/);
    expect(doc.checks.find((c) => c.id === 'authorization.state')?.status).toBe('pass');
    // The stray values never reach the terminal raw.
    expect(result.stderr).not.toContain('\u001b[31m');
    expect(result.stderr).not.toContain('stray-code');
    // The genuine response came first: the refused ones are not judged afterwards.
    expect(result.stderr).not.toContain('judging the last one');
  });

  it('a clean login reports no stray callback (pass, 0)', { timeout: 90_000 }, async () => {
    const result = await runCli(['login', '--issuer', idp.issuer, '--client-id', idp.clients.public.client_id, '--browser-command', 'node test/support/browser.mjs', '--timeout', '60', '--json'], {
      env: { XDG_CACHE_HOME: join(dir, 'cache-clean'), XDG_CONFIG_HOME: join(dir, 'config'), BROWSER: undefined, OIDC_CLIENT_SECRET: undefined, OIDC_ISSUER: undefined, OIDC_CLIENT_ID: undefined },
      cwd: ROOT,
      timeoutMs: 80_000,
    });
    expect(result.code, result.stderr).toBe(0);
    const stray = result.json<{ checks: Check[] }>().checks.find((c) => c.id === 'authorization.stray_callbacks');
    expect(stray).toMatchObject({ status: 'pass', message: 'no request to /callback other than the authorization response' });
  });

  it('every request to /callback that is not the response is answered, counted and reported, whatever its method, Host or shape; other paths are not counted (exit 0)', { timeout: 90_000 }, async () => {
    const resultsFile = join(dir, 'kinds.json');
    const result = await runCli(['login', '--issuer', idp.issuer, '--client-id', idp.clients.public.client_id, '--browser-command', `node ${join(dir, 'kinds.mjs')}`, '--timeout', '60', '--json'], {
      env: { KINDS_RESULTS: resultsFile, XDG_CACHE_HOME: join(dir, 'cache-kinds'), XDG_CONFIG_HOME: join(dir, 'config'), BROWSER: undefined, OIDC_CLIENT_SECRET: undefined, OIDC_ISSUER: undefined, OIDC_CLIENT_ID: undefined },
      cwd: ROOT,
      timeoutMs: 80_000,
    });
    expect(result.code, result.stderr).toBe(0);
    const seen = JSON.parse(await readFile(resultsFile, 'utf8')) as Record<string, string>;
    expect(seen).toEqual({
      HEAD: '405', OPTIONS: '405', PUT: '405', DELETE: '405', PATCH: '405', TRACE: '405', PROPFIND: '405', CONNECT: '405',
      foreignHost: '421', noHost: '421', noState: '400', oversized: '431', noUrl: '400', favicon: '404', otherPath: '404',
    });
    const doc = result.json<{ ok: boolean; checks: Check[] }>();
    expect(doc.ok).toBe(true);
    expect(doc.checks.find((c) => c.id === 'authorization.state')?.status).toBe('pass');
    expect(doc.checks.find((c) => c.id === 'authorization.stray_callbacks')).toMatchObject({
      status: 'warn',
      message: expect.stringMatching(/^13 requests to \/callback were not the authorization response and were refused: 1 without the state that was sent \(HTTP 400\), 8 with a method other than GET or POST \(HTTP 405\), 2 addressed to a host other than the listener's own \(HTTP 421\), 2 the listener could not read \(HTTP 400 or 431\)/),
    });
    expect(result.stderr).not.toContain('not-the-browser');
  });

  it('when only stray requests came, --timeout ends the login (exit 4) with a line that names them', { timeout: 60_000 }, async () => {
    const result = await runCli(['login', '--issuer', idp.issuer, '--client-id', idp.clients.public.client_id, '--browser-command', `node ${join(dir, 'prober.mjs')}`, '--timeout', '2'], {
      env: { XDG_CACHE_HOME: join(dir, 'cache-prober'), XDG_CONFIG_HOME: join(dir, 'config'), BROWSER: undefined, OIDC_CLIENT_SECRET: undefined, OIDC_ISSUER: undefined, OIDC_CLIENT_ID: undefined },
      cwd: ROOT,
      timeoutMs: 40_000,
    });
    expect(result.code, result.stderr).toBe(4);
    expect(result.stderr).toContain(
      "oidc-cli: timed out after 2s waiting for the authorization response; 2 requests to /callback were not the authorization response and were refused: 1 with a method other than GET or POST (HTTP 405), 1 addressed to a host other than the listener's own (HTTP 421)",
    );
    expect(result.stderr).toContain('another local process is probing the redirect URI');
    expect(result.stderr).not.toContain('state unchanged');
  });

  // Break 13: with no cap and no idle reaping, 1100 idle connections used up the CLI's 1024 open files;
  // the browser's connection was then accepted and dropped at once, and the login ended with exit 4.
  it('a flood of 1100 idle and half-sent connections, reopened as soon as they are closed, under a limit of 1024 open files: the listener holds at most 128 and the browser gets through (exit 0)', { timeout: 120_000 }, async () => {
    let attack: Flood | undefined;
    let pid = 0;
    let before = 0;
    let most = 0;
    const sample = setInterval(() => {
      const files = pid ? openFiles(pid) : undefined;
      if (files !== undefined) most = Math.max(most, files);
    }, 20);
    const control = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk));
      req.on('end', async () => {
        const told = JSON.parse(body) as { url: string; pid: number };
        pid = told.pid;
        before = openFiles(pid) ?? 0;
        const port = Number(new URL(new URL(told.url).searchParams.get('redirect_uri')!).port);
        attack = flood(port, { connections: 1100, reopen: 20_000 });
        await attack.established;
        res.end();
      });
    });
    await new Promise<void>((resolve) => control.listen(0, '127.0.0.1', resolve));
    try {
      const result = await runCli(['login', '--issuer', idp.issuer, '--client-id', idp.clients.public.client_id, '--browser-command', `node ${join(dir, 'flooded.mjs')}`, '--timeout', '40', '--json'], {
        env: { FLOOD_CONTROL: `http://127.0.0.1:${(control.address() as AddressInfo).port}/`, XDG_CACHE_HOME: join(dir, 'cache-flood'), XDG_CONFIG_HOME: join(dir, 'config'), BROWSER: undefined, OIDC_CLIENT_SECRET: undefined, OIDC_ISSUER: undefined, OIDC_CLIENT_ID: undefined },
        cwd: ROOT,
        timeoutMs: 100_000,
        nofile: 1024,
      });
      const closed = attack?.closed() ?? 0;
      attack?.stop();
      expect(result.code, `${result.stderr}\nopen files: ${before} before the flood, at most ${most}; ${closed} flood connections closed`).toBe(0);
      const doc = result.json<{ ok: boolean; checks: Check[] }>();
      expect(doc.ok).toBe(true);
      expect(doc.checks.find((c) => c.id === 'authorization.state')?.status).toBe('pass');
      // The listener held at most 128 of the flood's connections (one more while it closes the oldest, and a
      // few files for the token request).
      expect(most - before).toBeLessThanOrEqual(128 + 8);
      expect(closed).toBeGreaterThan(1100 - 128);
      // Connections that never sent a request are not stray callbacks, but the flood is told.
      expect(doc.checks.find((c) => c.id === 'authorization.stray_callbacks')?.status).toBe('pass');
      expect(result.stderr).toMatch(/more than 128 connections to the listener at once/);
    } finally {
      attack?.stop();
      clearInterval(sample);
      control.close();
    }
  });
});
