import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliError } from '../../../src/errors.js';
import { createHttpClient } from '../../../src/http/client.js';
import type { HttpClientOptions } from '../../../src/http/types.js';
import { makeCertificate, type TestCertificate } from '../../support/tls.js';

const ECHOED = 'QZK-echoed-secret-value-123456';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

async function listen(handler: Handler, tls?: { key: string; cert: string }): Promise<{ server: Server; origin: string; sockets: Set<Socket> }> {
  const wrapped = (req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => handler(req, res, body));
  };
  const server = tls ? createHttpsServer(tls, wrapped) : createServer(wrapped);
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `${tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`, sockets };
}

async function stop(s: { server: Server; sockets: Set<Socket> }): Promise<void> {
  for (const socket of s.sockets) socket.destroy();
  await new Promise<void>((resolve) => s.server.close(() => resolve()));
}

function client(overrides: Partial<HttpClientOptions> = {}) {
  const traces: string[] = [];
  const warnings: string[] = [];
  const http = createHttpClient({
    timeoutMs: 5_000, caFile: undefined, insecure: false, verbose: 0, showTokens: false,
    trace: (line) => traces.push(line), warn: (line) => warnings.push(line), env: {}, ...overrides,
  });
  return { http, traces, warnings };
}

async function failure(promise: Promise<unknown>): Promise<CliError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  if (!(error instanceof CliError)) throw new Error(`expected a CliError, got ${String(error)}`);
  return error;
}

const state = { bigAborted: false, seenHeaders: {} as Record<string, string | string[] | undefined> };
let plain: Awaited<ReturnType<typeof listen>>;

beforeAll(async () => {
  plain = await listen((req, res, body) => {
    state.seenHeaders = req.headers;
    switch (req.url) {
      case '/json':
        res.writeHead(200, { 'content-type': 'application/json', date: 'Tue, 01 Jan 2030 00:00:00 GMT' });
        return void res.end('{"ok":true}');
      case '/redirect':
        res.writeHead(302, { location: '/json' });
        return void res.end();
      case '/echo-cut':
        // A debug page quoting a secret across the 80th character, where the error hint cuts the body.
        res.writeHead(200, { 'content-type': 'text/plain' });
        return void res.end(`${'x'.repeat(65)} secret=${ECHOED}`);
      case '/html':
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        return void res.end('<!doctype html><title>Login</title>');
      case '/big': {
        state.bigAborted = false;
        res.writeHead(200, { 'content-type': 'application/json' });
        let sent = 0;
        res.on('close', () => (state.bigAborted = !res.writableFinished));
        const pump = () => {
          while (sent < 64 && !res.destroyed) {
            sent += 1;
            if (!res.write(Buffer.alloc(64 * 1024, 0x20))) return void res.once('drain', pump);
          }
          if (!res.destroyed) res.end();
        };
        return pump();
      }
      case '/big-declared':
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(5 * 1024 * 1024) });
        return void res.write('{');
      case '/gzip': {
        // A small compressed body that would inflate to 8 MiB: we never ask for or decode it.
        const packed = gzipSync(Buffer.from(JSON.stringify({ pad: ' '.repeat(8 * 1024 * 1024) })));
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': String(packed.length) });
        return void res.end(packed);
      }
      case '/hang':
        return; // never answers
      case '/stall':
        res.writeHead(200, { 'content-type': 'application/json' });
        return void res.write('{"a":');
      case '/token':
        res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': 'sid=cookie-value-123456; HttpOnly' });
        return void res.end(JSON.stringify({ access_token: 'returned-access-token-abcdef', token_type: 'Bearer', echo: body }));
      default:
        res.writeHead(404);
        res.end();
    }
  });
});
afterAll(async () => stop(plain));

