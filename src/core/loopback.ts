import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CliError } from '../errors.js';
import type { CallbackResponse } from './authorization.js';

/**
 * The one-shot redirect listener of RFC 8252 §7.3: binds a loopback address only, takes exactly one
 * authorization response on its path, answers stray requests (favicon, other paths) with 404, shows the
 * browser a short page with no secret in it, and closes.
 *
 * Any local process can reach the port. With `state` set, only a response carrying that state is taken:
 * anything else sent to the path (wrong or no state, an empty or oversized POST) gets a 400 page, is
 * counted, and the wait goes on — so a stray request cannot end the login (RFC 6749 §10.12).
 */
export interface LoopbackOptions {
  /** A loopback address to bind: 127.0.0.1 (or another of 127.0.0.0/8) or ::1. */
  host: string;
  /** 0 picks a free port. */
  port: number;
  path: string;
  /** Host to put in redirect_uri when the registered one names it, e.g. "localhost" (RFC 8252 §8.3 discourages it). */
  redirectHost?: string;
  /** The state of the authorization request: a response without it is refused and counted, not taken. */
  state?: string;
  /** Told after each refused stray response (the count so far), e.g. to warn on the terminal. */
  onStray?: (count: number) => void;
}

export interface PageOutcome {
  ok: boolean;
  title: string;
  message: string;
}

export interface ReceivedCallback extends CallbackResponse {
  /** Answers the waiting browser; call once the response is judged. */
  reply(outcome: PageOutcome): void;
}

export interface Loopback {
  redirect_uri: string;
  host: string;
  port: number;
  /** Resolves with the first authorization response; rejects with `signal.reason` when aborted. */
  waitForCallback(signal: AbortSignal): Promise<ReceivedCallback>;
  /** How many requests to the path were refused for not carrying `state`. */
  strayCount(): number;
  /** The parameters of the last refused response, to judge once nothing else can come (already answered). */
  lastStray(): CallbackResponse | undefined;
  close(): Promise<void>;
}

const FRAGMENT_FIELD = 'oidc_cli_fragment';
const MAX_BODY = 64 * 1024;

// A browser does not send the fragment to the server; this page relays it so a code sent in the fragment
// (the wrong response mode) is seen and reported instead of waiting for the timeout.
const RELAY_SCRIPT = `var f=document.createElement('form');f.method='POST';var i=document.createElement('input');i.type='hidden';i.name='${FRAGMENT_FIELD}';i.value=location.hash.replace(/^#/,'');f.appendChild(i);document.body.appendChild(f);history.replaceState(null,'',location.pathname);f.submit();`;

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

function page(outcome: PageOutcome): string {
  const color = outcome.ok ? '#1a7f37' : '#cf222e';
  return `<!doctype html><html><head><meta charset="utf-8"><title>oidc-cli: ${escapeHtml(outcome.title)}</title></head>` +
    `<body style="font-family:system-ui,sans-serif;max-width:40em;margin:4em auto"><h1 style="color:${color}">${escapeHtml(outcome.title)}</h1>` +
    `<p>${escapeHtml(outcome.message)}</p><p>You can close this tab and return to the terminal.</p></body></html>`;
}

