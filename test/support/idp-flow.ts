/**
 * Test-side helpers for driving the test IdP without oidc-cli: a one-shot loopback callback
 * listener, PKCE, the browser.mjs runner, and a complete authorization request. For tests that
 * need a real code or token to feed the CLI, and for the harness's own tests.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash, randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BROWSER_SCRIPT = fileURLToPath(new URL('./browser.mjs', import.meta.url).href.replace('/dist/test/', '/test/'));

export interface Callback {
  /** `http://127.0.0.1:PORT/callback` */
  redirect_uri: string;
  /** The authorization response parameters (query, or form_post body), once the first request lands. */
  received: Promise<{ method: string; params: URLSearchParams }>;
  close(): Promise<void>;
}

/** A listener on 127.0.0.1 (random port) that takes the first request to /callback. */
export async function listenForCallback(path = '/callback'): Promise<Callback> {
  let deliver!: (value: { method: string; params: URLSearchParams }) => void;
  const received = new Promise<{ method: string; params: URLSearchParams }>((resolve) => { deliver = resolve; });
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== path) {
      res.writeHead(404).end();
      return;
    }
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => { body += chunk; });
    req.on('end', () => {
      deliver({ method: req.method ?? 'GET', params: req.method === 'POST' ? new URLSearchParams(body) : url.searchParams });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('done\n');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    redirect_uri: `http://127.0.0.1:${port}${path}`,
    received,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

export function pkcePair(): { code_verifier: string; code_challenge: string } {
  const code_verifier = randomBytes(32).toString('base64url');
  return { code_verifier, code_challenge: createHash('sha256').update(code_verifier).digest('base64url') };
}

export interface BrowserRun {
  code: number | null;
  stderr: string;
}

/** Runs browser.mjs on a URL, as oidc-cli's --browser-command would. */
export function runBrowser(url: string, env: Record<string, string> = {}): Promise<BrowserRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BROWSER_SCRIPT, url], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

export interface AuthorizeOptions {
  authorization_endpoint: string;
  client_id: string;
  scope?: string;
  /** Extra authorization request parameters (prompt, resource, response_mode, login_hint...). */
  params?: Record<string, string>;
  /** Environment for browser.mjs (OIDC_TEST_BROWSER_MODE, OIDC_TEST_PASSWORD...). */
  env?: Record<string, string>;
}

export interface Authorized {
  browser: BrowserRun;
  /** The authorization response, or undefined when the browser never reached the redirect_uri. */
  response?: URLSearchParams;
  method?: string;
  redirect_uri: string;
  state: string;
  nonce: string;
  code_verifier: string;
}

/** A whole front-channel leg: authorization request → browser.mjs → the loopback callback. */
export async function authorize(options: AuthorizeOptions): Promise<Authorized> {
  const callback = await listenForCallback();
  try {
    const { code_verifier, code_challenge } = pkcePair();
    const state = randomBytes(16).toString('base64url');
    const nonce = randomBytes(16).toString('base64url');
    const url = new URL(options.authorization_endpoint);
    const query = {
      response_type: 'code',
      client_id: options.client_id,
      redirect_uri: callback.redirect_uri,
      scope: options.scope ?? 'openid profile email',
      state,
      nonce,
      code_challenge,
      code_challenge_method: 'S256',
      ...options.params,
    };
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    const browser = await runBrowser(url.href, options.env);
    const outcome = browser.code === 0
      ? await Promise.race([callback.received, new Promise<undefined>((r) => setTimeout(r, 2000, undefined))])
      : undefined;
    return {
      browser,
      response: outcome?.params,
      method: outcome?.method,
      redirect_uri: callback.redirect_uri,
      state,
      nonce,
      code_verifier,
    };
  } finally {
    await callback.close();
  }
}
