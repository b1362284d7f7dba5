import { STATUS_CODES } from 'node:http';
import type { Dispatcher } from 'undici';
import { request as undiciRequest } from './undici.js';
import { CliError, usageError } from '../errors.js';
import { maskValues, SecretRegistry } from '../report/secrets.js';
import { maskUrlsIn } from './mask.js';
import { createDispatcher } from './agent.js';
import { isLoopback } from './loopback.js';
import { DeadlineError, mapTransportError } from './errors.js';
import { createTracer } from './trace.js';
import { MAX_JSON_DEPTH, nestedDeeperThan } from '../util/json-depth.js';
import { plainToken } from '../util/plain-token.js';
import type { HttpClient, HttpClientOptions, HttpRequest, HttpResponse } from './types.js';

export { isLoopback } from './loopback.js';

/**
 * The one HTTP layer (PRODUCT.md "Network"): undici with connect/header/body timeouts and a total
 * deadline, a streamed size cap, redirects reported never followed, proxies from the environment,
 * --ca-file, the plain-http rule, and traces with secrets masked.
 */
export const DEFAULT_MAX_BYTES = 1024 * 1024;

/** How long close() waits for requests in flight before destroying the pool. */
const CLOSE_GRACE_MS = 500;

function checkUrl(raw: string, insecure: boolean): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw usageError(`"${raw}" is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw usageError(`${raw}: only http and https URLs are supported`);
  if (url.protocol === 'http:' && !insecure && !isLoopback(url.hostname)) {
    throw usageError(`refusing plain http to ${url.host}: codes, tokens and secrets would travel unencrypted`, 'use https://, or pass --insecure for a throwaway test setup (plain http needs no flag on loopback only)');
  }
  return url;
}

function flattenHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    flat[name.toLowerCase()] = Array.isArray(value) ? value.join(name.toLowerCase() === 'set-cookie' ? '\n' : ', ') : String(value);
  }
  return flat;
}

/** Reads the body chunk by chunk and stops the stream as soon as it passes the cap (no buffering first). */
function size(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} bytes`;
}