function send(res: ServerResponse, status: number, body: string, csp = "default-src 'none'; style-src 'unsafe-inline'"): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    // The URL holds the code: never leak it to another origin through Referer.
    'referrer-policy': 'no-referrer',
    'content-security-policy': csp,
    'x-content-type-options': 'nosniff',
    connection: 'close',
  });
  res.end(body);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) req.destroy(new Error('callback body too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const pairs = (text: string): Array<[string, string]> => [...new URLSearchParams(text)];

export function listenError(error: NodeJS.ErrnoException, host: string, port: number): CliError {
  const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  if (error.code === 'EADDRINUSE') return new CliError('USAGE', `cannot listen on ${where}: the port is already in use`, { hint: 'pick another --port (it must match a redirect_uri registered for the client), or omit --port for a random free one' });
  if (error.code === 'EACCES') return new CliError('USAGE', `cannot listen on ${where}: permission denied`, { hint: 'ports below 1024 need privileges; use a higher --port' });
  if (error.code === 'EADDRNOTAVAIL' || error.code === 'EAFNOSUPPORT') return new CliError('USAGE', `cannot listen on ${where}: address not available on this machine`, { hint: 'IPv6 loopback may be disabled; drop --listen-ipv6' });
  return new CliError('NETWORK', `cannot listen on ${where}: ${error.message}`);
}

export async function startLoopback(options: LoopbackOptions): Promise<Loopback> {
  let deliver: ((callback: ReceivedCallback) => void) | undefined;
  let early: ReceivedCallback | undefined;
  let taken = false;
  let strays = 0;
  let last: CallbackResponse | undefined;
  const stray = (res: ServerResponse, status = 400, response?: CallbackResponse) => {
    strays += 1;
    if (response) last = response;
    // Nothing of the request is echoed: the page and the terminal stay free of what a stranger sent.
    send(res, status, page({ ok: false, title: 'Not the authorization response', message: 'This request was not the authorization response oidc-cli is waiting for (it did not carry the state of the login in progress), so it was ignored. The login goes on.' }));
    options.onStray?.(strays);
  };
  const carriesState = (params: Array<[string, string]>) => options.state === undefined || params.some(([name, value]) => name === 'state' && value === options.state);
  const server = createServer((req, res) => void handle(req, res));

  // DNS rebinding: a page on another origin can reach this port under its own host name. Only a request
  // addressed to the redirect_uri's host:port is the browser coming back (RFC 8252 §8.3).
  const ownHosts = () => {
    const { port } = server.address() as AddressInfo;
    const names = [options.host === '::1' ? '[::1]' : options.host, ...(options.redirectHost ? [options.redirectHost] : [])];
    return new Set(names.map((name) => `${name.toLowerCase()}:${port}`));
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!ownHosts().has((req.headers.host ?? '').toLowerCase())) {
      return send(res, 421, page({ ok: false, title: 'Misdirected request', message: 'This listener only answers requests addressed to its own loopback address.' }));
    }
    const url = new URL(req.url ?? '/', 'http://loopback');
    if (url.pathname !== options.path || taken) return send(res, 404, page({ ok: false, title: 'Not found', message: taken ? 'The authorization response was already received.' : 'Nothing here.' }));
    let response: CallbackResponse;
    if (req.method === 'GET') {
      if (url.search === '') {
        // No query: either the response is in the fragment, or someone opened the URL by hand.
        return send(res, 200, `<!doctype html><html><body><noscript>No authorization response in this URL.</noscript><script>${RELAY_SCRIPT}</script></body></html>`, "default-src 'none'; script-src 'unsafe-inline'; form-action 'self'");
      }
      response = { via: 'query', params: pairs(url.search) };
    } else if (req.method === 'POST') {
      let body: string;
      try {
        body = await readBody(req);
      } catch {
        return options.state === undefined ? send(res, 413, page({ ok: false, title: 'Too large', message: 'The request body was too large.' })) : stray(res, 413);
      }
      const params = pairs(body);
      const fragment = params.find(([name]) => name === FRAGMENT_FIELD);
      response = fragment ? { via: 'fragment', params: pairs(fragment[1]) } : { via: 'form_post', params };
    } else {
      return send(res, 405, page({ ok: false, title: 'Method not allowed', message: 'Only GET and POST are answered here.' }));
    }
    if (!carriesState(response.params)) return stray(res, 400, response);
    taken = true;
    let answered = false;
    const reply = (outcome: PageOutcome) => {
      if (answered) return;
      answered = true;
      send(res, outcome.ok ? 200 : 400, page(outcome));
    };
    const callback = { ...response, reply };
    if (deliver) deliver(callback);
    else early = callback;
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(listenError(error, options.host, options.port)));
    server.listen({ host: options.host, port: options.port, exclusive: true }, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const hostInUri = options.redirectHost ?? (options.host === '::1' ? '[::1]' : options.host);
  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      // Let a pending answer flush, then drop keep-alive sockets so the process can exit.
      setTimeout(() => server.closeAllConnections(), 200).unref();
    }));

  return {
    redirect_uri: `http://${hostInUri}:${port}${options.path}`,
    host: options.host,
    port,
    close,
    strayCount: () => strays,
    lastStray: () => last,
    waitForCallback(signal) {
      return new Promise<ReceivedCallback>((resolve, reject) => {
        if (early) return resolve(early);
        if (signal.aborted) return reject(signal.reason);
        const onAbort = () => reject(signal.reason);
        signal.addEventListener('abort', onAbort, { once: true });
        deliver = (callback) => {
          signal.removeEventListener('abort', onAbort);
          resolve(callback);
        };
      });
    },
  };
}
