// Proxy and loopback agree: every host the tool treats as loopback (127.0.0.0/8, ::1 in any spelling,
// localhost, *.localhost) is reached directly even with HTTP(S)_PROXY set, and *.localhost resolves to
// loopback without asking DNS (RFC 6761 §6.3). The proxy below records whatever reaches it and refuses.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasStackTrace, runCli } from '../support/cli.js';
import { startBadIdp, type BadIdp } from '../support/bad-idp.js';

let proxy: Server;
let proxyUrl: string;
const seen: string[] = [];
const started: BadIdp[] = [];

beforeAll(async () => {
  proxy = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    res.writeHead(502).end();
  });
  proxy.on('connect', (req: IncomingMessage, socket: Socket) => {
    seen.push(`CONNECT ${req.url}`);
    socket.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await Promise.all(started.map((idp) => idp.close()));
  await new Promise<void>((resolve) => proxy.close(() => resolve()));
});

async function idpOn(listen: string, hostname?: string): Promise<BadIdp | undefined> {
  try {
    const idp = await startBadIdp({ listen, ...(hostname ? { hostname } : {}) });
    started.push(idp);
    return idp;
  } catch {
    return undefined;
  }
}

const discover = (issuer: string) =>
  runCli(['discover', '--issuer', issuer, '--json'], {
    env: { HTTPS_PROXY: proxyUrl, HTTP_PROXY: proxyUrl, https_proxy: undefined, http_proxy: undefined, NO_PROXY: undefined, no_proxy: undefined, OIDC_ISSUER: undefined },
  });

describe('loopback never goes through HTTP(S)_PROXY', () => {
  const cases: Array<[string, string, string | undefined]> = [
    ['127.0.0.2 (all of 127.0.0.0/8 is loopback)', '127.0.0.2', undefined],
    ['127.255.0.1', '127.255.0.1', undefined],
    ['foo.localhost (resolved to loopback without DNS, RFC 6761 §6.3)', '127.0.0.1', 'foo.localhost'],
    ['a.b.LOCALHOST. (any case, trailing dot)', '127.0.0.1', 'a.b.LOCALHOST.'],
    ['localhost', '127.0.0.1', 'localhost'],
    ['[::1]', '::1', undefined],
    ['[0:0:0:0:0:0:0:1] (::1 spelled out)', '::1', '[0:0:0:0:0:0:0:1]'],
  ];
  it.each(cases)('%s: discover goes direct (exit 0) and the proxy sees nothing', async (_name, listen, hostname, ctx) => {
    const idp = await idpOn(listen, hostname);
    if (!idp) return ctx.skip(`cannot listen on ${listen} on this machine`);
    seen.length = 0;
    const result = await discover(idp.issuer);
    expect(hasStackTrace(result.stderr)).toBe(false);
    expect(result.code, result.stderr).toBe(0);
    expect(result.json<{ metadata: { issuer: string } }>().metadata.issuer).toBe(idp.issuer);
    expect(seen).toEqual([]);
    expect(idp.requests.length).toBeGreaterThan(0);
  });

  it('a host that is not loopback still goes through the proxy (the bypass is not everything)', async () => {
    seen.length = 0;
    const result = await discover('https://idp.proxied.test');
    expect(result.code, result.stderr).toBe(3);
    expect(seen).toEqual(['CONNECT idp.proxied.test:443']);
  });
});

describe('a proxy that accepts the connection and never answers CONNECT', () => {
  it('login, discover and check end at --timeout (exit 4 for the login, 3 for the others), never hang on the stuck tunnel', async () => {
    const silent = createNetServer((socket) => {
      socket.on('data', () => undefined);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    const env = { HTTPS_PROXY: url, https_proxy: undefined, NO_PROXY: undefined, no_proxy: undefined, OIDC_ISSUER: undefined };
    try {
      for (const [args, code] of [[['login', '--client-id', 'x', '--no-browser'], 4], [['discover'], 3], [['check', '--client-id', 'x'], 3]] as const) {
        const started = Date.now();
        const result = await runCli([...args, '--issuer', 'https://idp.proxied.test', '--timeout', '2'], { env, timeoutMs: 20_000 });
        expect([args[0], result.code], result.stderr).toEqual([args[0], code]);
        expect(Date.now() - started, args[0]).toBeLessThan(12_000);
        expect(hasStackTrace(result.stderr)).toBe(false);
      }
    } finally {
      silent.close();
    }
  }, 60_000);
});
