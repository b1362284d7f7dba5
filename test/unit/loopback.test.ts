import { request } from 'node:http';
import { connect, createServer } from 'node:net';
import { networkInterfaces } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { jarmState } from '../../src/core/jarm.js';
import { startLoopback, type Loopback } from '../../src/core/loopback.js';
import { CliError } from '../../src/errors.js';

let open: Loopback[] = [];
afterEach(async () => {
  await Promise.all(open.map((l) => l.close()));
  open = [];
});

async function listen(options: Partial<Parameters<typeof startLoopback>[0]> = {}) {
  const loopback = await startLoopback({ host: '127.0.0.1', port: 0, path: '/callback', ...options });
  open.push(loopback);
  return loopback;
}

/** Resolves true when a TCP connection to host:port is accepted. */
function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 2000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** A raw connection to the listener that writes `text` (if any) and reports what came back and when it closed. */
function dial(port: number, text?: string) {
  const socket = connect({ host: '127.0.0.1', port });
  let data = '';
  socket.on('error', () => undefined);
  socket.on('data', (chunk) => (data += chunk));
  if (text !== undefined) socket.on('connect', () => socket.write(text));
  const connected = new Promise<void>((resolve) => {
    socket.once('connect', () => resolve());
    socket.once('close', () => resolve());
  });
  const closed = new Promise<string>((resolve) => socket.once('close', () => resolve(/^HTTP\/1\.[01] (\d{3})/.exec(data)?.[1] ?? 'closed')));
  return { socket, connected, closed, isClosed: () => socket.destroyed || socket.closed, data: () => data };
}

/** One raw request on its own connection: the status code, or "closed" when none came back. */
const exchange = (port: number, text: string) => dial(port, text).closed;

const external = Object.values(networkInterfaces()).flat().find((i) => i && !i.internal && i.family === 'IPv4')?.address;

