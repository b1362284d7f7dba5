import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../../../src/checks/types.js';
import { FlowLog } from '../../../src/core/flow-log.js';
import { renderHtml, type HtmlOptions } from '../../../src/report/html.js';
import { emptyReport } from '../../../src/report/model.js';
import { SecretRegistry } from '../../../src/report/secrets.js';

const ISSUER = 'https://idp.example.com';
const check = (id: string, status: CheckResult['status'], message: string, extra: Partial<CheckResult> = {}): CheckResult => ({ id, status, message, spec: 'RFC 9700 §2.1.1', ...extra }) as CheckResult;

function options(log: FlowLog, mask: (text: string) => string = (text) => text): HtmlOptions {
  return { title: 'oidc-cli check', toolVersion: '0.1.0', issuer: ISSUER, generatedAt: new Date('2026-12-07T12:00:00Z'), warningsFail: false, flow: log, mask };
}

/** A login's worth of steps: discovery, the browser's round trip, the token request refused. */
function loginLog(): FlowLog {
  const log = new FlowLog(performance.now());
  const t = performance.now();
  log.exchange({ method: 'GET', url: `${ISSUER}/.well-known/openid-configuration?x=1`, status: 200, startedAt: t, ms: 12 });
  const ended = log.frontChannel(`${ISSUER}/authorize?client_id=app&state=s3cret-state`);
  ended({ via: 'query', params: [['code', 'the-code-value-123'], ['state', 's3cret-state'], ['iss', ISSUER]] });
  log.exchange({ method: 'POST', url: `${ISSUER}/token`, status: 400, oauthError: 'invalid_grant', startedAt: performance.now(), ms: 30 });
  log.exchange({ method: 'GET', url: 'https://api.example.com/userinfo', failure: 'NETWORK', startedAt: performance.now(), ms: 5 });
  return log;
}

const arrows = (html: string) => [...html.matchAll(/<g class="(arrow[^"]*)" data-from="([^"]*)" data-to="([^"]*)">/g)].map((m) => [m[1], m[2], m[3]]);

describe('the flow log (check/login --html, --json flow)', () => {
  it('keeps method, path, status and OAuth error codes; never a query or a parameter value', () => {
    const log = loginLog();
    expect(log.events.map(({ from, to, label, outcome, seen }) => ({ from, to, label, outcome, seen }))).toEqual([
      { from: 'oidc-cli', to: ISSUER, label: 'GET /.well-known/openid-configuration', outcome: '200', seen: true },
      { from: 'oidc-cli', to: 'browser', label: 'open /authorize', outcome: undefined, seen: true },
      { from: 'browser', to: ISSUER, label: 'GET /authorize (sign-in)', outcome: 'back to the listener', seen: false },
      { from: 'browser', to: 'listener', label: 'GET callback (code, state, iss)', outcome: undefined, seen: true },
      { from: 'oidc-cli', to: ISSUER, label: 'POST /token', outcome: '400 invalid_grant', seen: true },
      { from: 'oidc-cli', to: 'https://api.example.com', label: 'GET /userinfo', outcome: 'no answer (NETWORK)', seen: true },
    ]);
    expect(JSON.stringify(log.events)).not.toMatch(/s3cret-state|the-code-value|x=1/);
  });

  it('a leg with no response draws the sign-in only; an IdP error code is kept only when it is a plain token', () => {
    const log = new FlowLog();
    log.frontChannel(`${ISSUER}/authorize`, { refuse: true })(undefined);
    log.frontChannel(`${ISSUER}/authorize`)({ via: 'form_post', params: [['error', '<b>x</b>'], ['state', 's']] });
    log.frontChannel(`${ISSUER}/authorize`)({ via: 'query', params: [['error', 'access_denied']] });
    expect(log.events.map((e) => e.outcome ?? e.label)).toEqual([
      'open /authorize (asked to refuse)',
      'not back at the listener',
      'open /authorize',
      'back to the listener',
      'POST (form_post) callback (error, state)',
      'open /authorize',
      'back to the listener with error=access_denied',
      'GET callback (error)',
    ]);
  });

  it('lists steps in the order they started: an exchange logged when it ends goes where it began', () => {
    const start = performance.now();
    const log = new FlowLog(start);
    log.exchange({ method: 'GET', url: `${ISSUER}/slow`, status: 200, startedAt: start + 50, ms: 500 });
    log.exchange({ method: 'GET', url: `${ISSUER}/fast`, status: 200, startedAt: start + 10, ms: 5 });
    log.exchange({ method: 'GET', url: `${ISSUER}/same-time`, status: 200, startedAt: start + 50, ms: 5 });
    expect(log.events.map((e) => [e.at_ms, e.label])).toEqual([[10, 'GET /fast'], [50, 'GET /slow'], [50, 'GET /same-time']]);
  });

  it('stops growing at 2000 events and counts the rest', () => {
    const log = new FlowLog();
    for (let i = 0; i < 2100; i++) log.exchange({ method: 'POST', url: `${ISSUER}/device/token`, status: 400, oauthError: 'authorization_pending', startedAt: performance.now(), ms: 1 });
    expect([log.events.length, log.dropped]).toEqual([2000, 100]);
  });
});

