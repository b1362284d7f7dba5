// src/http/undici.ts requires undici's parts from their own modules (its index costs ~100 ms a start):
// they must be what the index exports, and its request() must send what undici's own does.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, Dispatcher, EnvHttpProxyAgent, request } from '../../../src/http/undici.js';

let origin: string;
const seen: Array<{ method: string | undefined; url: string | undefined; body: string }> = [];
const server = createServer((req: IncomingMessage, res) => {
  let body = '';
  req.on('data', (chunk: Buffer) => (body += chunk.toString()));
  req.on('end', () => {
    seen.push({ method: req.method, url: req.url, body });
    res.writeHead(200, { 'content-type': 'text/plain' }).end(`${req.method} ${req.url}`);
  });
});

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => server.close());

describe('undici, part by part', () => {
  // undici's index is imported only below: what the parts need of it must not come from it.
  it('every dispatcher has the API methods the index gives it (ProxyAgent tunnels with connect)', () => {
    for (const method of ['request', 'stream', 'pipeline', 'connect', 'upgrade']) expect(typeof (Dispatcher.prototype as unknown as Record<string, unknown>)[method], method).toBe('function');
  });

  it('the classes are the ones undici exports', async () => {
    const undici = await import('undici');
    expect(Agent).toBe(undici.Agent);
    expect(EnvHttpProxyAgent).toBe(undici.EnvHttpProxyAgent);
    expect(Dispatcher).toBe(undici.Dispatcher);
  });

  it('request() sends what undici.request sends: method (GET, or PUT with a body), path and query, body', async () => {
    const undici = await import('undici');
    const agent = new Agent();
    try {
      const cases: Array<[string, { method?: 'POST' | 'GET'; body?: string }]> = [
        ['/a/b?x=1&y=%20', {}],
        ['/', { body: 'payload' }],
        ['/token', { method: 'POST', body: 'grant_type=x' }],
      ];
      for (const [path, options] of cases) {
        seen.length = 0;
        const ours = await request(`${origin}${path}`, { dispatcher: agent, ...options });
        const theirs = await undici.request(new URL(path, origin), { dispatcher: agent, ...options });
        expect([ours.statusCode, await ours.body.text()]).toEqual([theirs.statusCode, await theirs.body.text()]);
        expect(seen[0]).toEqual(seen[1]);
      }
      expect(() => request('ftp://127.0.0.1/x', { dispatcher: agent })).toThrow(undici.errors.InvalidArgumentError);
    } finally {
      await agent.close();
    }
  });
});
