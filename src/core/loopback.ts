import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { CliError } from '../errors.js';
import type { CallbackResponse, StrayCallbacks } from './authorization.js';
import { guardConnections, LISTENER_LIMITS, serverOptions, type ListenerLimits } from './loopback-guard.js';

/**
 * The one-shot redirect listener of RFC 8252 §7.3: binds a loopback address only, takes exactly one
 * authorization response on its path, answers requests to other paths (a browser's /favicon.ico) with
 * 404, shows the browser a short page with no secret in it, and closes.
 *
 * Any local process can reach the port. With `state` set, only a GET or POST to the path, addressed to
 * the listener's own host and carrying that state, is taken. Every other request to the path — wrong or
 * no state, an oversized body, another method, a foreign Host, one that comes after the response — gets
 * an error page, is counted by kind, and the wait goes on, so a stray request cannot end the login
 * (RFC 6749 §10.12). A request the listener cannot read at all (refused by the HTTP parser, or with a
 * target that is no URL) is counted too: its path is unknown, and it may have been aimed at the callback.
 * What any process can hold of the listener is bounded (loopback-guard.ts).
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
  /**
   * Where a response carries its state; default: the state parameter. A JWT response (JARM) carries it
   * inside the `response` JWT (jarm.ts jarmState), read only to tell the response from a stray.
   */
  stateOf?: (params: Array<[string, string]>) => string | undefined;
  /** Told after each refused stray request to the path (the count so far), e.g. to warn on the terminal. */
  onStray?: (count: number) => void;
  /** Told once, when connections beyond the cap were first closed to make room (a flood). */
  onFlood?: (limit: number) => void;
  /** Lower bounds for tests; LISTENER_LIMITS otherwise. */
  limits?: Partial<ListenerLimits>;
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
  /** Requests to the path that were not the authorization response, by why they were refused. */
  strays(): StrayCallbacks;
  /** Their total. */
  strayCount(): number;
  /** Connections closed to make room for newer ones (a flood), never counted as requests. */
  evicted(): number;
  /** The parameters of the last refused response, to judge once nothing else can come (already answered). */
  lastStray(): CallbackResponse | undefined;
  /**
   * Once the browser command has exited: resolves when whatever it sent has landed, that is when no
   * connection is left open that could still bring a request, for a few turns of the event loop in a row
   * (a connection still in the accept queue, or data not yet read, shows up within them); or after
   * `maxMs` (a person's browser may keep connections open).
   */
  settled(maxMs: number): Promise<void>;
  close(): Promise<void>;
}

/** Turns of the event loop with no connection open before the listener counts as settled. */
const SETTLED_TURNS = 3;

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
    ...(status === 405 ? { allow: 'GET, POST' } : {}),
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

/** A status line on a connection Node no longer answers for (CONNECT, a request its parser refused), then closed. */
function answerRaw(socket: Socket, status: number): void {
  socket.on('error', () => undefined);
  socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
  socket.destroySoon();
}

const pairs = (text: string): Array<[string, string]> => [...new URLSearchParams(text)];

export function listenError(error: NodeJS.ErrnoException, host: string, port: number): CliError {
  const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  if (error.code === 'EADDRINUSE') return new CliError('USAGE', `cannot listen on ${where}: the port is already in use`, { hint: 'pick another --port (it must match a redirect_uri registered for the client), or omit --port for a random free one' });
  if (error.code === 'EACCES') return new CliError('USAGE', `cannot listen on ${where}: permission denied`, { hint: 'ports below 1024 need privileges; use a higher --port' });
  if (error.code === 'EADDRNOTAVAIL' || error.code === 'EAFNOSUPPORT') return new CliError('USAGE', `cannot listen on ${where}: address not available on this machine`, { hint: 'IPv6 loopback may be disabled; drop --listen-ipv6' });
  return new CliError('NETWORK', `cannot listen on ${where}: ${error.message}`);
}

/** Pages for requests that are not the authorization response; nothing of the request is echoed. */
const REFUSED = {
  state: { ok: false, title: 'Not the authorization response', message: 'This request was not the authorization response oidc-cli is waiting for (it did not carry the state of the login in progress), so it was ignored. The login goes on.' },
  body: { ok: false, title: 'Too large', message: 'The request body was too large.' },
  method: { ok: false, title: 'Method not allowed', message: 'Only GET and POST are answered here.' },
  host: { ok: false, title: 'Misdirected request', message: 'This listener only answers requests addressed to its own loopback address.' },
  unreadable: { ok: false, title: 'Bad request', message: 'This request could not be read.' },
  late: { ok: false, title: 'Not found', message: 'The authorization response was already received.' },
  elsewhere: { ok: false, title: 'Not found', message: 'Nothing here.' },
} satisfies Record<keyof StrayCallbacks | 'elsewhere', PageOutcome>;

type Refusal = { status: number; kind: keyof StrayCallbacks | 'elsewhere' };

