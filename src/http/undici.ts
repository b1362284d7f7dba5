import { createRequire } from 'node:module';
import type * as Undici from 'undici';

/**
 * The parts of undici this CLI uses, each required from its own module. undici's index loads the whole
 * library (fetch, WebSocket, caches, mocks, interceptors): measured at about 100 ms of every start of a
 * command that makes a request, against about 30 ms for these. undici has no "exports" map, so these
 * paths are open to require; test/unit/http/undici.test.ts holds them to be what the index exports, so
 * an undici that moves them fails the tests, not a user.
 */
const load = createRequire(import.meta.url);

export const Agent = load('undici/lib/dispatcher/agent.js') as typeof Undici.Agent;
export const EnvHttpProxyAgent = load('undici/lib/dispatcher/env-http-proxy-agent.js') as typeof Undici.EnvHttpProxyAgent;
export const Dispatcher = load('undici/lib/dispatcher/dispatcher.js') as typeof Undici.Dispatcher;
// As undici's index does: every dispatcher gets request, stream, pipeline, connect and upgrade (its
// ProxyAgent opens a tunnel with connect).
Object.assign(Dispatcher.prototype, load('undici/lib/api/index.js'));

type RequestOptions = Omit<Undici.Dispatcher.RequestOptions, 'origin' | 'path' | 'method'> & { method?: Undici.Dispatcher.HttpMethod; dispatcher: Undici.Dispatcher };
const apiRequest = load('undici/lib/api/api-request.js') as (this: Undici.Dispatcher, options: Undici.Dispatcher.RequestOptions) => Promise<Undici.Dispatcher.ResponseData>;
const { parseURL } = load('undici/lib/core/util.js') as { parseURL(url: string | URL): URL };

/** undici's `request(url, options)`: what its index makes of the same function for a dispatcher. */
export function request(url: string | URL, { dispatcher, ...options }: RequestOptions): Promise<Undici.Dispatcher.ResponseData> {
  const parsed = parseURL(url);
  const path = parsed.search ? `${parsed.pathname}${parsed.search}` : parsed.pathname;
  return apiRequest.call(dispatcher, { ...options, origin: parsed.origin, path, method: options.method ?? (options.body ? 'PUT' : 'GET') });
}
