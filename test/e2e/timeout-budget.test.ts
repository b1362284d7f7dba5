import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

// Each answer is slow but within a per-request timeout; together they exceed --timeout.
let server: Server;
let issuer: string;

beforeAll(async () => {
  server = createServer((_req, res) => {
    setTimeout(() => res.writeHead(404, { 'content-type': 'application/json' }).end('{}'), 1500);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('--timeout bounds the whole operation', () => {
  it('discover with its RFC 8414 fallback stops at the budget, exit 3', async () => {
    // Without a budget both requests complete (404, 404) and discover reports a failed check: exit 1.
    const unbounded = await runCli(['discover', '--issuer', issuer]);
    expect(unbounded.code).toBe(1);
    const bounded = await runCli(['discover', '--timeout', '2', '--issuer', issuer]);
    expect(bounded.code).toBe(3);
    expect(bounded.stderr).toMatch(/timed out/);
  });
});
