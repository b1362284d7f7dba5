import { maskValues } from '../report/secrets.js';
import { maskBody, maskHeader, maskUrl, secretsIssued, secretsSent, type Credentials } from './mask.js';

/** -v: request and status lines plus headers; -vv: bodies too (up to BODY_LIMIT characters). */
const BODY_LIMIT = 8 * 1024;

export interface Tracer {
  request(method: string, url: string, headers: Record<string, string>, body: string | undefined): void;
  response(status: number, statusText: string, elapsedMs: number, headers: Record<string, string>, body: Buffer | undefined): void;
  /** No response: the one-line reason (timeout, refused, TLS...). */
  failure(message: string): void;
  /** Every value masked by name so far (codes, tokens), to be masked wherever else they appear. */
  readonly found: Set<string>;
}

export interface TracerOptions {
  verbose: number;
  showTokens: boolean;
  trace: (line: string) => void;
  /** The last pass on every line: the run's known secrets (SecretRegistry.mask). */
  mask: (text: string) => string;
  /**
   * Called with every secret a request sends and every credential a response issues, traced or not, so
   * the run's registry (src/report/secrets.ts) masks them in every output, not only in traces.
   */
  register?: (value: string, kind: 'secret' | 'token') => void;
}

export function createTracer(options: TracerOptions): Tracer {
  const found = new Set<string>();
  const clean = (text: string) => (options.showTokens ? text : options.mask(maskValues(text, found)));
  const header = (name: string, value: string) => (options.showTokens ? value : maskHeader(name, value));
  const body = (text: string): string => {
    // Masked before it is cut: a secret straddling BODY_LIMIT would otherwise leak its first characters.
    const masked = clean(options.showTokens ? text : maskBody(text, found));
    return masked.length > BODY_LIMIT ? `${masked.slice(0, BODY_LIMIT)}\n… (${masked.length - BODY_LIMIT} more characters)` : masked;
  };
  const register = ({ secrets, tokens }: Credentials) => {
    for (const secret of secrets) options.register?.(secret, 'secret');
    for (const token of tokens) options.register?.(token, 'token');
  };
  const emit = (prefix: string, text: string) => {
    for (const line of text.split('\n')) options.trace(`${prefix}${line}`);
  };

  return {
    found,
    request(method, url, headers, requestBody) {
      register(secretsSent(url, headers, requestBody));
      // Mask by name first (collects the values), then by value, so nothing leaks in the URL line.
      if (!options.showTokens && requestBody !== undefined) maskBody(requestBody, found);
      if (options.verbose < 1) return;
      emit('> ', clean(`${method} ${options.showTokens ? url : maskUrl(url, found)}`));
      for (const [name, value] of Object.entries(headers)) emit('> ', clean(`${name}: ${header(name, value)}`));
      if (options.verbose >= 2 && requestBody !== undefined && requestBody !== '') {
        options.trace('>');
        emit('> ', body(requestBody));
      }
    },
    failure(message) {
      if (options.verbose >= 1) emit('! ', clean(message));
    },
    response(status, statusText, elapsedMs, headers, responseBody) {
      if (responseBody !== undefined && responseBody.length > 0) register(secretsIssued(responseBody.toString('utf8')));
      if (!options.showTokens && responseBody !== undefined) maskBody(responseBody.toString('utf8'), found);
      if (options.verbose < 1) return;
      emit('< ', `HTTP ${status}${statusText ? ` ${statusText}` : ''} (${elapsedMs} ms)`);
      for (const [name, value] of Object.entries(headers)) emit('< ', clean(`${name}: ${header(name, value)}`));
      if (options.verbose >= 2 && responseBody !== undefined && responseBody.length > 0) {
        options.trace('<');
        emit('< ', body(responseBody.toString('utf8')));
      }
    },
  };
}
