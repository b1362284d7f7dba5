/**
 * The run as a sequence of messages between its parties, for the sequence diagram of `--html` and the
 * `flow` member of `--json`: every HTTP exchange oidc-cli made (fed by the HTTP client), and each
 * front-channel leg (the browser sent to the authorization endpoint, the response reaching the
 * listener). Only what identifies a step is kept — method, path, status, an OAuth error code,
 * parameter names — never a query, a body or a parameter's value, so nothing in it can be a secret.
 */
import type { HttpExchange } from '../http/types.js';
import { plainToken } from '../util/plain-token.js';
import type { CallbackResponse } from './authorization.js';

/** `oidc-cli`, `browser` and `listener`, or the origin of a server oidc-cli or the browser talked to. */
export type Party = string;

export interface FlowEvent {
  /** When the message was sent, in ms since the run started. */
  at_ms: number;
  from: Party;
  to: Party;
  /** What was sent, e.g. "POST /token". */
  label: string;
  /** What came back, e.g. "200", "400 invalid_grant", "no answer (NETWORK)". */
  outcome?: string;
  /** How long until the answer. */
  ms?: number;
  /**
   * false for what oidc-cli did not see but knows happened: the browser's visit to the authorization
   * endpoint (the sign-in), inferred from its being sent there and from what reached the listener.
   */
  seen: boolean;
}

/** How the response reached the listener, as the request the browser made. */
const VIA: Record<CallbackResponse['via'], string> = { query: 'GET', form_post: 'POST (form_post)', fragment: 'POST (fragment relayed)' };

/** A run that loops (device polling for minutes) must not grow without bound: later events are counted, not kept. */
const MAX_EVENTS = 2000;

export const CLI = 'oidc-cli';
export const BROWSER = 'browser';
export const LISTENER = 'listener';

function origin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'unknown';
  }
}

function path(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return '?';
  }
}

export class FlowLog {
  /** In the order the steps started (an exchange is logged when it ends, so it may be inserted before later ones). */
  readonly events: FlowEvent[] = [];
  /** Events past MAX_EVENTS, counted so the report can say the diagram is cut. */
  dropped = 0;
  private readonly start: number;

  constructor(start = performance.now()) {
    this.start = start;
  }

  /** ms since the run started, for `at` (or for a performance.now() reading). */
  since(time = performance.now()): number {
    return Math.max(0, Math.round(time - this.start));
  }

  add(event: FlowEvent): void {
    if (this.events.length >= MAX_EVENTS) return void (this.dropped += 1);
    let at = this.events.length;
    while (at > 0 && this.events[at - 1]!.at_ms > event.at_ms) at -= 1;
    this.events.splice(at, 0, event);
  }

  /** One request oidc-cli sent and what came of it (src/http/client.ts reports every one here). */
  exchange(exchange: HttpExchange): void {
    const answered = exchange.status === undefined ? `no answer (${exchange.failure ?? 'failed'})` : `${exchange.status}${exchange.oauthError ? ` ${exchange.oauthError}` : ''}`;
    this.add({ at_ms: this.since(exchange.startedAt), from: CLI, to: origin(exchange.url), label: `${exchange.method} ${path(exchange.url)}`, outcome: answered, ms: exchange.ms, seen: true });
  }

  /**
   * A front-channel leg starts: oidc-cli hands the authorization URL to the browser. Call the function
   * returned when the leg ends, with what reached the listener (or nothing).
   */
  frontChannel(authorizationUrl: string, options: { refuse?: boolean } = {}): (arrival: CallbackResponse | undefined) => void {
    const opened = performance.now();
    const label = `${path(authorizationUrl)}${options.refuse ? ' (asked to refuse)' : ''}`;
    this.add({ at_ms: this.since(opened), from: CLI, to: BROWSER, label: `open ${label}`, seen: true });
    return (arrival) => {
      const now = performance.now();
      const error = plainToken(arrival?.params.find(([name]) => name === 'error')?.[1]);
      this.add({
        at_ms: this.since(opened),
        from: BROWSER,
        to: origin(authorizationUrl),
        label: `GET ${label} (sign-in)`,
        outcome: arrival ? `back to the listener${error ? ` with error=${error}` : ''}` : 'not back at the listener',
        ms: Math.round(now - opened),
        seen: false,
      });
      if (!arrival) return;
      const names = [...new Set(arrival.params.map(([name]) => name))].filter((name) => plainToken(name) !== undefined).slice(0, 8);
      this.add({ at_ms: this.since(now), from: BROWSER, to: LISTENER, label: `${VIA[arrival.via]} callback (${names.join(', ') || 'no parameters'})`, seen: true });
    };
  }
}
