// runCheck in-process against the real oidc-provider: the login, the lifecycle and every active probe,
// each browser run through the HTTP browser of test/support/http-browser-port.ts. No binary, no child process.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCheck, type CheckSettings } from '../../../src/core/check/run.js';
import { selection } from '../../../src/core/check/select.js';
import type { Browser } from '../../../src/core/ports.js';
import { isOk } from '../../../src/report/model.js';
import { httpBrowser } from '../../support/http-browser-port.js';
import { startIdp, type Idp } from '../../support/idp.js';
import { startProbeIdp, type ProbeFault } from '../../support/probe-idp.js';
import { recordingUi, testHttp } from './flow-deps.js';

let idp: Idp;
beforeAll(async () => {
  idp = await startIdp();
});
afterAll(async () => {
  await idp?.close();
});

function settings(overrides: Partial<CheckSettings> = {}): CheckSettings {
  return {
    issuer: idp.issuer,
    client: { client_id: idp.clients.basic.client_id, client_secret: idp.clients.basic.client_secret, method: 'client_secret_basic' },
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
    ...overrides,
  };
}

async function check(browser: Browser | undefined, overrides: Partial<CheckSettings> = {}) {
  const ui = recordingUi();
  const http = testHttp(ui);
  try {
    return { outcome: await runCheck(settings(overrides), { http, ui, browser, signal: new AbortController().signal }), ui };
  } finally {
    await http.close();
  }
}

const byId = (checks: Array<{ id: string; status: string; message: string }>) => Object.fromEntries(checks.map((c) => [c.id, c]));

describe('runCheck in-process', () => {
  it('confidential client with the HTTP browser: the user flow, the lifecycle and every probe pass (exit 0)', async () => {
    const { outcome } = await check(httpBrowser());
    expect(outcome.checks.filter((c) => c.status === 'fail' || c.status === 'warn')).toEqual([]);
    expect(isOk(outcome, true)).toBe(true);
    expect(outcome.mode).toBe('authorization_code');
    expect(outcome.noUserFlow).toBeUndefined();
    const checks = byId(outcome.checks);
    for (const id of ['authorization.state', 'id_token.signature', 'refresh.rotation', 'introspection.status', 'probe.code_reuse', 'probe.pkce_missing', 'probe.redirect_uri_altered', 'probe.prompt_none', 'probe.client_secret_wrong']) {
      expect([id, checks[id]?.status]).toEqual([id, 'pass']);
    }
    expect(checks['probe.redirect_uri_altered']!.message).toMatch(/the browser command ended \(exit code 1\) before any response arrived$/);
    expect(outcome.probes.every((p) => p.ran)).toBe(true);
  });

  it('no browser: client credentials, the user-flow probes skipped with the reason', async () => {
    const { outcome } = await check(undefined, { client: { client_id: idp.clients.machine.client_id, client_secret: idp.clients.machine.client_secret, method: 'client_secret_basic' } });
    expect(outcome.mode).toBe('client_credentials');
    const checks = byId(outcome.checks);
    expect(checks['probe.pkce_missing']).toMatchObject({ status: 'skip', message: 'no user flow: pass --browser-command CMD (a headless sign-in script) to run it' });
    expect(checks['probe.token_get']!.status).toBe('pass');
    expect(isOk(outcome, false)).toBe(true);
  });

  it('the user denies every sign-in: authorization.error fails and the lifecycle is skipped for want of tokens (exit 1)', async () => {
    const { outcome } = await check(httpBrowser({ deny: true }), { select: selection(['authorization', 'refresh'], undefined) });
    const checks = byId(outcome.checks);
    expect(checks['authorization.error']!.status).toBe('fail');
    expect(checks['refresh.grant']).toMatchObject({ status: 'skip', message: 'no tokens: the grant failed' });
    expect(isOk(outcome, false)).toBe(false);
  });
});

// The fault table of test/e2e/check-faults.test.ts, in-process: one fault each, exactly its checks fail.
describe('runCheck in-process against a purpose-built IdP with one fault', () => {
  const cases: Array<{ fault: ProbeFault; failing: string[] }> = [
    { fault: 'pkce_not_enforced', failing: ['probe.pkce_downgrade', 'probe.pkce_missing', 'probe.pkce_wrong'] },
    { fault: 'redirect_uri_unchecked', failing: ['probe.redirect_uri_altered'] },
    { fault: 'state_dropped', failing: ['authorization.state'] },
  ];
  for (const { fault, failing } of cases) {
    it(`${fault}: ${failing.join(', ')} fail, nothing else (exit 1)`, async () => {
      const probeIdp = await startProbeIdp({ faults: [fault] });
      try {
        const { outcome } = await check(httpBrowser(), { issuer: probeIdp.issuer, client: { client_id: probeIdp.clients.public.client_id, method: 'none' } });
        expect(outcome.checks.filter((c) => c.status === 'fail').map((c) => c.id).sort()).toEqual(failing);
        expect(isOk(outcome, false)).toBe(false);
      } finally {
        await probeIdp.close();
      }
    });
  }
});
