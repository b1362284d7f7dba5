// Minimal first cut of the HTTP layer; hardened in the discovery/jwks issue (proxies, CA files,
// trace redaction, error mapping). Kept to the HttpClient contract in ./types.ts.
import { request as undiciRequest } from 'undici';
import { CliError } from '../errors.js';
import type { HttpClient, HttpClientOptions, HttpRequest, HttpResponse } from './types.js';

const DEFAULT_MAX_BYTES = 1024 * 1024;

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const secrets = new Set<string>();
  return {
    addSecret: (value) => void secrets.add(value),
    close: async () => undefined,
    async request(req: HttpRequest): Promise<HttpResponse> {
      const started = performance.now();
      const body = req.body instanceof URLSearchParams ? req.body.toString() : req.body;
      const headers: Record<string, string> = { accept: 'application/json', ...req.headers };
      if (req.body instanceof URLSearchParams) headers['content-type'] ??= 'application/x-www-form-urlencoded';
      let res;
      try {
        res = await undiciRequest(req.url, {
          method: req.method ?? (body === undefined ? 'GET' : 'POST'),
          headers,
          body,
          headersTimeout: req.timeoutMs ?? options.timeoutMs,
          bodyTimeout: req.timeoutMs ?? options.timeoutMs,
        });
      } catch (error) {
        throw new CliError('NETWORK', `${req.url}: ${(error as Error).message}`, { cause: error });
      }
      const buffer = Buffer.from(await res.body.arrayBuffer());
      if (buffer.length > (req.maxBytes ?? DEFAULT_MAX_BYTES)) throw new CliError('PROTOCOL', `${req.url}: response body too large`);
      const flat: Record<string, string> = {};
      for (const [name, value] of Object.entries(res.headers)) flat[name] = Array.isArray(value) ? value.join(', ') : String(value ?? '');
      const date = flat.date ? new Date(flat.date) : undefined;
      return {
        url: req.url,
        status: res.statusCode,
        headers: flat,
        body: buffer,
        date: date && !Number.isNaN(date.getTime()) ? date : undefined,
        location: flat.location,
        elapsedMs: Math.round(performance.now() - started),
        text: () => buffer.toString('utf8'),
        json: () => {
          try {
            return JSON.parse(buffer.toString('utf8'));
          } catch {
            throw new CliError('PROTOCOL', `${req.url} answered ${res.statusCode} with a body that is not JSON`);
          }
        },
      };
    },
  };
}
