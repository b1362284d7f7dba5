import { describe, expect, it } from 'vitest';
import { listenerFor } from '../../src/commands/login-options.js';
import { CliError } from '../../src/errors.js';

const usage = (f: () => unknown) => {
  try {
    f();
  } catch (error) {
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(2);
    return (error as CliError).message;
  }
  throw new Error('expected a usage error');
};

describe('login: where the listener binds (--redirect-uri, --port, --listen-ipv6)', () => {
  it('defaults to a random port on 127.0.0.1, path /callback', () => {
    expect(listenerFor({})).toEqual({ host: '127.0.0.1', port: 0, path: '/callback' });
    expect(listenerFor({ port: '8765' })).toEqual({ host: '127.0.0.1', port: 8765, path: '/callback' });
    expect(listenerFor({ listenIpv6: true })).toEqual({ host: '::1', port: 0, path: '/callback' });
  });

  it('follows a registered loopback redirect URI, keeping "localhost" in it but binding 127.0.0.1', () => {
    expect(listenerFor({ redirectUri: 'http://127.0.0.1:5000/oauth/cb' })).toEqual({ host: '127.0.0.1', port: 5000, path: '/oauth/cb' });
    expect(listenerFor({ redirectUri: 'http://[::1]:5000/cb' })).toEqual({ host: '::1', port: 5000, path: '/cb' });
    expect(listenerFor({ redirectUri: 'http://localhost:5000/cb' })).toEqual({ host: '127.0.0.1', port: 5000, path: '/cb', redirectHost: 'localhost' });
    expect(listenerFor({ redirectUri: 'http://127.0.0.1:5000/cb', port: '5000' }).port).toBe(5000);
  });

  it('takes every host isLoopback takes: another 127.x address is bound as it is, a name under localhost on 127.0.0.1', () => {
    expect(listenerFor({ redirectUri: 'http://127.0.0.2:5000/cb' })).toEqual({ host: '127.0.0.2', port: 5000, path: '/cb' });
    expect(listenerFor({ redirectUri: 'http://[0:0:0:0:0:0:0:1]:5000/cb' })).toEqual({ host: '::1', port: 5000, path: '/cb' });
    expect(listenerFor({ redirectUri: 'http://app.localhost:5000/cb' })).toEqual({ host: '127.0.0.1', port: 5000, path: '/cb', redirectHost: 'app.localhost' });
  });

  it('refuses what it cannot listen on, with one line each', () => {
    expect(usage(() => listenerFor({ redirectUri: 'https://app.example.com/cb' }))).toMatch(/^--redirect-uri must be http:\/\/127\.0\.0\.1/);
    expect(usage(() => listenerFor({ redirectUri: 'http://localhost.example.com:5000/cb' }))).toMatch(/^--redirect-uri must be/);
    expect(usage(() => listenerFor({ redirectUri: 'http://128.0.0.1:5000/cb' }))).toMatch(/^--redirect-uri must be/);
    expect(usage(() => listenerFor({ redirectUri: 'https://127.0.0.1:5000/cb' }))).toMatch(/^--redirect-uri must be/);
    expect(usage(() => listenerFor({ redirectUri: 'not a url' }))).toBe('--redirect-uri: "not a url" is not a URL');
    expect(usage(() => listenerFor({ redirectUri: 'http://127.0.0.1:5000/cb', port: '6000' }))).toBe('--port 6000 contradicts --redirect-uri port 5000');
    expect(usage(() => listenerFor({ port: '70000' }))).toBe('--port: "70000" is not a port number (0-65535)');
    expect(usage(() => listenerFor({ redirectUri: 'http://127.0.0.1:5000/cb?x=1' }))).toMatch(/no query or fragment/);
  });
});
