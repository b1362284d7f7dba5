// `check --html FILE` (issue 16): one self-contained page, opened in headless Chromium as a reader
// would open it. It must render with no console error and no request for anything outside the file,
// and its diagram must have one arrow for each step the run's --json `flow` says ran. The screenshot
// stays in test-output/ for a person to look at.
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_PATH, chromiumUnavailable } from '../support/chromium.js';
import { hasStackTrace, ROOT, runCli } from '../support/cli.js';
import { BROWSER_SCRIPT } from '../support/idp-flow.js';
import { startIdp, type Idp } from '../support/idp.js';

type FlowEvent = { at_ms: number; from: string; to: string; label: string; outcome?: string; seen: boolean };
type Doc = { ok: boolean; checks: Array<{ id: string; status: string }>; flow: FlowEvent[] };

const unavailable = await chromiumUnavailable();
if (unavailable) console.warn(`html-report.test.ts: the Chromium part is skipped: ${unavailable}`);
const ARTIFACTS = join(ROOT, 'test-output');

let idp: Idp;
let dir: string;
beforeAll(async () => {
  idp = await startIdp();
  dir = await mkdtemp(join(tmpdir(), 'oidc-html-'));
  await writeFile(join(dir, 'basic.secret'), idp.clients.basic.client_secret, { mode: 0o600 });
});
afterAll(async () => {
  await idp?.close();
  await rm(dir, { recursive: true, force: true });
});

const env = () => ({ XDG_CACHE_HOME: join(dir, 'cache'), XDG_CONFIG_HOME: join(dir, 'config'), BROWSER: undefined, OIDC_CLIENT_SECRET: undefined });