describe('the HTML report', () => {
  it('draws one arrow per step, lanes for each party, dashed for what oidc-cli did not see', () => {
    const report = emptyReport('check');
    report.checks = [check('discovery.issuer_match', 'pass', 'identical'), check('probe.code_reuse', 'fail', 'accepted twice', { hint: 'Mark a code used.' })];
    const html = renderHtml(report, options(loginLog()));
    expect(arrows(html)).toEqual([
      ['arrow', 'oidc-cli', ISSUER],
      ['arrow', 'oidc-cli', 'browser'],
      ['arrow inferred', 'browser', ISSUER],
      ['arrow', 'browser', 'listener'],
      ['arrow refused', 'oidc-cli', ISSUER],
      ['arrow unanswered', 'oidc-cli', 'https://api.example.com'],
    ]);
    const lanes = [...html.matchAll(/class="lane-title">([^<]*)</g)].map((m) => m[1]);
    expect(lanes).toEqual(['oidc-cli', 'listener', 'browser', 'IdP', 'server']);
    expect(html).toContain('<title>oidc-cli check https://idp.example.com: FAIL</title>');
    expect(html).toMatch(/<section id="findings">[\s\S]*<a href="#check-1">✖ probe\.code_reuse<\/a> accepted twice/);
    expect(html).toContain('<div class="hint">hint: Mark a code used.</div>');
    expect(html).toContain('<a href="https://www.rfc-editor.org/rfc/rfc9700#section-2.1.1" rel="noreferrer">RFC 9700 §2.1.1</a>');
  });

  it('is self-contained: no script, no external asset, and a policy that forbids both', () => {
    const html = renderHtml(emptyReport('check'), options(loginLog()));
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|\ssrc=|@import|url\((?!#head\))/i);
  });

  it('a value an IdP chose is only text: markup, quotes and terminal controls are escaped', () => {
    const report = emptyReport('check');
    const hostile = '</td><script>alert(1)</script><img src=x onerror=alert(2)>"\'\u001b[2J\u202e';
    report.checks = [check('discovery.issuer_match', 'fail', hostile, { hint: hostile, spec: hostile })];
    report.sections = [
      { title: 'Check', kind: 'fields', fields: [['client_id', hostile]] },
      { title: hostile, kind: 'json', value: { [hostile]: hostile }, notes: { [hostile]: hostile } },
      { title: 'Keys', kind: 'table', columns: [hostile], rows: [[hostile]] },
      { title: 'Text', kind: 'text', text: hostile },
    ];
    report.steps = [{ name: hostile, ms: 1 }];
    const log = new FlowLog();
    log.add({ at_ms: 0, from: 'oidc-cli', to: `x" onmouseover="alert(3)`, label: hostile, outcome: hostile, seen: true });
    const html = renderHtml(report, { ...options(log), issuer: hostile });
    expect(html).not.toMatch(/<script|<img|<\/td><script|\u001b|\u202e/);
    expect(html).toContain('data-to="x&quot; onmouseover=&quot;alert(3)"');
    // Quotes are literal in text, where they are harmless; in an attribute they are escaped (above).
    expect(html).toContain(`&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;"'\\x1b[2J\\u202e`);
  });

  it('masks the run\'s secrets before escaping, so an escape cannot hide one', () => {
    const secrets = new SecretRegistry();
    const secret = 'pa<ss&wo"rd-1234';
    secrets.add(secret, 'secret');
    const report = emptyReport('check');
    report.checks = [check('token_response.error', 'fail', `the IdP echoed client_secret=${secret}`)];
    report.sections = [{ title: 'Token response', kind: 'json', value: { error_description: `bad secret ${secret}` } }];
    const html = renderHtml(report, options(new FlowLog(), (text) => secrets.mask(text)));
    expect(html).not.toContain('pa&lt;ss&amp;wo&quot;rd');
    expect(html).not.toContain('rd-1234');
  });

  it('a run that could not complete: the error, its exit code, and what was judged before', () => {
    const html = renderHtml({ checks: [check('discovery.issuer_match', 'pass', 'identical')], sections: [], steps: [] }, options(new FlowLog()), { message: 'connection refused', hint: 'is it running?', exitCode: 3 });
    expect(html).toContain('ERROR (exit 3)');
    expect(html).toContain('<p class="run-error">connection refused<br><span class="hint">hint: is it running?</span></p>');
    expect(html).toContain('<p>No request was sent.</p>');
    expect(html).toContain('discovery.issuer_match');
  });
});
