/**
 * Drives Debian's Chromium (headless, through playwright-core) through the test IdP's real sign-in
 * page, for the one test per flow that must prove a real browser gets through, not just fetch.
 */
import { access, mkdtemp, rm } from 'node:fs/promises';
import { constants } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const CHROMIUM_PATH = process.env.OIDC_TEST_CHROMIUM ?? '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Why Chromium tests must skip on this machine, or undefined when they can run. */
export async function chromiumUnavailable(): Promise<string | undefined> {
  try {
    await access(CHROMIUM_PATH, constants.X_OK);
    return undefined;
  } catch {
    return `${CHROMIUM_PATH} not found (apt-get install chromium, or set OIDC_TEST_CHROMIUM)`;
  }
}

export async function chromiumAvailable(): Promise<boolean> {
  return (await chromiumUnavailable()) === undefined;
}

export interface ChromiumSignIn {
  /** The URL the browser landed on: the loopback redirect_uri with the authorization response. */
  landedOn: URL;
  /** Titles of the pages the user saw on the way (e.g. ["Sign in"]). */
  pages: string[];
}

export interface ChromiumSignInOptions {
  username?: string;
  password?: string;
  /** Where the flow ends: the redirect_uri prefix (default: any http://127.0.0.1 URL off the IdP). */
  redirectUri?: string;
  timeoutMs?: number;
}

/**
 * Opens `url` in a fresh headless Chromium profile, signs in on the IdP's login page like a person
 * (type, click), and waits until the browser is sent to the loopback redirect_uri.
 */
export async function signInWithChromium(url: string, options: ChromiumSignInOptions = {}): Promise<ChromiumSignIn> {
  const timeout = options.timeoutMs ?? 20_000;
  const redirectUri = options.redirectUri ?? new URL(url).searchParams.get('redirect_uri') ?? undefined;
  const idpOrigin = new URL(url).origin;
  const userDataDir = await mkdtemp(join(tmpdir(), 'oidc-cli-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ARGS,
    timeout,
  });
  try {
    const page = context.pages()[0] ?? await context.newPage();
    page.setDefaultTimeout(timeout);
    const pages: string[] = [];
    const isCallback = (target: URL) => (redirectUri ? target.href.startsWith(redirectUri) : target.origin !== idpOrigin);

    await page.goto(url);
    const form = page.locator('form#login-form');
    await form.waitFor();
    pages.push(await page.title());
    await page.fill('input[name="username"]', options.username ?? 'demo');
    await page.fill('input[name="password"]', options.password ?? 'demo');
    await page.click('#sign-in');
    // Either the IdP sends the browser on to the redirect_uri, or shows the form again with an error.
    const rejected = page.locator('#error');
    await Promise.race([page.waitForURL(isCallback, { waitUntil: 'load' }), rejected.waitFor()]);
    if (!isCallback(new URL(page.url()))) throw new Error(`sign-in rejected: ${(await rejected.textContent())?.trim()}`);
    return { landedOn: new URL(page.url()), pages };
  } finally {
    await context.close();
    await rm(userDataDir, { recursive: true, force: true });
  }
}