describe('check --html', () => {
  let html: string;
  let page: string;
  let doc: Doc;

  beforeAll(async () => {
    page = join(dir, 'report.html');
    const result = await runCli(
      ['check', '--issuer', idp.issuer, '--client-id', idp.clients.basic.client_id, '--client-secret-file', join(dir, 'basic.secret'), '--browser-command', `node ${BROWSER_SCRIPT}`, '--only', 'discovery.issuer_match,id_token.signature,userinfo,probe.pkce_missing', '--html', page, '--json'],
      { env: env(), timeoutMs: 100_000 },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(hasStackTrace(result.stderr)).toBe(false);
    doc = result.json<Doc>();
    html = await readFile(page, 'utf8');
  }, 120_000);

  it('is written 0600, with the checks of --json and every step of the run: the login, the probe and their requests', async () => {
    expect((await stat(page)).mode & 0o777).toBe(0o600);
    for (const check of doc.checks) expect(html).toContain(`<td class="id">${check.id}</td>`);
    const steps = doc.flow.map((event) => `${event.from} → ${event.to === idp.issuer ? 'IdP' : event.to}: ${event.label}`);
    // Two front-channel legs (the login, the PKCE probe), each with its redirect to the listener.
    expect(steps.filter((step) => step === 'oidc-cli → browser: open /auth')).toHaveLength(2);
    expect(steps.filter((step) => step === 'browser → listener: GET callback (code, state, iss)')).toHaveLength(2);
    for (const step of ['oidc-cli → IdP: GET /.well-known/openid-configuration', 'oidc-cli → IdP: POST /token', 'oidc-cli → IdP: GET /me', 'browser → IdP: GET /auth (sign-in)']) expect(steps).toContain(step);
    // The probe's redemption without code_verifier, refused as it should be.
    expect(doc.flow.some((event) => event.label === 'POST /token' && event.outcome === '400 invalid_grant')).toBe(true);
  });

  it('holds no secret and no token: the client secret, codes and tokens stay out', () => {
    expect(html).not.toContain(idp.clients.basic.client_secret);
    expect(html).not.toMatch(/eyJ[\w-]{10,}\.[\w-]{10,}/);
    expect(html).not.toMatch(/code=|state=[\w-]/);
  });

  it.skipIf(unavailable)('renders in headless Chromium: no console error, nothing fetched, one arrow per step', async () => {
    const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
    try {
      const tab = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const problems: string[] = [];
      tab.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warning') problems.push(`${message.type()}: ${message.text()}`);
      });
      tab.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
      const fetched: string[] = [];
      tab.on('request', (request) => {
        if (request.url() !== pathToFileURL(page).href) fetched.push(request.url());
      });
      await tab.goto(pathToFileURL(page).href, { waitUntil: 'load' });
      expect(await tab.title()).toBe(`oidc-cli check ${idp.issuer}: PASS`);
      const arrows = await tab.locator('svg g.arrow').evaluateAll((nodes) => nodes.map((node) => [node.getAttribute('data-from'), node.getAttribute('data-to')]));
      // The flow is in the order the steps started, and so are the arrows, top to bottom.
      expect(doc.flow.map((event) => event.at_ms)).toEqual(doc.flow.map((event) => event.at_ms).sort((a, b) => a - b));
      expect(arrows).toEqual(doc.flow.map((event) => [event.from, event.to]));
      // Drawn, not just present: the diagram has a size and every arrow a visible line.
      const box = await tab.locator('svg').boundingBox();
      expect(box!.width).toBeGreaterThan(400);
      expect(box!.height).toBeGreaterThan(40 * doc.flow.length * 0.5);
      expect(await tab.locator('svg g.arrow line').count()).toBe(doc.flow.length);
      expect(await tab.locator('#checks tr').count()).toBe(doc.checks.length);
      await mkdir(ARTIFACTS, { recursive: true });
      await tab.screenshot({ path: join(ARTIFACTS, 'check-report.png'), fullPage: true });
      expect(problems).toEqual([]);
      expect(fetched).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);

  it('a run that cannot complete still writes the page, with the error and exit code inside', async () => {
    const failed = join(dir, 'unreachable.html');
    const result = await runCli(['check', '--issuer', 'http://127.0.0.1:9', '--client-id', 'x', '--html', failed], { env: env() });
    expect(result.code).toBe(3);
    const text = await readFile(failed, 'utf8');
    expect(text).toContain('ERROR (exit 3)');
    expect(text).toMatch(/<p class="run-error">[^<]*127\.0\.0\.1:9/);
    expect(text).toMatch(/class="arrow unanswered" data-from="oidc-cli" data-to="http:\/\/127\.0\.0\.1:9"/);
  });
});

describe('login --html', () => {
  it('the page of a login: one arrow per step from discovery to userinfo, the ID token claims, no token or code', async () => {
    const page = join(dir, 'login.html');
    const result = await runCli(['login', '--issuer', idp.issuer, '--client-id', idp.clients.public.client_id, '--browser-command', `node ${BROWSER_SCRIPT}`, '--html', page, '--json'], { env: env(), timeoutMs: 60_000 });
    expect(result.code, result.stderr).toBe(0);
    const doc = result.json<{ flow: FlowEvent[]; callback: Record<string, string> }>();
    const html = await readFile(page, 'utf8');
    expect(doc.flow.map((event) => event.label)).toEqual(['GET /.well-known/openid-configuration', 'GET /jwks', 'open /auth', 'GET /auth (sign-in)', 'GET callback (code, state, iss)', 'POST /token', 'GET /me']);
    expect([...html.matchAll(/<g class="arrow/g)]).toHaveLength(doc.flow.length);
    expect(html).toMatch(/<h2>ID token \(alg RS256, kid [^)]+\)<\/h2><pre>\{\n {2}"sub": "/);
    // The code is shown as the terminal and --json show it (masked), the tokens redacted: none whole.
    expect(html).toContain(`<dt>code</dt><dd>${doc.callback.code}</dd>`);
    expect(html).not.toMatch(/eyJ[\w-]{10,}\.eyJ[\w-]{10,}\.[\w-]{20,}/);
  }, 90_000);
});