describe('responses', () => {
  it('returns status, lower-case headers, the Date header and the JSON body', async () => {
    const { http } = client();
    const res = await http.request({ url: `${plain.origin}/json` });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.date?.toISOString()).toBe('2030-01-01T00:00:00.000Z');
    expect(res.json()).toEqual({ ok: true });
    expect(state.seenHeaders['accept-encoding']).toBe('identity');
    await http.close();
  });

  it('reports a redirect with its location and does not follow it', async () => {
    const { http } = client();
    const res = await http.request({ url: `${plain.origin}/redirect` });
    expect(res.status).toBe(302);
    expect(res.location).toBe('/json');
    await http.close();
  });

  it('json() on HTML fails with PROTOCOL quoting status and content type', async () => {
    const { http } = client();
    const res = await http.request({ url: `${plain.origin}/html` });
    const error = (() => {
      try {
        res.json();
      } catch (e) {
        return e as CliError;
      }
      throw new Error('json() did not throw');
    })();
    expect(error.code).toBe('PROTOCOL');
    expect(error.message).toBe(`${plain.origin}/html answered 200 with text/html, not JSON`);
    expect(error.hint).toContain('<!doctype html>');
    await http.close();
  });

  it('the body quoted in the hint is masked before it is cut, so no first characters of a secret leak', async () => {
    const { http } = client();
    http.addSecret(ECHOED);
    const res = await http.request({ url: `${plain.origin}/echo-cut` });
    const error = (() => {
      try {
        res.json();
      } catch (e) {
        return e as CliError;
      }
      throw new Error('json() did not throw');
    })();
    expect(error.hint).toContain('secret=[');
    expect(error.hint).not.toContain(ECHOED.slice(0, 3));
    await http.close();
  });
});

describe('size cap', () => {
  it('stops reading a streamed body as soon as it passes the cap', async () => {
    const { http } = client();
    const error = await failure(http.request({ url: `${plain.origin}/big`, maxBytes: 256 * 1024 }));
    expect(error.code).toBe('PROTOCOL');
    expect(error.message).toContain('larger than the 256 KiB limit');
    // The server had 4 MiB to send and was cut off: the client did not buffer it all first.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(state.bigAborted).toBe(true);
    await http.close();
  });

  it('refuses a declared Content-Length over the cap without reading', async () => {
    const { http } = client();
    const error = await failure(http.request({ url: `${plain.origin}/big-declared` }));
    expect(error.message).toContain('larger than the 1 MiB limit (Content-Length 5242880)');
    await http.close();
  });

  it('never inflates a compressed body (the JSON parse fails instead)', async () => {
    const { http } = client();
    const res = await http.request({ url: `${plain.origin}/gzip` });
    expect(res.body.length).toBeLessThan(64 * 1024);
    expect(() => res.json()).toThrow(CliError);
    await http.close();
  });
});

describe('timeouts say which phase', () => {
  it('headers', async () => {
    const { http } = client({ timeoutMs: 300 });
    const error = await failure(http.request({ url: `${plain.origin}/hang` }));
    expect(error.code).toBe('TIMEOUT');
    expect(error.message).toMatch(/timed out after 300ms waiting for the (response headers|complete response) from 127\.0\.0\.1/);
    await http.close();
  });

  it('body', async () => {
    const { http } = client({ timeoutMs: 300 });
    const error = await failure(http.request({ url: `${plain.origin}/stall` }));
    expect(error.code).toBe('TIMEOUT');
    expect(error.message).toContain('waiting for the rest of the response body');
    await http.close();
  });
});

describe('transport errors', () => {
  it('connection refused is NETWORK with the host', async () => {
    const closed = await listen(() => undefined);
    const origin = closed.origin;
    await stop(closed);
    const { http } = client();
    const error = await failure(http.request({ url: `${origin}/x` }));
    expect(error.code).toBe('NETWORK');
    expect(error.message).toBe(`connection refused by ${origin.replace('http://', '')}`);
    await http.close();
  });

  it('an unknown host is NETWORK "could not resolve host"', async () => {
    const { http } = client();
    const error = await failure(http.request({ url: 'https://no-such-host.invalid/.well-known/openid-configuration' }));
    expect(error.code).toBe('NETWORK');
    expect(error.message).toBe('could not resolve host no-such-host.invalid');
    await http.close();
  });
});

describe('plain http', () => {
  it('is refused off loopback with a usage error and a hint, before any connection', async () => {
    const { http } = client();
    const error = await failure(http.request({ url: 'http://idp.example.com/.well-known/openid-configuration' }));
    expect(error.code).toBe('USAGE');
    expect(error.message).toContain('refusing plain http to idp.example.com');
    expect(error.hint).toContain('--insecure');
    await http.close();
  });

  it('is allowed with --insecure, which warns once', async () => {
    const { http, warnings } = client({ insecure: true });
    const error = await failure(http.request({ url: 'http://no-such-host.invalid/' }));
    expect(error.code).toBe('NETWORK');
    await http.request({ url: `${plain.origin}/json` });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('--insecure');
    await http.close();
  });
});