export async function startLoopback(options: LoopbackOptions): Promise<Loopback> {
  let deliver: ((callback: ReceivedCallback) => void) | undefined;
  let early: ReceivedCallback | undefined;
  let taken = false;
  const strays: StrayCallbacks = { state: 0, body: 0, method: 0, host: 0, unreadable: 0, late: 0 };
  const total = () => Object.values(strays).reduce((sum, n) => sum + n, 0);
  let last: CallbackResponse | undefined;
  const count = (kind: keyof StrayCallbacks) => {
    strays[kind] += 1;
    options.onStray?.(total());
  };
  const refuse = (res: ServerResponse, { status, kind }: Refusal) => {
    send(res, status, page(REFUSED[kind]));
    if (kind !== 'elsewhere') count(kind);
  };
  const carriesState = (params: Array<[string, string]>) =>
    options.state === undefined || (options.stateOf ? options.stateOf(params) === options.state : params.some(([name, value]) => name === 'state' && value === options.state));
  const limits = { ...LISTENER_LIMITS, ...options.limits };
  const server = createServer(serverOptions(limits), (req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  const guard = guardConnections(server, limits, (limit) => options.onFlood?.(limit));

  // DNS rebinding: a page on another origin can reach this port under its own host name. Only a request
  // addressed to the redirect_uri's host:port is the browser coming back (RFC 8252 §8.3).
  const ownHosts = () => {
    const { port } = server.address() as AddressInfo;
    const names = [options.host === '::1' ? '[::1]' : options.host, ...(options.redirectHost ? [options.redirectHost] : [])];
    return new Set(names.map((name) => `${name.toLowerCase()}:${port}`));
  };

  // What a request is, from its head alone: a refusal, or the URL of a GET or POST to the path to judge.
  function classify(req: IncomingMessage): { refused: Refusal } | { url: URL } {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://loopback');
    } catch {
      return { refused: { status: 400, kind: 'unreadable' } };
    }
    const onPath = url.pathname === options.path;
    if (!ownHosts().has((req.headers.host ?? '').toLowerCase())) return { refused: { status: 421, kind: onPath ? 'host' : 'elsewhere' } };
    if (!onPath) return { refused: { status: 404, kind: 'elsewhere' } };
    if (taken) return { refused: { status: 404, kind: 'late' } };
    if (req.method !== 'GET' && req.method !== 'POST') return { refused: { status: 405, kind: 'method' } };
    return { url };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const head = classify(req);
    if ('refused' in head) return refuse(res, head.refused);
    const { url } = head;
    let response: CallbackResponse;
    if (req.method === 'GET') {
      if (url.search === '') {
        // No query: either the response is in the fragment, or someone opened the URL by hand. The page
        // posts the fragment back, and that request is judged (and counted if it is not the response).
        return send(res, 200, `<!doctype html><html><body><noscript>No authorization response in this URL.</noscript><script>${RELAY_SCRIPT}</script></body></html>`, "default-src 'none'; script-src 'unsafe-inline'; form-action 'self'");
      }
      response = { via: 'query', params: pairs(url.search) };
    } else {
      let body: string;
      try {
        body = await readBody(req);
      } catch {
        return refuse(res, { status: 413, kind: 'body' });
      }
      const params = pairs(body);
      const fragment = params.find(([name]) => name === FRAGMENT_FIELD);
      response = fragment ? { via: 'fragment', params: pairs(fragment[1]) } : { via: 'form_post', params };
    }
    // Taken meanwhile (a POST whose body was still coming): this one is late.
    if (taken) return refuse(res, { status: 404, kind: 'late' });
    if (!carriesState(response.params)) {
      last = response;
      return refuse(res, { status: 400, kind: 'state' });
    }
    taken = true;
    guard.keep(req.socket);
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

  // CONNECT is a request like any other here (Node hands it over raw): never a response, counted if for the path.
  server.on('connect', (req: IncomingMessage, socket: Socket) => {
    const head = classify(req);
    const { status, kind } = 'refused' in head ? head.refused : { status: 405, kind: 'method' as const };
    answerRaw(socket, status);
    if (kind !== 'elsewhere') count(kind);
  });
  // What the HTTP parser refuses never reaches handle(): answered as Node would, and counted, since it may
  // have been aimed at the path. Timeouts and resets are connections, not requests (a browser's unused
  // preconnection times out too): bounded, not counted.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    const code = error.code ?? '';
    const unreadable = code.startsWith('HPE_') && code !== 'HPE_INVALID_EOF_STATE' && code !== 'HPE_CLOSED_CONNECTION';
    const status = code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
    if (socket.writable && socket.bytesWritten === 0 && code !== 'ECONNRESET') answerRaw(socket, status);
    else socket.destroy();
    if (unreadable) count('unreadable');
  });

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
      // Free at once what a flood holds (the token request needs files); let a pending answer flush, then
      // drop whatever is left so the process can exit.
      guard.closeIdle();
      setTimeout(() => server.closeAllConnections(), 200).unref();
    }));

  return {
    redirect_uri: `http://${hostInUri}:${port}${options.path}`,
    host: options.host,
    port,
    close,
    strays: () => ({ ...strays }),
    strayCount: total,
    evicted: guard.evicted,
    lastStray: () => last,
    settled(maxMs) {
      const deadline = performance.now() + maxMs;
      return new Promise<void>((resolve) => {
        let quiet = 0;
        const turn = () => {
          quiet = guard.pending() ? 0 : quiet + 1;
          if (quiet >= SETTLED_TURNS || performance.now() >= deadline) resolve();
          // A short timer rather than setImmediate when busy: the loop's poll phase then waits for I/O.
          else if (quiet === 0) setTimeout(turn, 5).unref();
          else setImmediate(turn);
        };
        setImmediate(turn);
      });
    },
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
