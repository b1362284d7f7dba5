import { CheckRecorder } from '../checks/recorder.js';
import type { HttpClient } from '../http/types.js';
import { redact } from '../util/redact.js';
import type { AuthorizationRequest } from './authorization.js';
import type { ClientCredentials, SigningKey } from './client-auth.js';
import type { KeySource } from './jwt/types.js';
import type { LoopbackOptions } from './loopback.js';
import type { FlowLog } from './flow-log.js';
import type { Browser, Ui } from './ports.js';
import { timer, type StepTiming, type Timed } from './timing.js';
import type { DpopKey } from './dpop.js';

// What the steps of a browser login share (login-flow.ts runs them, login-steps.ts holds steps 5-6):
// its own module, so neither of the two imports the other's internals.

/** Everything `oidc-cli login` decided from its options (src/commands/login.ts). */
export interface LoginSettings {
  issuer: string;
  client: ClientCredentials;
  /** False when the method was only implied by the credentials: discovery's list may then pick it. */
  clientAuthExplicit?: boolean;
  scope: string;
  listener: LoopbackOptions;
  request: Pick<AuthorizationRequest, 'response_mode' | 'prompt' | 'login_hint' | 'max_age' | 'acr_values' | 'resource' | 'audience' | 'extra'>;
  timeoutSeconds: number;
  clockSkew: number;
  showTokens: boolean;
  /** --insecure: plain http endpoints are acted on anywhere, not only on loopback. */
  insecure?: boolean;
  /** false with --no-diagnose: no experiments after a failed step. */
  diagnose?: boolean;
  /** --par: push the authorization request (RFC 9126); done anyway when the IdP requires it. */
  par?: boolean;
  /** --dpop: bind the tokens to a key of this run (RFC 9449). */
  dpop?: boolean;
  /** --dpop-key FILE: this key instead of a new one for the run. */
  dpopKey?: DpopKey | undefined;
  /** --request-object: sign the parameters as a request object (RFC 9101); done anyway when the IdP requires it. */
  requestObject?: boolean;
  /** --request-object-key: the key to sign it with; default the private_key_jwt key (client.privateKey). */
  requestObjectKey?: SigningKey | undefined;
}

export interface LoginDeps {
  http: HttpClient;
  ui: Ui;
  /** Where the authorization URL is opened (src/ui/browser.ts browserFor; an HTTP driver in unit tests). */
  browser: Browser;
  /** The clock the tokens' time claims are judged by, in seconds since the epoch; the wall clock by default. */
  now?: () => number;
  /** Ctrl-C (context.signal). */
  signal: AbortSignal;
  /** Aborted at the --timeout deadline of the whole login; default: settings.timeoutSeconds from now. */
  deadline?: AbortSignal;
  /** The run's flow log (--html, --json `flow`): the browser's round trip is recorded there. */
  log?: FlowLog;
}

/** What every step of one login shares: its settings, the checks so far, timings, redaction. */
export interface Flow {
  settings: LoginSettings;
  deps: LoginDeps;
  checks: CheckRecorder;
  steps: StepTiming[];
  timed: Timed;
  show(value: string): string;
  /** With --dpop: this login's key (RFC 9449), for the proofs and the judges. */
  dpop?: DpopKey | undefined;
}

/** The issuer as discovered: endpoints, keys, and the client authentication to use with it. */
export interface DiscoveredIssuer {
  issuer: string;
  metadata: Record<string, unknown>;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
  userinfo_endpoint: string | undefined;
  /** jwks_uri's keys, refetched on an unknown kid (core/remote-keys.ts). */
  keys: KeySource;
  client: ClientCredentials;
}

export function createFlow(settings: LoginSettings, deps: LoginDeps): Flow {
  const steps: StepTiming[] = [];
  return {
    settings,
    // A copy: with a client certificate, discovery swaps in the client that presents it (core/mtls.ts).
    deps: { ...deps },
    checks: new CheckRecorder(),
    steps,
    timed: timer(steps),
    show: (value) => redact(value, settings.showTokens),
  };
}

