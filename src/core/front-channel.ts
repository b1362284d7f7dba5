import { CliError } from '../errors.js';
import { humanDuration } from '../util/duration.js';
import { buildAuthorizationUrl, isFrontChannelCredential } from './authorization.js';
import { startLoopback, type Loopback, type LoopbackOptions } from './loopback.js';
import { createPkce, randomValue } from './pkce.js';
import type { Browser } from './ports.js';
import type { FlowLog } from './flow-log.js';

/**
 * One authorization request without a person, for `check` and its probes: a loopback listener, the
 * authorization URL (with a probe's twist), the `--browser-command` hook that signs in headlessly and
 * follows the redirect, and a bounded wait for the response. Several may run at once, each with its own
 * listener on a random port; with a fixed port (--redirect-uri/--port) they take turns.
 */
export interface FrontChannelSettings {
  authorization_endpoint: string;
  client_id: string;
  scope: string;
  /** The `--browser-command` hook (src/ui/browser.ts browserFor), or an HTTP driver in unit tests. */
  browser: Browser;
  listener: LoopbackOptions;
  /** How long to wait for a response the IdP should send. */
  waitMs: () => number;
  /**
   * How long to watch for a response the IdP should refuse to send (an open redirect) when the browser
   * command does not end by itself; a command that gives up on an error page ends the wait at once.
   */
  refusalWaitMs: () => number;
  signal: AbortSignal;
  /** Lines for the trace (-v): which probe request is under way. */
  trace: (line: string) => void;
  /** Registers a code_verifier (the run's secret registry, via the HTTP client). */
  addSecret?: (value: string) => void;
  /** Registers a code or token that came back in the front channel. */
  addToken?: (value: string) => void;
  /** The run's flow log (--html, --json `flow`): each leg is recorded as the browser's round trip. */
  log?: FlowLog;
  /**
   * RFC 9126, when the IdP requires pushed requests: each leg's request is pushed first and the browser
   * gets the reference; a refused push is the leg's answer (`refused`: what the IdP said).
   */
  push?: (url: URL) => Promise<{ url: URL } | { refused: string }>;
  /**
   * RFC 9101: a leg's parameters as a request object, by value (client_id and request): 'signed' where
   * the IdP requires signed ones or with check --request-object (`signs`), 'none' for probe.jar_unsigned.
   */
  requestObject?: (url: URL, alg: 'signed' | 'none') => Promise<URL>;
  /** Every leg's request is signed (requestObject 'signed') unless the variant says otherwise. */
  signs?: boolean;
}

export interface AuthorizationVariant {
  /** S256 (default), plain (code_challenge = code_verifier), or none (no code_challenge at all). */
  pkce?: 'S256' | 'plain' | 'none';
  /** Parameters to leave out, e.g. response_type. */
  omit?: string[];
  /** Parameters to add (an unknown one, prompt=none). */
  extra?: Array<[string, string]>;
  /**
   * Send an unregistered redirect_uri, watched by a listener of its own: an arrival there is an open
   * redirect. 'path': another path; 'query': the registered path with a query added.
   */
  altered?: 'path' | 'query';
  /** The registered redirect URI on another loopback port (RFC 8252 §7.3), on a listener of its own. */
  otherPort?: boolean;
  /** Ask the browser to refuse the sign-in (OpenOptions.refuse: OIDC_CLI_SIGN_IN=deny for a command). */
  refuse?: boolean;
  /** The IdP is expected to refuse: wait only refusalWaitMs for a response. */
  expectRefusal?: boolean;
  /** Send the request through the browser even where requests are pushed (RFC 9126 probe.par_required). */
  plain?: boolean;
  /** The parameters as an unsigned request object, alg none (RFC 9101 probe.jar_unsigned). */
  unsignedRequestObject?: boolean;
  /**
   * Open this leg's browser URL again (a pushed request_uri used a second time, RFC 9126 §7.3), on a
   * listener at its port taking its state: nothing is built or pushed.
   */
  again?: Pick<FrontChannelOutcome, 'browser_url' | 'state' | 'port'>;
}

export interface FrontChannelOutcome {
  authorization_url: string;
  /** The redirect_uri sent in the request. */
  redirect_uri: string;
  /** Undefined when the request carried no code_challenge. */
  code_verifier: string | undefined;
  /** The authorization response at that redirect_uri, in order; undefined when none arrived. */
  response: Array<[string, string]> | undefined;
  /** Why no response arrived (the browser command gave up on an error page, or the wait ran out). */
  noResponse: string | undefined;
  /** What the browser was sent to: the request itself, or its pushed reference (client_id and request_uri). */
  browser_url?: string;
  /** The leg's state and listener port, to open the same browser URL again (variant `again`). */
  state?: string;
  port?: number;
}

