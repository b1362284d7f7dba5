import { isIP } from 'node:net';
import type { LoopbackOptions } from '../core/loopback.js';
import { usageError } from '../errors.js';
import { isLoopback } from '../http/loopback.js';
import type { ClientFlags } from '../store/profiles.js';

// The options of `login` (browser and --device) and the listener flags `check` shares with it: a module
// of its own so no command imports another.

/** The scope a user login asks for when neither --scope nor a profile names one. */
export const DEFAULT_SCOPE = 'openid profile email';

/** The client flags every issuer-facing command shares (issuer, client, secret, scope, redirect_uri), plus its own. */
export interface LoginOptions extends ClientFlags {
  port?: string;
  /** --html FILE: the self-contained page of the run (commands/html-file.ts). */
  html?: string;
  /** false with --no-diagnose. */
  diagnose?: boolean;
  listenIpv6?: boolean;
  browser?: boolean;
  browserCommand?: string;
  prompt?: string;
  loginHint?: string;
  maxAge?: number;
  acrValues?: string;
  resource?: string[];
  /** Sign in for this API or MCP server: issuer, resource and scope from its RFC 9728 metadata. */
  resourceFromPrm?: string;
  audience?: string;
  param?: string[];
  responseMode?: 'query' | 'form_post' | 'jwt' | 'query.jwt' | 'form_post.jwt' | 'fragment.jwt';
  clockSkew?: number;
  /** RFC 8628 device authorization instead of a browser redirect (src/commands/device-login.ts). */
  device?: boolean;
  /** RFC 7591: register a native public client first, then sign in with it. */
  register?: boolean;
  /** RFC 9126: push the authorization request first. */
  par?: boolean;
  /** RFC 9449: bind the tokens to a key of this run. */
  dpop?: boolean;
  /** RFC 9449 with this EC P-256 key (PEM or JWK) instead of a new one. */
  dpopKey?: string;
  /** RFC 9101: sign the authorization parameters as a request object. */
  requestObject?: boolean;
  /** RFC 9101: the private key to sign it with (PEM or JWK); implies --request-object. */
  requestObjectKey?: string;
}

/** --redirect-uri / --port / --listen-ipv6 → where the listener binds and what redirect_uri says. */
export function listenerFor(options: Pick<LoginOptions, 'redirectUri' | 'port' | 'listenIpv6'>): LoopbackOptions {
  const port = options.port === undefined ? undefined : Number(options.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) throw usageError(`--port: "${options.port}" is not a port number (0-65535)`);
  if (options.redirectUri === undefined) return { host: options.listenIpv6 ? '::1' : '127.0.0.1', port: port ?? 0, path: '/callback' };
  let url: URL;
  try {
    url = new URL(options.redirectUri);
  } catch {
    throw usageError(`--redirect-uri: "${options.redirectUri}" is not a URL`);
  }
  if (url.protocol !== 'http:' || !isLoopback(url.hostname)) {
    throw usageError(`--redirect-uri must be http://127.0.0.1:PORT/PATH, http://[::1]:PORT/PATH or http://localhost:PORT/PATH, or another loopback host (got ${options.redirectUri})`, 'the listener binds loopback only (RFC 8252 §7.3)');
  }
  if (url.search || url.hash) throw usageError('--redirect-uri: no query or fragment, please (the response parameters go there)');
  const uriPort = url.port === '' ? 80 : Number(url.port);
  if (port !== undefined && port !== uriPort) throw usageError(`--port ${port} contradicts --redirect-uri port ${uriPort}`);
  // An IPv4 loopback literal is bound as it is, [::1] as ::1; a name (localhost, *.localhost) or another
  // spelling is bound on 127.0.0.1 and kept as written in redirect_uri, which must match the registration.
  const literal = isIP(url.hostname) === 4 ? url.hostname : url.hostname === '[::1]' ? '::1' : undefined;
  const listener: LoopbackOptions = { host: literal ?? '127.0.0.1', port: uriPort, path: url.pathname || '/' };
  if (!literal) listener.redirectHost = url.hostname;
  return listener;
}
