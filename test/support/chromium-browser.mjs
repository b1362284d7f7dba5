#!/usr/bin/env node
// `--browser-command "node test/support/chromium-browser.mjs"`: the real-browser twin of
// browser.mjs. Opens the authorization URL (last argument) in headless Debian Chromium with a
// fresh profile, signs in on the test IdP's login page (OIDC_TEST_USERNAME / OIDC_TEST_PASSWORD,
// default demo/demo) and waits until the page lands on the redirect_uri. Exit 0, or 1 with one line.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const url = process.argv.at(-1);
const timeout = Number(process.env.OIDC_TEST_BROWSER_TIMEOUT ?? 20) * 1000;
const fail = (message) => {
  process.stderr.write(`chromium-browser.mjs: ${message}\n`);
  process.exitCode = 1;
};

if (!url || !/^https?:\/\//.test(url)) {
  fail('usage: chromium-browser.mjs AUTHORIZATION_URL (the URL must be the last argument)');
} else {
  const redirectUri = new URL(url).searchParams.get('redirect_uri');
  const idpOrigin = new URL(url).origin;
  const userDataDir = await mkdtemp(join(tmpdir(), 'oidc-cli-chromium-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: process.env.OIDC_TEST_CHROMIUM ?? '/usr/bin/chromium',
      headless: true,
      timeout,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const page = context.pages()[0] ?? await context.newPage();
    page.setDefaultTimeout(timeout);
    const landed = (target) => (redirectUri ? target.href.startsWith(redirectUri) : target.origin !== idpOrigin);
    await page.goto(url);
    if (!landed(new URL(page.url()))) {
      await page.fill('input[name="username"]', process.env.OIDC_TEST_USERNAME ?? 'demo');
      await page.fill('input[name="password"]', process.env.OIDC_TEST_PASSWORD ?? 'demo');
      await page.click('#sign-in');
      // Either the IdP sends us on to the redirect_uri, or it shows the form again with an error.
      const rejected = page.locator('#error');
      await Promise.race([page.waitForURL(landed, { waitUntil: 'load' }), rejected.waitFor()]);
      if (!landed(new URL(page.url()))) throw new Error(`sign-in rejected: ${(await rejected.textContent())?.trim()}`);
    }
  } catch (err) {
    fail(String(err?.message ?? err).split('\n')[0]);
  } finally {
    await context?.close().catch(() => undefined);
    await rm(userDataDir, { recursive: true, force: true });
  }
}
