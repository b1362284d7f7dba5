#!/usr/bin/env node
// A scripted "browser" for headless logins: `node test/support/browser.mjs [...] AUTHORIZATION_URL`.
// Give it to oidc-cli as `--browser-command "node test/support/browser.mjs"` (the URL comes last).
// Over plain HTTP (fetch, manual redirects, a cookie jar) it follows the IdP's redirects, signs in
// with OIDC_TEST_USERNAME / OIDC_TEST_PASSWORD (default demo/demo), submits consent and
// auto-submitting forms (response_mode=form_post, device flow), and delivers the final redirect to
// the loopback redirect_uri. Exit 0 once delivered (or on a device flow's success page); otherwise
// one line on stderr and exit 1. OIDC_TEST_BROWSER_MODE=deny presses "deny" instead of signing in, and so
// does OIDC_CLI_SIGN_IN=deny, which oidc-cli sets when a probe asks the sign-in to be refused.
// OIDC_TEST_BROWSER_TIMEOUT (seconds, default 15) bounds the whole run.

import { BrowserError, signIn } from './http-browser.mjs';

const timeoutMs = Number(process.env.OIDC_TEST_BROWSER_TIMEOUT ?? 15) * 1000;
const signal = AbortSignal.timeout(timeoutMs);

function fail(message) {
  process.stderr.write(`browser.mjs: ${message}\n`);
  process.exit(1);
}

signIn(process.argv.at(-1), {
  username: process.env.OIDC_TEST_USERNAME,
  password: process.env.OIDC_TEST_PASSWORD,
  deny: process.env.OIDC_TEST_BROWSER_MODE === 'deny' || process.env.OIDC_CLI_SIGN_IN === 'deny',
  signal,
}).then(
  () => process.exit(0),
  (err) => {
    const reason = err instanceof BrowserError ? err.message : err?.name === 'TimeoutError' || signal.aborted ? `timed out after ${timeoutMs / 1000}s` : (err?.cause?.message ?? err?.message ?? String(err));
    fail(reason);
  },
);
