import type { CheckRecorder } from '../checks/recorder.js';
import { CliError } from '../errors.js';
import type { HttpClient, HttpResponse } from '../http/types.js';
import type { ClientCredentials } from './client-auth.js';
import { jsonObject, postForm } from './client-request.js';
import { requestToken, type TokenExchange } from './token-endpoint.js';
import { show } from '../util/show.js';
import { isLoopback } from '../http/loopback.js';

/** RFC 8628 §3.2, after judging: what the user is shown and what the client polls with. */
export interface DeviceAuthorization {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete: string | undefined;
  expires_in: number;
  /** Seconds between polls (RFC 8628 §3.2: 5 when absent). */
  interval: number;
}

export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/** RFC 8628 §3.2: 5 seconds when the IdP names no interval. */
const DEFAULT_INTERVAL = 5;
/** A device code is meant to live minutes (RFC 8628 §3.2 suggests 1800 s); past a day it is a broken value. */
const MAX_DEVICE_CODE_LIFETIME = 86400;

/** RFC 8628 §3.1: client_id (or client authentication) and scope, form-encoded. */
export function requestDeviceAuthorization(http: HttpClient, endpoint: string, client: ClientCredentials, params: Array<[string, string]>, issuer: string): Promise<HttpResponse> {
  return postForm(http, endpoint, params, client, { assertionAudience: issuer });
}

function isSafePage(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url.hostname));
  } catch {
    return false;
  }
}

/** Judges the device authorization response (pure). Undefined when it cannot be used. */
export function judgeDeviceAuthorization(response: HttpResponse, c: CheckRecorder): DeviceAuthorization | undefined {
  const body = jsonObject(response);
  if (response.status !== 200 || !body) {
    const error = typeof body?.error === 'string' ? ` ${body.error}${typeof body.error_description === 'string' ? ` ("${body.error_description}")` : ''}` : '';
    c.violation('device.authorization_response', `HTTP ${response.status}${error}${body ? '' : ', not a JSON object'}; expected 200 JSON`);
    return undefined;
  }
  const missing = ['device_code', 'user_code', 'verification_uri'].filter((name) => typeof body[name] !== 'string' || body[name] === '');
  const expires = body.expires_in;
  if (expires === undefined) missing.push('expires_in');
  else if (typeof expires !== 'number' || !Number.isInteger(expires) || expires <= 0) missing.push(`expires_in (${show(expires)}, expected a positive integer of seconds)`);
  else if (expires > MAX_DEVICE_CODE_LIFETIME) missing.push(`expires_in (${expires} s, out of range: more than a day)`);
  // A poll every millisecond would hammer the IdP; one less often than the code lives never happens.
  const interval = body.interval === undefined ? DEFAULT_INTERVAL : body.interval;
  if (typeof interval !== 'number' || !Number.isFinite(interval) || interval < 1) missing.push(`interval (${show(interval)}, expected at least 1 second)`);
  else if (typeof expires === 'number' && interval > expires) missing.push(`interval (${interval} s, longer than expires_in ${show(expires)})`);
  if (missing.length) {
    c.violation('device.authorization_response', `missing or mistyped: ${missing.join(', ')}`);
    return undefined;
  }
  c.pass('device.authorization_response', `user_code ${show(body.user_code)}, expires in ${show(expires)} s, poll every ${interval} s${body.interval === undefined ? ' (default)' : ''}`);
  const verification_uri = body.verification_uri as string;
  const complete = typeof body.verification_uri_complete === 'string' ? body.verification_uri_complete : undefined;
  // The page the user scans or clicks is as much a phishing target as the one they type (RFC 8628 §5.4).
  const unsafe = [['verification_uri', verification_uri], ['verification_uri_complete', complete]].filter(([, page]) => page !== undefined && !isSafePage(page));
  if (unsafe.length) c.violation('device.verification_uri_https', unsafe.map(([name, page]) => `${name} is ${page}`).join('; '));
  else c.pass('device.verification_uri_https', `${verification_uri}${/^http:/.test(verification_uri) ? ' (loopback http, allowed for tests)' : ''}`);
  if (complete) c.pass('device.verification_uri_complete', complete);
  else if (body.verification_uri_complete !== undefined) c.violation('device.verification_uri_complete', `verification_uri_complete is ${show(body.verification_uri_complete)}, not a string`);
  else c.violation('device.verification_uri_complete', 'no verification_uri_complete: the user has to type the code');
  return { device_code: body.device_code as string, user_code: body.user_code as string, verification_uri, verification_uri_complete: complete, expires_in: expires as number, interval: interval as number };
}

export interface PollOptions {
  token_endpoint: string;
  client: ClientCredentials;
  device_code: string;
  interval: number;
  /** Epoch milliseconds after which polling stops (expires_in or --timeout, whichever first). */
  deadline: number;
  signal: AbortSignal;
  /** Injected in tests; waits `ms` or rejects when the signal aborts. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  now?: () => number;
  onPoll?: (attempt: number, error: string | undefined, interval: number) => void;
}

export interface PollResult {
  exchange: TokenExchange;
  polls: number;
  slowDowns: number;
}

function defaultSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason instanceof CliError ? signal.reason : new CliError('CANCELLED', 'cancelled'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * RFC 8628 §3.4-3.5: poll the token endpoint every `interval` seconds; authorization_pending means
 * wait, slow_down adds 5 seconds for this and every later poll, access_denied and expired_token end
 * the login (exit 4). Any other answer (success or another error) is returned for judging.
 */
export async function pollForTokens(http: HttpClient, options: PollOptions, c: CheckRecorder): Promise<PollResult> {
  const sleep = options.sleep ?? defaultSleep;
  const now = options.now ?? Date.now;
  let interval = options.interval;
  let polls = 0;
  let slowDowns = 0;
  const oddAnswers: string[] = [];
  const finish = () => {
    if (oddAnswers.length) c.violation('device.poll_errors', oddAnswers.join('; '));
    else c.pass('device.poll_errors', `${polls} poll(s)${slowDowns ? `, ${slowDowns} slow_down` : ''}: answered with the RFC 8628 codes`);
  };
  for (;;) {
    if (now() + interval * 1000 > options.deadline) {
      finish();
      throw new CliError('CANCELLED', `the device code expired (or --timeout was reached) before the sign-in was finished, after ${polls} poll(s)`, { hint: 'start again and complete the sign-in on the other device sooner' });
    }
    await sleep(interval * 1000, options.signal);
    polls += 1;
    const exchange = await requestToken(http, { token_endpoint: options.token_endpoint, params: [['grant_type', DEVICE_CODE_GRANT], ['device_code', options.device_code]], client: options.client });
    const { status } = exchange.response;
    const body = jsonObject(exchange.response);
    const error = typeof body?.error === 'string' ? body.error : undefined;
    options.onPoll?.(polls, error, interval);
    if ((error === 'authorization_pending' || error === 'slow_down') && status !== 400) oddAnswers.push(`${error} came with HTTP ${status}, expected 400 (RFC 6749 §5.2)`);
    if (!error) {
      finish();
      return { exchange, polls, slowDowns };
    }
    if (error === 'authorization_pending') continue;
    if (error === 'slow_down') {
      slowDowns += 1;
      interval += 5;
      continue;
    }
    finish();
    if (error === 'access_denied') throw new CliError('CANCELLED', 'the sign-in was refused on the other device (access_denied)');
    if (error === 'expired_token') throw new CliError('CANCELLED', 'the device code expired before the sign-in was finished (expired_token)', { hint: 'start again and complete the sign-in sooner' });
    return { exchange, polls, slowDowns };
  }
}