describe('the loopback listener (RFC 8252 §7.3)', () => {
  it('is reachable on 127.0.0.1 and uses a random port by default', async () => {
    const loopback = await listen();
    expect(loopback.redirect_uri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    expect(loopback.port).toBeGreaterThan(0);
    expect(await reachable('127.0.0.1', loopback.port)).toBe(true);
  });

  it('is not reachable on this machine\'s non-loopback address', async (ctx) => {
    if (!external) return ctx.skip('this machine has no non-loopback IPv4 address to try');
    const loopback = await listen();
    expect(await reachable('127.0.0.1', loopback.port)).toBe(true);
    expect(await reachable(external, loopback.port)).toBe(false);
  });

  it('answers stray requests with 404, takes exactly one response, and shows a page with no secret', async () => {
    const loopback = await listen();
    const waiting = loopback.waitForCallback(new AbortController().signal);
    const base = `http://127.0.0.1:${loopback.port}`;
    expect((await fetch(`${base}/favicon.ico`)).status).toBe(404);
    expect((await fetch(`${base}/other?code=x&state=y`)).status).toBe(404);
    const pageLoad = fetch(`${base}/callback?code=secret-code-123&state=s1`);
    const callback = await waiting;
    expect(callback).toMatchObject({ via: 'query', params: [['code', 'secret-code-123'], ['state', 's1']] });
    callback.reply({ ok: true, title: 'Signed in', message: 'Done <b>here</b>' });
    const page = await pageLoad;
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(html).toContain('Signed in');
    expect(html).toContain('Done &#60;b&#62;here&#60;/b&#62;');
    expect(html).not.toContain('secret-code-123');
    const second = await fetch(`${base}/callback?code=again&state=s1`).then((r) => r.status, () => 'closed');
    expect([404, 'closed']).toContain(second);
  });

  it('takes response_mode=form_post as a POST, and relays a fragment through its page', async () => {
    const post = await listen();
    const waitingPost = post.waitForCallback(new AbortController().signal);
    void fetch(`http://127.0.0.1:${post.port}/callback`, { method: 'POST', body: new URLSearchParams({ code: 'c', state: 's' }) }).catch(() => undefined);
    const posted = await waitingPost;
    expect(posted).toMatchObject({ via: 'form_post', params: [['code', 'c'], ['state', 's']] });
    posted.reply({ ok: true, title: 't', message: 'm' });

    const fragment = await listen();
    const waitingFragment = fragment.waitForCallback(new AbortController().signal);
    const relay = await fetch(`http://127.0.0.1:${fragment.port}/callback`);
    expect(await relay.text()).toContain('location.hash');
    void fetch(`http://127.0.0.1:${fragment.port}/callback`, { method: 'POST', body: new URLSearchParams({ oidc_cli_fragment: 'code=c&state=s' }) }).catch(() => undefined);
    const relayed = await waitingFragment;
    expect(relayed).toMatchObject({ via: 'fragment', params: [['code', 'c'], ['state', 's']] });
    relayed.reply({ ok: false, title: 't', message: 'm' });
  });

  it('a port already in use is a usage error (exit 2) naming the port', async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as { port: number }).port;
    try {
      const error = await listen({ port }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CliError);
      expect((error as CliError).exitCode).toBe(2);
      expect((error as CliError).message).toBe(`cannot listen on 127.0.0.1:${port}: the port is already in use`);
    } finally {
      busy.close();
    }
  });

  it('refuses requests addressed to another host name (DNS rebinding) without taking them as the response', async () => {
    const loopback = await listen();
    const waiting = loopback.waitForCallback(new AbortController().signal);
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: loopback.port, path: '/callback?code=forged&state=s', headers: { host: `evil.example:${loopback.port}` } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(421);
    void fetch(`http://127.0.0.1:${loopback.port}/callback?code=real&state=s`).catch(() => undefined);
    const callback = await waiting;
    expect(callback.params).toEqual([['code', 'real'], ['state', 's']]);
    callback.reply({ ok: true, title: 't', message: 'm' });
  });

  it('with a state, refuses and counts every response without it (400), then takes the one that has it', async () => {
    const seen: number[] = [];
    const loopback = await listen({ state: 'the-state', onStray: (count) => seen.push(count) });
    const waiting = loopback.waitForCallback(new AbortController().signal);
    const base = `http://127.0.0.1:${loopback.port}/callback`;
    expect((await fetch(`${base}?code=x&state=other`)).status).toBe(400);
    expect((await fetch(`${base}?error=access_denied`)).status).toBe(400);
    expect((await fetch(base, { method: 'POST' })).status).toBe(400);
    expect((await fetch(base, { method: 'POST', body: new URLSearchParams({ code: 'x', state: 'the-statf' }) })).status).toBe(400);
    const big = await fetch(base, { method: 'POST', body: 'a'.repeat(200 * 1024) }).then((r) => r.status, () => 'reset');
    expect([413, 'reset']).toContain(big);
    expect(loopback.strayCount()).toBe(5);
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    const pageLoad = fetch(`${base}?error=access_denied&state=the-state`);
    const callback = await waiting;
    expect(callback.params).toEqual([['error', 'access_denied'], ['state', 'the-state']]);
    callback.reply({ ok: false, title: 'Refused', message: 'm' });
    expect((await pageLoad).status).toBe(400);
    expect(loopback.strayCount()).toBe(5);
  });

  it('JARM: takes the response whose state is inside the response JWT; one with another state, a bare state beside it, or garbage is counted, not taken', async () => {
    const jwt = (claims: Record<string, unknown>) => `${Buffer.from('{"alg":"RS256"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.c2ln`;
    const loopback = await listen({ state: 'the-state', stateOf: jarmState });
    const waiting = loopback.waitForCallback(new AbortController().signal);
    const base = `http://127.0.0.1:${loopback.port}/callback`;
    expect((await fetch(`${base}?response=${jwt({ state: 'other', code: 'x' })}`)).status).toBe(400);
    // The JWT's own state wins over a plain one put beside it.
    expect((await fetch(`${base}?response=${jwt({ state: 'other' })}&state=the-state`)).status).toBe(400);
    expect((await fetch(`${base}?response=not-a-jwt`)).status).toBe(400);
    expect((await fetch(base, { method: 'POST', body: new URLSearchParams({ response: jwt({ code: 'x' }) }) })).status).toBe(400);
    expect(loopback.strays()).toMatchObject({ state: 4 });
    const response = jwt({ state: 'the-state', code: 'x' });
    const pageLoad = fetch(base, { method: 'POST', body: new URLSearchParams({ response }) });
    const callback = await waiting;
    expect(callback).toMatchObject({ via: 'form_post', params: [['response', response]] });
    callback.reply({ ok: true, title: 'Done', message: 'm' });
    expect((await pageLoad).status).toBe(200);
    expect(loopback.strayCount()).toBe(4);
  });

  it('counts every request to the path that is not the response, by kind, whatever its method, Host or shape; other paths are answered and not counted', async () => {
    const loopback = await listen({ state: 'the-state' });
    const waiting = loopback.waitForCallback(new AbortController().signal);
    const own = `127.0.0.1:${loopback.port}`;
    const target = '/callback?code=c&state=the-state';
    const request = (method: string, path: string, host = own, body = '') => exchange(loopback.port, `${method} ${path} HTTP/1.1\r\nhost: ${host}\r\nconnection: close\r\n${body ? `content-length: ${body.length}\r\n` : ''}\r\n${body}`);
    expect(await request('HEAD', target)).toBe('405');
    expect(await request('PUT', target, own, 'code=c&state=the-state')).toBe('405');
    expect(await request('OPTIONS', target)).toBe('405');
    expect(await exchange(loopback.port, `CONNECT ${target} HTTP/1.1\r\nhost: ${own}\r\n\r\n`)).toBe('405');
    expect(await request('GET', target, `evil.example:${loopback.port}`)).toBe('421');
    expect(await exchange(loopback.port, `GET ${target} HTTP/1.1\r\nconnection: close\r\n\r\n`)).toBe('421');
    expect(await request('GET', '/callback?code=c')).toBe('400');
    // The body over 64 KiB may be cut off before the 413 is read.
    expect(['413', 'closed']).toContain(await request('POST', '/callback', own, 'x'.repeat(70 * 1024)));
    expect(await request('GET', `${target}&pad=${'a'.repeat(20 * 1024)}`)).toBe('431');
    expect(await request('GET', '//[')).toBe('400');
    expect(await exchange(loopback.port, '\u0000\u0001 not http\r\n\r\n')).toBe('400');
    // Not the callback path: answered, not counted (a browser asks for /favicon.ico on its own).
    expect(await request('GET', '/favicon.ico')).toBe('404');
    expect(await request('DELETE', '/other', `evil.example:${loopback.port}`)).toBe('421');
    expect(loopback.strays()).toEqual({ state: 1, body: 1, method: 4, host: 2, unreadable: 3, late: 0 });
    expect(loopback.strayCount()).toBe(11);
    // None of them was taken: the real response still is, and what comes after it is counted too.
    void fetch(`http://${own}${target}`).catch(() => undefined);
    const callback = await waiting;
    expect(callback.params).toEqual([['code', 'c'], ['state', 'the-state']]);
    callback.reply({ ok: true, title: 't', message: 'm' });
    expect(await request('GET', target)).toBe('404');
    expect(loopback.strays().late).toBe(1);
  });

  it('closes a connection that sends nothing, half a request (however slowly), or half a body, within its time limits', { timeout: 10_000 }, async () => {
    const loopback = await listen({ state: 's', limits: { headersTimeoutMs: 200, requestTimeoutMs: 400 } });
    const started = Date.now();
    const idle = dial(loopback.port);
    const half = dial(loopback.port, `GET /callback?code=x&state=s HTTP/1.1\r\nhost: 127.0.0.1:${loopback.port}\r\n`);
    const drip = setInterval(() => half.isClosed() || half.socket.write('x-drip: 1\r\n'), 50);
    const body = dial(loopback.port, `POST /callback HTTP/1.1\r\nhost: 127.0.0.1:${loopback.port}\r\ncontent-length: 100\r\n\r\nstate=s`);
    try {
      await Promise.all([idle.closed, half.closed, body.closed]);
    } finally {
      clearInterval(drip);
    }
    expect(Date.now() - started).toBeLessThan(3000);
    // None of them was a response; the listener still takes the real one.
    const waiting = loopback.waitForCallback(new AbortController().signal);
    void fetch(`http://127.0.0.1:${loopback.port}/callback?code=real&state=s`).catch(() => undefined);
    (await waiting).reply({ ok: true, title: 't', message: 'm' });
  });

  it('holds at most maxConnections: a flood of idle connections loses its oldest, and the browser still gets in', { timeout: 10_000 }, async () => {
    const floods: number[] = [];
    const loopback = await listen({ state: 's', limits: { maxConnections: 16 }, onFlood: (limit) => floods.push(limit) });
    const waiting = loopback.waitForCallback(new AbortController().signal);
    const idle = Array.from({ length: 200 }, () => dial(loopback.port));
    await Promise.all(idle.map((c) => c.connected));
    await Promise.all(idle.slice(0, 200 - 16).map((c) => c.closed));
    expect(idle.filter((c) => !c.isClosed()).length).toBeLessThanOrEqual(16);
    expect(floods).toEqual([16]);
    const pageLoad = fetch(`http://127.0.0.1:${loopback.port}/callback?code=real&state=s`);
    const callback = await waiting;
    callback.reply({ ok: true, title: 't', message: 'm' });
    expect((await pageLoad).status).toBe(200);
    for (const c of idle) c.socket.destroy();
  });

  it('the browser gets in when its connection arrives in the middle of a burst of idle ones (a cap that refused new connections would lock it out)', { timeout: 10_000 }, async () => {
    const loopback = await listen({ state: 's', limits: { maxConnections: 16 } });
    const waiting = loopback.waitForCallback(new AbortController().signal);
    const before = Array.from({ length: 300 }, () => dial(loopback.port));
    const browser = dial(loopback.port, `GET /callback?code=real&state=s HTTP/1.1\r\nhost: 127.0.0.1:${loopback.port}\r\n\r\n`);
    const after = Array.from({ length: 300 }, () => dial(loopback.port));
    const callback = await waiting;
    callback.reply({ ok: true, title: 't', message: 'm' });
    expect(await browser.closed).toBe('200');
    for (const c of [...before, ...after]) c.socket.destroy();
  });

  it('a request that trickles in holds no place either: slow bodies filling the cap do not lock the browser out', { timeout: 10_000 }, async () => {
    const loopback = await listen({ state: 's', limits: { maxConnections: 4 } });
    const waiting = loopback.waitForCallback(new AbortController().signal);
    const slow = await Promise.all(
      Array.from({ length: 4 }, async () => {
        const posting = dial(loopback.port, `POST /callback HTTP/1.1\r\nhost: 127.0.0.1:${loopback.port}\r\nexpect: 100-continue\r\ncontent-length: 1000\r\n\r\nstate=`);
        // "100 Continue": the listener has the headers and is reading the body, which never comes.
        await new Promise<void>((resolve) => posting.socket.on('data', () => posting.data().includes('100 Continue') && resolve()));
        return posting;
      }),
    );
    const pageLoad = fetch(`http://127.0.0.1:${loopback.port}/callback?code=real&state=s`);
    const callback = await waiting;
    callback.reply({ ok: true, title: 't', message: 'm' });
    expect((await pageLoad).status).toBe(200);
    // The oldest of them made room.
    await slow[0]!.closed;
    for (const c of slow) c.socket.destroy();
  });

  it('stops waiting when the signal aborts (timeout, Ctrl-C)', async () => {
    const loopback = await listen();
    const controller = new AbortController();
    const waiting = loopback.waitForCallback(controller.signal);
    controller.abort(new Error('gave up'));
    await expect(waiting).rejects.toThrow('gave up');
  });

  it('keeps "localhost" in redirect_uri when asked, while binding 127.0.0.1', async () => {
    const loopback = await listen({ redirectHost: 'localhost' });
    expect(loopback.redirect_uri).toBe(`http://localhost:${loopback.port}/callback`);
    expect(loopback.host).toBe('127.0.0.1');
  });

  it('binds [::1] with --listen-ipv6', async (ctx) => {
    const loopback = await listen({ host: '::1' }).catch(() => undefined);
    if (!loopback) return ctx.skip('IPv6 loopback is not available on this machine');
    expect(loopback.redirect_uri).toMatch(/^http:\/\/\[::1\]:\d+\/callback$/);
    expect(await reachable('::1', loopback.port)).toBe(true);
    // Not bound on 127.0.0.1: a request there never reaches this listener. (Another process of the test
    // run may hold the same port number on IPv4, so "refused" would be a race; "not ours" is not.)
    const before = loopback.strayCount();
    await fetch(`http://127.0.0.1:${loopback.port}/callback?state=probe`, { signal: AbortSignal.timeout(2000) }).catch(() => undefined);
    expect(loopback.strayCount()).toBe(before);
  });
});
