/**
 * The deps a flow of src/core needs, built for a unit test: the real HTTP client (no TLS, plain http on
 * loopback), a Ui that records what it was told, and the in-process HTTP browser. No binary is spawned.
 */
import { Chalk } from 'chalk';
import type { ClientCredentials } from '../../../src/core/client-auth.js';
import type { LoginSettings } from '../../../src/core/login-flow.js';
import type { CheckSettings } from '../../../src/core/check/run.js';
import { selection } from '../../../src/core/check/select.js';
import { createHttpClient } from '../../../src/http/client.js';
import type { Ui } from '../../../src/core/ports.js';

export interface RecordingUi extends Ui {
  lines: { step: string[]; warn: string[]; prompt: string[] };
}

export function recordingUi(): RecordingUi {
  const lines = { step: [] as string[], warn: [] as string[], prompt: [] as string[] };
  return {
    lines,
    chalk: new Chalk({ level: 0 }),
    step: (title) => void lines.step.push(title),
    detail: () => undefined,
    explain: () => undefined,
    warn: (line) => void lines.warn.push(line),
    prompt: (line) => void lines.prompt.push(line),
    trace: () => undefined,
    spinner: async () => () => undefined,
  };
}

export function testHttp(ui: Ui) {
  return createHttpClient({ timeoutMs: 5_000, caFile: undefined, insecure: false, verbose: 0, showTokens: false, trace: ui.trace, warn: ui.warn, env: {} });
}

/** What `oidc-cli login` would decide from bare flags: a random loopback port, query response mode, diagnosis on. */
export function loginSettings(issuer: string, client: ClientCredentials, overrides: Partial<LoginSettings> = {}): LoginSettings {
  return {
    issuer,
    client,
    scope: 'openid profile email',
    listener: { host: '127.0.0.1', port: 0, path: '/callback' },
    request: { response_mode: 'query', extra: [] },
    timeoutSeconds: 20,
    clockSkew: 60,
    showTokens: false,
    diagnose: true,
    ...overrides,
  };
}

/** What `oidc-cli check` would decide from bare flags (random port, 4 browser runs, nothing selected away), for `issuer` and `client`. */
export function checkSettings(settings: Partial<CheckSettings> & Pick<CheckSettings, 'issuer' | 'client'>): CheckSettings {
  return {
    scope: 'openid profile email',
    clientCredentialsScope: undefined,
    listener: { host: '127.0.0.1', port: 0, path: '/callback' },
    timeoutSeconds: 60,
    clockSkew: 60,
    showTokens: false,
    destructive: false,
    expectRotation: undefined,
    concurrency: 4,
    select: selection(undefined, undefined),
    ...settings,
  };
}