describe('trace', () => {
  it('-vv shows lines, headers and bodies with every secret masked', async () => {
    const { http, traces } = client({ verbose: 2 });
    http.addSecret('registered-secret-value');
    const form = new URLSearchParams({ grant_type: 'authorization_code', code: 'the-auth-code-123456', code_verifier: 'verifier-abcdefghijklmnop', client_secret: 'client-secret-value', note: 'registered-secret-value' });
    await http.request({ url: `${plain.origin}/token`, body: form, headers: { Authorization: `Basic ${Buffer.from('client:client-secret-value').toString('base64')}` }, secrets: ['per-request-secret'] });
    // The returned token, later sent in a query string, stays masked too.
    await http.request({ url: `${plain.origin}/json?access_token=returned-access-token-abcdef&x=per-request-secret` });
    const text = traces.join('\n');
    expect(text).toContain(`> POST ${plain.origin}/token`);
    expect(text).toContain('> authorization: Basic [redacted]');
    expect(text).toContain('< HTTP 200 OK');
    expect(text).toContain('< set-cookie: [redacted]');
    expect(text).toContain('code=[redacted]');
    for (const secret of ['the-auth-code-123456', 'verifier-abcdefghijklmnop', 'client-secret-value', 'registered-secret-value', 'returned-access-token-abcdef', 'per-request-secret', 'cookie-value-123456', Buffer.from('client:client-secret-value').toString('base64')]) {
      expect(text).not.toContain(secret);
    }
    await http.close();
  });

  it('-v shows headers but no bodies; --show-tokens shows everything', async () => {
    const quiet = client({ verbose: 1 });
    await quiet.http.request({ url: `${plain.origin}/token`, body: new URLSearchParams({ code: 'visible-code-1234567' }) });
    expect(quiet.traces.join('\n')).not.toContain('access_token');
    const open = client({ verbose: 2, showTokens: true });
    await open.http.request({ url: `${plain.origin}/token`, body: new URLSearchParams({ code: 'visible-code-1234567' }) });
    expect(open.traces.join('\n')).toContain('visible-code-1234567');
    await Promise.all([quiet.http.close(), open.http.close()]);
  });
});

/**
 * A CONNECT proxy that records each tunnel and sends every host to 127.0.0.1, so a made-up name such
 * as idp.proxied.test reaches a local server only through it; `drop` makes it hang up instead.
 */
