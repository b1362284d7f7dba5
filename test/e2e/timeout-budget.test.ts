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

  it('the largest budget (--timeout 24h) is a real one: the run completes (exit 1), no instant timeout from a timer overflow', async () => {
    const result = await runCli(['discover', '--timeout', '24h', '--issuer', issuer]);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).not.toMatch(/timed out/);
  });

  it('a budget past what a timer holds is refused up front (exit 2), not an instant timeout', async () => {
    const result = await runCli(['discover', '--timeout', '25d', '--issuer', issuer]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^oidc-cli: --timeout: "25d" is more than the maximum of 1d/);
  });
});
