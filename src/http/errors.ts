import { CliError } from '../errors.js';

/**
 * Turns what undici and Node throw into one-line CliErrors with a hint (PRODUCT.md "Exit codes": all
 * of these exit 3). The cause chain is searched because proxies and TLS wrap the original error.
 */

const SELF_SIGNED = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
]);
const EXPIRED = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);

export type TimeoutPhase = 'connect' | 'headers' | 'body' | 'total';

/** Raised by the client itself when its per-request deadline aborts the request. */
export class DeadlineError extends Error {
  constructor(readonly phase: TimeoutPhase) {
    super(`deadline (${phase})`);
  }
}

function codes(error: unknown): Array<{ code: string; error: Error }> {
  const out: Array<{ code: string; error: Error }> = [];
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 6; depth += 1) {
    const code = (current as NodeJS.ErrnoException).code;
    if (typeof code === 'string') out.push({ code, error: current });
    current = current.cause;
  }
  return out;
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

export function mapTransportError(error: unknown, url: string, timeoutMs: number): CliError {
  if (error instanceof CliError) return error;
  const target = new URL(url);
  const host = target.host;
  if (error instanceof DeadlineError) return timeoutError(error.phase, url, timeoutMs);
  const found = codes(error);
  const has = (test: (code: string) => boolean) => found.find((entry) => test(entry.code));

  if (has((c) => c === 'UND_ERR_CONNECT_TIMEOUT' || c === 'ETIMEDOUT')) return timeoutError('connect', url, timeoutMs);
  if (has((c) => c === 'UND_ERR_HEADERS_TIMEOUT')) return timeoutError('headers', url, timeoutMs);
  if (has((c) => c === 'UND_ERR_BODY_TIMEOUT')) return timeoutError('body', url, timeoutMs);

  const tls = has((c) => SELF_SIGNED.has(c) || EXPIRED.has(c) || c === 'ERR_TLS_CERT_ALTNAME_INVALID' || c.startsWith('ERR_SSL_') || c === 'EPROTO' || c.startsWith('CERT_') || c.startsWith('ERR_TLS_'));
  if (tls) {
    if (SELF_SIGNED.has(tls.code)) {
      return new CliError('TLS', `TLS: the certificate of ${host} is not trusted (${tls.code}: self-signed or issued by an unknown CA)`, {
        hint: 'trust the CA that issued it with --ca-file ca.pem (or NODE_EXTRA_CA_CERTS); --insecure skips the check for a throwaway test only',
        cause: error,
      });
    }
    if (EXPIRED.has(tls.code)) {
      return new CliError('TLS', `TLS: the certificate of ${host} ${tls.code === 'CERT_HAS_EXPIRED' ? 'has expired' : 'is not yet valid'}`, {
        hint: 'the IdP must renew its certificate; check this machine\'s clock too',
        cause: error,
      });
    }
    if (tls.code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
      return new CliError('TLS', `TLS: the certificate presented by ${host} is for another host name (${tls.error.message})`, {
        hint: 'use the host name the certificate was issued for, or fix the certificate\'s subjectAltName',
        cause: error,
      });
    }
    return new CliError('TLS', `TLS handshake with ${host} failed (${tls.code}: ${firstLine(tls.error.message)})`, {
      hint: 'is the port really https? A plain-http server on an https URL fails this way',
      cause: error,
    });
  }

  if (has((c) => c === 'ENOTFOUND' || c === 'EAI_AGAIN' || c === 'EAI_NONAME')) {
    return new CliError('NETWORK', `could not resolve host ${target.hostname}`, { hint: 'check the spelling of the URL, your DNS, and HTTPS_PROXY if you need a proxy', cause: error });
  }
  if (has((c) => c === 'ECONNREFUSED')) {
    return new CliError('NETWORK', `connection refused by ${host}`, { hint: 'is the server running and listening on that port?', cause: error });
  }
  if (has((c) => c === 'ECONNRESET' || c === 'UND_ERR_SOCKET' || c === 'EPIPE')) {
    return new CliError('NETWORK', `connection to ${host} was closed before a complete answer arrived`, { hint: 'the server or a proxy dropped the connection; retry, or run with -v to see how far it got', cause: error });
  }
  if (has((c) => c.startsWith('HPE_'))) {
    return new CliError('PROTOCOL', `${url} did not answer with valid HTTP (${firstLine((error as Error).message)})`, { hint: 'is the port right? An https server on an http URL fails this way', cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  const code = found[0]?.code;
  return new CliError('NETWORK', `request to ${host} failed: ${firstLine(message)}${code ? ` (${code})` : ''}`, { cause: error });
}

export function timeoutError(phase: TimeoutPhase, url: string, timeoutMs: number): CliError {
  const what = {
    connect: 'connecting to',
    headers: 'waiting for the response headers from',
    body: 'waiting for the rest of the response body from',
    total: 'waiting for the complete response from',
  }[phase];
  return new CliError('TIMEOUT', `timed out after ${seconds(timeoutMs)} ${what} ${new URL(url).host} (${url})`, {
    hint: 'raise --timeout if the server is just slow',
  });
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}