/** At most this long for what the browser command sent to land after it exited (loopback.ts settled). */
const EXIT_GRACE_MS = 500;

/** The path of the altered redirect_uri: not the registered one, on a listener of its own. */
export const ALTERED_PATH = '/oidc-cli-probe/altered';
/** The query added for the 'query' alteration (RFC 9700 §2.1: redirect URIs are compared as exact strings). */
export const ALTERED_QUERY = 'oidc_cli_probe=altered';

export const param = (outcome: FrontChannelOutcome, name: string) => outcome.response?.find(([n]) => n === name)?.[1];

/** "error=login_required (\"…\")", "code (43 characters)", or why nothing came back: for messages. */
export function describeOutcome(outcome: FrontChannelOutcome): string {
  if (!outcome.response) return `no authorization response (${outcome.noResponse ?? 'unknown reason'})`;
  const error = param(outcome, 'error');
  if (error !== undefined) {
    const description = param(outcome, 'error_description');
    return `error=${error}${description ? ` ("${description}")` : ''}`;
  }
  const code = param(outcome, 'code');
  return code ? `a code (${code.length} characters)` : `a response without code or error (${outcome.response.map(([n]) => n).join(', ') || 'empty'})`;
}

/** A counting semaphore: at most `size` front-channel legs at once. */
export function gate(size: number): <T>(work: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: Array<() => void> = [];
  return async <T>(work: () => Promise<T>): Promise<T> => {
    if (active >= size) await new Promise<void>((resolve) => queue.push(resolve));
    active += 1;
    try {
      return await work();
    } finally {
      active -= 1;
      queue.shift()?.();
    }
  };
}

export interface FrontChannel {
  authorize(variant?: AuthorizationVariant): Promise<FrontChannelOutcome>;
  /**
   * One plain authorization request, run once and shared: when a probe's twisted request gets no answer
   * at all, this tells whether the twist was refused or the front channel does not work for anyone
   * (a redirect URI the IdP refuses, a sign-in the browser command cannot do).
   */
  control(): Promise<FrontChannelOutcome>;
}

export function frontChannel(settings: FrontChannelSettings, concurrency: number): FrontChannel {
  const fixedPort = settings.listener.port !== 0;
  const run = gate(fixedPort ? 1 : concurrency);
  let control: Promise<FrontChannelOutcome> | undefined;
  return {
    authorize: (variant = {}) => run(() => authorizeOnce(settings, variant)),
    control: () => (control ??= run(() => authorizeOnce(settings, {}))),
  };
}

/**
 * Why a probe that got no authorization response cannot judge: the plain request got none either.
 * Undefined when the plain request works (the probe's own request was refused: its verdict stands).
 */
export async function frontChannelBroken(front: FrontChannel): Promise<string | undefined> {
  const control = await front.control();
  return control.response ? undefined : `not even a plain authorization request came back (${control.noResponse}): the front channel does not work here (see diagnosis.redirect_uri, probe.loopback_any_port)`;
}

async function authorizeOnce(settings: FrontChannelSettings, variant: AuthorizationVariant): Promise<FrontChannelOutcome> {
  if (variant.again) return openAgain(settings, variant, variant.again);
  const listenerOptions: LoopbackOptions = variant.altered
    ? { host: '127.0.0.1', port: 0, path: variant.altered === 'path' ? ALTERED_PATH : settings.listener.path }
    : variant.otherPort
      ? // A port the system picks: another than the configured one (and than the login's random one).
        { ...settings.listener, port: 0 }
      : settings.listener;
  // Only a response carrying this leg's state is taken, so a stray request to the port cannot stand in
  // for the IdP's answer (and pass a probe that expects a refusal). No probe alters state today.
  const state = randomValue(16);
  const keepsState = !variant.omit?.includes('state') && !variant.extra?.some(([name]) => name === 'state');
  const listener = await startLoopback(keepsState ? { ...listenerOptions, state } : listenerOptions);
  const redirect_uri = variant.altered === 'query' ? `${listener.redirect_uri}?${ALTERED_QUERY}` : listener.redirect_uri;
  try {
    const pkce = createPkce();
    settings.addSecret?.(pkce.code_verifier);
    const url = buildAuthorizationUrl({
      authorization_endpoint: settings.authorization_endpoint,
      client_id: settings.client_id,
      redirect_uri,
      scope: settings.scope,
      state,
      nonce: randomValue(16),
      pkce,
    });
    const mode = variant.pkce ?? 'S256';
    if (mode !== 'S256') url.searchParams.delete('code_challenge_method');
    if (mode === 'none') url.searchParams.delete('code_challenge');
    if (mode === 'plain') {
      url.searchParams.set('code_challenge', pkce.code_verifier);
      url.searchParams.set('code_challenge_method', 'plain');
    }
    for (const name of variant.omit ?? []) url.searchParams.delete(name);
    for (const [name, value] of variant.extra ?? []) url.searchParams.set(name, value);
    settings.trace(`check: authorization request ${url.toString()}`);

    // Signed where the IdP requires it (the twist is inside the request object); unsigned for the JAR probe.
    const alg = variant.unsignedRequestObject ? 'none' : settings.signs ? 'signed' : undefined;
    const request = alg && settings.requestObject ? await settings.requestObject(url, alg) : url;
    const outcome = { authorization_url: request.toString(), redirect_uri, code_verifier: mode === 'none' ? undefined : pkce.code_verifier };
    // Pushed first where the IdP requires it: the twist travels in the push, and a refused push is a refusal.
    const pushed = settings.push && !variant.plain ? await settings.push(request) : undefined;
    if (pushed && 'refused' in pushed) return { ...outcome, response: undefined, noResponse: `the pushed authorization request was refused: ${pushed.refused}` };
    const browserUrl = pushed?.url ?? request;
    return await leg(settings, variant, listener, browserUrl, { ...outcome, browser_url: browserUrl.toString(), state, port: listener.port });
  } finally {
    await listener.close();
  }
}

