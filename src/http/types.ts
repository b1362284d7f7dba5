import type { SecretRegistry } from '../report/secrets.js';

/**
 * The contract of the one HTTP layer (src/http/client.ts). Every network call in the project goes
 * through an HttpClient so timeouts, size caps, redirects, proxies, CAs and trace redaction are
 * decided in one place.
 */
export interface HttpRequest {
  url: string;
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';
  headers?: Record<string, string>;
  /** A form body is sent as application/x-www-form-urlencoded. */
  body?: string | URLSearchParams;
  /** Cap on the response body in bytes (default 1 MiB); over it the request fails with PROTOCOL. */
  maxBytes?: number;
  /** Overrides the client's timeout for this request, in milliseconds. */
  timeoutMs?: number;
  /**
   * Secret values this request carries besides the well-known parameter names (a client secret, its Basic
   * credential, a client assertion, a code_verifier): added to the run's registry, so they are masked in
   * every output, not only traces, and never shown with a prefix. Only secrets: a value listed here is
   * hidden wherever it appears, in any report.
   */
  secrets?: string[];
  /** Tokens this request carries (one being introspected, revoked or sent to userinfo): masked like secrets, but shown with a short prefix where a report names them. */
  tokens?: string[];
  /** Aborts the request (Ctrl-C); a CliError reason is rethrown as is, anything else becomes CANCELLED. */
  signal?: AbortSignal;
  /**
   * RFC 8705: present this client certificate in the TLS handshake (https only), on a connection pool of
   * its own so no other request shares the authenticated connection. Set by core/mtls.ts mtlsHttp for the
   * IdP's mTLS endpoints only.
   */
  clientCertificate?: { cert: string; key: string };
  /** Never present a client certificate on this request, even to an mTLS endpoint (the bound-token probe). */
  withoutClientCertificate?: boolean;
}

export interface HttpResponse {
  /** The URL requested (redirects are never followed, see `location`). */
  url: string;
  status: number;
  /** Lower-case header names; repeated headers joined with ", " (set-cookie with "\n"). */
  headers: Record<string, string>;
  body: Buffer;
  /** The parsed `Date` header, for clock-skew reports. */
  date: Date | undefined;
  /** For a 3xx: the Location header, reported to the caller rather than followed. */
  location: string | undefined;
  elapsedMs: number;
  text(): string;
  /**
   * The body parsed as JSON. Throws CliError PROTOCOL ("… answered 200 with text/html, not JSON")
   * when it is not JSON at all.
   */
  json(): unknown;
}

export interface HttpClient {
  request(request: HttpRequest): Promise<HttpResponse>;
  /** Registers a secret (client secret, code_verifier) to mask in every output, never shown with a prefix. */
  addSecret(value: string): void;
  /** Registers a token (code, access, refresh or ID token, device_code) to mask in every output; a redacted token keeps a short prefix. */
  addToken(value: string): void;
  close(): Promise<void>;
  /** True under --insecure: TLS certificates are not verified, so an https answer authenticates nothing. */
  readonly insecure?: boolean;
}

/** One request as the run's flow log records it (src/core/flow-log.ts): what identifies it, no content. */
export interface HttpExchange {
  method: string;
  url: string;
  status?: number;
  /** The `error` member of a JSON error body (RFC 6749 §5.2), when it is a short plain code. */
  oauthError?: string;
  /** The CliError code when no answer came (NETWORK, PROTOCOL, CANCELLED). */
  failure?: string;
  /** performance.now() when the request was sent. */
  startedAt: number;
  ms: number;
}

export interface HttpClientOptions {
  /** Connect, header and body timeout, each, in milliseconds. */
  timeoutMs: number;
  /**
   * When the whole operation must end (epoch ms, from --timeout): each request gets at most the time
   * left, so a command making several requests stays within one budget (PRODUCT.md "Durations").
   */
  deadline?: number;
  caFile: string | undefined;
  /** Allows plain http to non-loopback hosts (with a warning) and disables certificate checks. */
  insecure: boolean;
  verbose: number;
  showTokens: boolean;
  trace: (line: string) => void;
  warn: (line: string) => void;
  env: NodeJS.ProcessEnv;
  /** Told of every request once it has ended, answered or not (the run's flow log, for --html and --json). */
  onExchange?: (exchange: HttpExchange) => void;
  /** The run's secret registry (main.ts); a client of its own when absent (unit tests). */
  secrets?: SecretRegistry;
}