async function startProxy(drop = false) {
  const tunnels: string[] = [];
  const proxy = await listen((_req, res) => {
    res.writeHead(405);
    res.end();
  });
  proxy.server.on('connect', (req: IncomingMessage, client: Socket) => {
    tunnels.push(req.url ?? '');
    if (drop) return void client.destroy();
    const port = Number((req.url ?? '').split(':').pop());
    const upstream = connect(port, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  return { ...proxy, tunnels };
}

describe('proxy from the environment', () => {
  const port = () => plain.origin.split(':').pop();

  it('tunnels through HTTP_PROXY; NO_PROXY hosts and loopback go direct', async () => {
    const proxy = await startProxy();
    const url = `http://idp.proxied.test:${port()}/json`;
    const proxied = client({ insecure: true, env: { HTTP_PROXY: proxy.origin } });
    expect((await proxied.http.request({ url })).json()).toEqual({ ok: true });
    expect(proxy.tunnels).toEqual([`idp.proxied.test:${port()}`]);
    // Loopback never goes through the proxy: it could not reach this machine's 127.0.0.1.
    expect((await proxied.http.request({ url: `${plain.origin}/json` })).json()).toEqual({ ok: true });
    expect(proxy.tunnels).toHaveLength(1);
    // Direct means our own DNS lookup, which fails for the made-up name.
    const bypass = client({ insecure: true, env: { HTTP_PROXY: proxy.origin, NO_PROXY: '.proxied.test' } });
    expect((await failure(bypass.http.request({ url }))).message).toBe('could not resolve host idp.proxied.test');
    expect(proxy.tunnels).toHaveLength(1);
    await Promise.all([proxied.http.close(), bypass.http.close()]);
    await stop(proxy);
  });

  it('a proxy that drops every tunnel ends in TIMEOUT at the deadline, not a hang', async () => {
    const proxy = await startProxy(true);
    const { http } = client({ timeoutMs: 500, insecure: true, env: { HTTP_PROXY: proxy.origin } });
    const error = await failure(http.request({ url: `http://idp.proxied.test:${port()}/json` }));
    expect(error.code).toBe('TIMEOUT');
    expect(proxy.tunnels.length).toBeGreaterThan(0);
    await http.close();
    await stop(proxy);
  });
});

describe('TLS', () => {
  let cert: TestCertificate;
  let other: TestCertificate;
  let expired: TestCertificate;
  let wrongHost: TestCertificate;
  let servers: Array<Awaited<ReturnType<typeof listen>>>;
  const ok: Handler = (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"tls":true}');
  };

  beforeAll(async () => {
    [cert, other, expired, wrongHost] = await Promise.all([
      makeCertificate(),
      makeCertificate(),
      makeCertificate({ notBefore: new Date(Date.now() - 3 * 86400_000), notAfter: new Date(Date.now() - 86400_000) }),
      makeCertificate({ hosts: ['idp.example.test'] }),
    ]);
    servers = await Promise.all([listen(ok, cert), listen(ok, expired), listen(ok, wrongHost)]);
  });
  afterAll(async () => {
    await Promise.all(servers.map(stop));
    for (const c of [cert, other, expired, wrongHost]) c.cleanup();
  });

  it('an unknown CA fails with TLS and the --ca-file hint', async () => {
    const { http } = client();
    const error = await failure(http.request({ url: `${servers[0]!.origin}/` }));
    expect(error.code).toBe('TLS');
    expect(error.message).toContain('is not trusted');
    expect(error.hint).toContain('--ca-file');
    await http.close();
  });

  it('--ca-file trusts it; --insecure skips the check', async () => {
    const trusted = client({ caFile: cert.caFile });
    expect((await trusted.http.request({ url: `${servers[0]!.origin}/` })).json()).toEqual({ tls: true });
    const insecure = client({ insecure: true });
    expect((await insecure.http.request({ url: `${servers[0]!.origin}/` })).status).toBe(200);
    await Promise.all([trusted.http.close(), insecure.http.close()]);
  });

  it('--ca-file keeps NODE_EXTRA_CA_CERTS trusted', async () => {
    const { http } = client({ caFile: other.caFile, env: { NODE_EXTRA_CA_CERTS: cert.caFile } });
    expect((await http.request({ url: `${servers[0]!.origin}/` })).status).toBe(200);
    await http.close();
  });

  it('https through HTTPS_PROXY still verifies against --ca-file', async () => {
    const proxy = await startProxy();
    // servers[2] holds a certificate for idp.example.test, the name the proxy resolves for us.
    const url = `https://idp.example.test:${servers[2]!.origin.split(':').pop()}/`;
    const trusted = client({ caFile: wrongHost.caFile, env: { HTTPS_PROXY: proxy.origin } });
    expect((await trusted.http.request({ url })).json()).toEqual({ tls: true });
    expect(proxy.tunnels).toHaveLength(1);
    const untrusted = client({ env: { HTTPS_PROXY: proxy.origin } });
    expect((await failure(untrusted.http.request({ url }))).code).toBe('TLS');
    await Promise.all([trusted.http.close(), untrusted.http.close()]);
    await stop(proxy);
  });

  it('an expired certificate says so', async () => {
    const { http } = client({ caFile: expired.caFile });
    const error = await failure(http.request({ url: `${servers[1]!.origin}/` }));
    expect(error.code).toBe('TLS');
    expect(error.message).toContain('has expired');
    await http.close();
  });

  it('a certificate for another host says so', async () => {
    const { http } = client({ caFile: wrongHost.caFile });
    const error = await failure(http.request({ url: `${servers[2]!.origin}/` }));
    expect(error.code).toBe('TLS');
    expect(error.message).toContain('is for another host name');
    await http.close();
  });

  it('an unreadable --ca-file is an INPUT error', async () => {
    const { http } = client({ caFile: '/nonexistent/ca.pem' });
    const error = await failure(http.request({ url: `${servers[0]!.origin}/` }));
    expect(error.code).toBe('INPUT');
    expect(error.message).toBe('cannot read --ca-file /nonexistent/ca.pem: no such file (ENOENT)');
    await http.close();
  });
});