/** The same browser URL a second time, on a listener at the first leg's port taking its state. */
async function openAgain(settings: FrontChannelSettings, variant: AuthorizationVariant, first: NonNullable<AuthorizationVariant['again']>): Promise<FrontChannelOutcome> {
  const listener = await startLoopback({ ...settings.listener, port: first.port ?? settings.listener.port, ...(first.state ? { state: first.state } : {}) });
  try {
    const outcome = { authorization_url: first.browser_url ?? '', redirect_uri: listener.redirect_uri, code_verifier: undefined, browser_url: first.browser_url, state: first.state, port: listener.port };
    return await leg(settings, variant, listener, new URL(first.browser_url ?? ''), outcome);
  } finally {
    await listener.close();
  }
}

/** Opens the browser at `browserUrl` and waits for the leg's answer at `listener`. */
async function leg(settings: FrontChannelSettings, variant: AuthorizationVariant, listener: Loopback, browserUrl: URL, outcome: Omit<FrontChannelOutcome, 'response' | 'noResponse'>): Promise<FrontChannelOutcome> {
  const waitMs = Math.max(1, variant.expectRefusal ? settings.refusalWaitMs() : settings.waitMs());
  const timeout = AbortSignal.timeout(waitMs);
  const received = listener.waitForCallback(AbortSignal.any([settings.signal, timeout]));
  received.catch(() => undefined);
  const legEnded = settings.log?.frontChannel(browserUrl.toString(), { refuse: variant.refuse === true });
  const browser = await settings.browser.open(browserUrl.toString(), variant.refuse ? { refuse: true } : {});
  // The browser command ending is the signal that nothing more will come (an error page, usually):
  // a response already on its way still lands before the leg is judged.
  const ended = browser.exited.then(async (exitCode) => {
    await listener.settled(EXIT_GRACE_MS);
    // Nothing more will come: a response refused for its state (an IdP that drops or garbles state) is
    // the leg's answer after all. Not at an altered redirect_uri, where any arrival means an open
    // redirect: there only a response with the leg's state counts.
    const stray = variant.altered ? undefined : listener.lastStray();
    if (stray) return { ...stray, reply: () => undefined };
    throw new Error(`the browser command ended (exit code ${exitCode}) before any response arrived`);
  });
  ended.catch(() => undefined);
  // A command that cannot start at all is a usage error for the whole run, not a probe outcome.
  const unusable = browser.failed.catch((error: unknown) => {
    if (error instanceof CliError && error.code === 'USAGE') throw error;
    return new Promise<never>(() => undefined);
  });
  try {
    const callback = await Promise.race([received, ended, unusable]);
    legEnded?.(callback);
    for (const [name, value] of callback.params) if (isFrontChannelCredential(name, value)) settings.addToken?.(value);
    callback.reply({ ok: true, title: 'oidc-cli check', message: 'The probe received this authorization response; the report is in the terminal.' });
    return { ...outcome, response: callback.params, noResponse: undefined };
  } catch (error) {
    if (settings.signal.aborted) throw new CliError('CANCELLED', 'check cancelled (Ctrl-C) while waiting for an authorization response');
    if (error instanceof CliError && error.code === 'USAGE') throw error; // the browser command cannot run at all
    legEnded?.(undefined);
    const reason = timeout.aborted ? `nothing arrived at ${listener.redirect_uri} within ${humanDuration(waitMs / 1000)}` : (error as Error).message;
    return { ...outcome, response: undefined, noResponse: reason };
  } finally {
    browser.stop();
  }
}