async function readCapped(body: Dispatcher.ResponseData['body'], maxBytes: number, url: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    total += (chunk as Buffer).length;
    if (total > maxBytes) {
      body.destroy();
      throw new CliError('PROTOCOL', `${url}: response body is larger than the ${size(maxBytes)} limit (stopped reading at ${total} bytes)`, {
        hint: 'a metadata document or key set is a few KiB; check the URL points at the right resource',
      });
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function describeNotJson(url: string, status: number, headers: Record<string, string>, body: Buffer, mask: (text: string) => string): CliError {
  const type = headers['content-type']?.split(';')[0]?.trim();
  // Masked before it is cut: a secret straddling the cut would otherwise leak its first characters.
  const start = mask(body.toString('utf8', 0, 4096)).replace(/\s+/g, ' ').trim().slice(0, 80);
  const what = body.length === 0 ? 'an empty body' : `${type ? type : 'no content type'}`;
  return new CliError('PROTOCOL', `${url} answered ${status} with ${what}, not JSON`, {
    hint: body.length === 0 ? 'is this the right URL?' : `is this the right URL? The body starts: ${JSON.stringify(start)}`,
  });
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A body we accept as JSON: never inflated (a small answer must not expand past the size cap), UTF-8
 * only (RFC 8259 §8.1; a lenient decode would silently change an issuer or a key), and not nested so
 * deep that rendering it would overflow the stack.
 */
function parseJsonBody(url: string, status: number, headers: Record<string, string>, body: Buffer, mask: (text: string) => string): unknown {
  const encoding = headers['content-encoding']?.trim().toLowerCase();
  if (encoding && encoding !== 'identity') {
    throw new CliError('PROTOCOL', `${url} answered ${status} with a ${encoding}-compressed body (Content-Encoding: ${encoding}), not JSON`, {
      hint: 'the server or a proxy ignored "Accept-Encoding: identity"; oidc-cli never inflates a body, so that it cannot expand past the size limit',
    });
  }
  let text: string;
  try {
    text = strictUtf8.decode(body);
  } catch {
    throw new CliError('PROTOCOL', `${url} answered ${status} with a body that is not valid UTF-8, so not JSON`, { hint: 'JSON exchanged between systems must be UTF-8 (RFC 8259 §8.1)' });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw describeNotJson(url, status, headers, body, mask);
  }
  if (nestedDeeperThan(value)) {
    throw new CliError('PROTOCOL', `${url} answered ${status} with JSON nested deeper than ${MAX_JSON_DEPTH} levels`, { hint: 'no metadata document, key set or token response is that deep; is this the right URL?' });
  }
  return value;
}

/** The `error` code of an OAuth error answer (RFC 6749 §5.2), for the flow log: a short plain token or nothing. */
function oauthErrorOf(status: number, headers: Record<string, string>, body: Buffer): string | undefined {
  if (status < 400 || body.length > 16 * 1024 || !/json/i.test(headers['content-type'] ?? '')) return undefined;
  try {
    return plainToken((JSON.parse(body.toString('utf8')) as { error?: unknown } | null)?.error);
  } catch {
    return undefined;
  }
}

/**
 * Rejects as soon as `signal` aborts, whatever `promise` does: undici's ProxyAgent can keep retrying a
 * tunnel that the proxy closes without ever settling the request, so the deadline must not depend on it.
 */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

export function createHttpClient(options: HttpClientOptions): HttpClient {
  // The run's registry (main.ts) when given, so what is sent or issued here is masked in every output.
  const secrets = options.secrets ?? new SecretRegistry();
  // Made on the first request (it reads --ca-file); a file that was refused stays the answer for the run.
  let dispatcherMade: Promise<Dispatcher> | undefined;
  let dispatcher: Dispatcher | undefined;
  // RFC 8705: connections that present a client certificate are pooled apart, one pool per certificate.
  const certified = new Map<string, Promise<Dispatcher>>();
  const certifiedMade: Dispatcher[] = [];
  // Set when a request was abandoned on a deadline or Ctrl-C: close() must then destroy, not drain.
  let abandoned = false;
  const tracer = createTracer({ verbose: options.verbose, showTokens: options.showTokens, trace: options.trace, mask: (text) => secrets.mask(text), register: (value, kind) => secrets.add(value, kind) });
  const mask = (text: string) => (options.showTokens ? text : secrets.mask(maskValues(maskUrlsIn(text), tracer.found)));
  if (options.insecure) options.warn('--insecure: TLS certificates are NOT verified and plain http is allowed to any host');

  async function send(req: HttpRequest): Promise<HttpResponse> {
    const url = checkUrl(req.url, options.insecure).href;
    const left = options.deadline === undefined ? Infinity : Math.max(1, options.deadline - Date.now());
    const timeoutMs = Math.min(req.timeoutMs ?? options.timeoutMs, left);
    dispatcherMade ??= createDispatcher({ connectTimeoutMs: options.timeoutMs, caFile: options.caFile, insecure: options.insecure, env: options.env });
    dispatcher = await dispatcherMade;
    const certificate = req.clientCertificate && !req.withoutClientCertificate ? req.clientCertificate : undefined;
    // A certificate travels only in a TLS handshake: plain http (loopback) cannot carry it, and is not an mTLS endpoint.
    if (certificate && !url.startsWith('https:')) throw usageError(`${url}: a client certificate can only be presented over https`, 'the IdP\'s mTLS endpoints (or their mtls_endpoint_aliases) must be https URLs');
    const via = certificate ? await certifiedDispatcher(certificate) : dispatcher;
    for (const secret of req.secrets ?? []) secrets.add(secret, 'secret');
    for (const token of req.tokens ?? []) secrets.add(token, 'token');

    const body = req.body instanceof URLSearchParams ? req.body.toString() : req.body;
    const method = req.method ?? (body === undefined ? 'GET' : 'POST');
    const headers: Record<string, string> = {
      accept: 'application/json',
      // We never decode compressed bodies, so a server cannot inflate past the size cap.
      'accept-encoding': 'identity',
      'user-agent': 'oidc-cli',
      ...Object.fromEntries(Object.entries(req.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value])),
    };
    if (req.body instanceof URLSearchParams) headers['content-type'] ??= 'application/x-www-form-urlencoded';
    tracer.request(method, url, headers, body);
    if (certificate && options.verbose > 0) options.trace('* TLS client certificate presented (RFC 8705)');

    const started = performance.now();
    const deadline = new AbortController();
    let gotHeaders = false;
    const timer = setTimeout(() => deadline.abort(new DeadlineError(gotHeaders ? 'body' : 'total')), timeoutMs);
    const signal = req.signal ? AbortSignal.any([deadline.signal, req.signal]) : deadline.signal;
    try {
      const res = await abortable(undiciRequest(url, { dispatcher: via, method, headers, body, headersTimeout: timeoutMs, bodyTimeout: timeoutMs, signal }), signal);
      gotHeaders = true;
      const flat = flattenHeaders(res.headers);
      const maxBytes = req.maxBytes ?? DEFAULT_MAX_BYTES;
      const length = Number(flat['content-length']);
      if (Number.isFinite(length) && length > maxBytes) {
        res.body.destroy();
        throw new CliError('PROTOCOL', `${url}: response body is larger than the ${size(maxBytes)} limit (Content-Length ${length})`, {
          hint: 'a metadata document or key set is a few KiB; check the URL points at the right resource',
        });
      }
      const buffer = method === 'HEAD' ? Buffer.alloc(0) : await abortable(readCapped(res.body, maxBytes, url), signal);
      const elapsedMs = Math.round(performance.now() - started);
      tracer.response(res.statusCode, STATUS_CODES[res.statusCode] ?? '', elapsedMs, flat, buffer);
      options.onExchange?.({ method, url, status: res.statusCode, oauthError: oauthErrorOf(res.statusCode, flat, buffer), startedAt: started, ms: elapsedMs });
      const date = flat.date ? new Date(flat.date) : undefined;
      const isRedirect = res.statusCode >= 300 && res.statusCode < 400;
      return {
        url,
        status: res.statusCode,
        headers: flat,
        body: buffer,
        date: date && !Number.isNaN(date.getTime()) ? date : undefined,
        location: isRedirect ? flat.location : undefined,
        elapsedMs,
        text: () => buffer.toString('utf8'),
        json: () => parseJsonBody(url, res.statusCode, flat, buffer, mask),
      };
    } catch (error) {
      if (signal.aborted) abandoned = true;
      if (req.signal?.aborted && !deadline.signal.aborted) {
        const reason: unknown = req.signal.reason;
        throw reason instanceof CliError ? reason : new CliError('CANCELLED', 'cancelled');
      }
      const cause = deadline.signal.aborted ? deadline.signal.reason : error;
      // When the run's budget (not this request's own timeout) ran out, name the budget the user gave.
      const mapped = mapTransportError(cause, url, left < (req.timeoutMs ?? options.timeoutMs) ? options.timeoutMs : timeoutMs);
      tracer.failure(mapped.message);
      options.onExchange?.({ method, url, failure: mapped.code, startedAt: started, ms: Math.round(performance.now() - started) });
      throw mapped;
    } finally {
      clearTimeout(timer);
    }
  }

  function certifiedDispatcher(certificate: { cert: string; key: string }): Promise<Dispatcher> {
    let made = certified.get(certificate.cert);
    if (!made) {
      made = createDispatcher({ connectTimeoutMs: options.timeoutMs, caFile: options.caFile, insecure: options.insecure, env: options.env, clientCertificate: certificate });
      made.then((made) => certifiedMade.push(made), () => undefined);
      certified.set(certificate.cert, made);
    }
    return made;
  }

  return {
    insecure: options.insecure,
    addSecret: (value) => secrets.add(value, 'secret'),
    addToken: (value) => secrets.add(value, 'token'),
    async close() {
      // The certificate pools hold few connections to the IdP alone: destroyed, not drained.
      await Promise.all(certifiedMade.map((made) => made.destroy().catch(() => undefined)));
      if (!dispatcher) return;
      if (abandoned) return void (await dispatcher.destroy().catch(() => undefined));
      // A graceful close waits for the requests in flight. A run that stops early (a login past its
      // --timeout) may leave one stuck in a proxy's CONNECT, which undici's ProxyAgent never settles:
      // it gets a moment, then the pool is destroyed, so the process can exit.
      const closed = dispatcher.close().then(
        () => true,
        () => true,
      );
      const settled = await Promise.race([closed, new Promise<boolean>((resolve) => setTimeout(() => resolve(false), CLOSE_GRACE_MS).unref())]);
      if (!settled) await dispatcher.destroy().catch(() => undefined);
    },
    async request(req) {
      try {
        return await send(req);
      } catch (error) {
        // The URL and any quoted body may hold secrets: the one-line error obeys the same masking as traces.
        if (error instanceof CliError) error.message = mask(error.message);
        throw error;
      }
    },
  };
}
