/**
 * The HTML the test IdP shows a user. Plain, script-free pages: browser.mjs reads them with
 * regular expressions and Chromium fills them like a person would. Every page carries a
 * `data-oidc-test` marker so a scripted browser can tell a login form from an error page.
 */

export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title: string, marker: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${escapeHtml(title)}</title>
  <style>body{font-family:system-ui,sans-serif;max-width:24rem;margin:3rem auto}label,input,button{display:block;width:100%;margin:.4rem 0}.error{color:#b00020}</style>
</head>
<body>
<main data-oidc-test="${marker}">
${body}
</main>
</body>
</html>`;
}

export interface LoginPageInput {
  action: string;
  denyAction: string;
  clientName: string;
  loginHint?: string;
  failed?: boolean;
}

export function loginPage({ action, denyAction, clientName, loginHint, failed }: LoginPageInput): string {
  const error = failed
    ? '<p class="error" role="alert" id="error">Invalid username or password.</p>'
    : '';
  return page('Sign in', 'login', `<h1>Sign in</h1>
<p>to continue to <strong>${escapeHtml(clientName)}</strong></p>
${error}
<form method="post" action="${escapeHtml(action)}" id="login-form">
  <label for="username">Username</label>
  <input id="username" type="text" name="username" autocomplete="username" value="${escapeHtml(loginHint)}" required autofocus>
  <label for="password">Password</label>
  <input id="password" type="password" name="password" autocomplete="current-password" required>
  <button type="submit" id="sign-in">Sign in</button>
</form>
<form method="post" action="${escapeHtml(denyAction)}" id="deny-form">
  <button type="submit" id="deny" name="deny" value="yes">Deny access</button>
</form>`);
}

export function errorPage(out: Record<string, unknown>): string {
  const rows = Object.entries(out)
    .map(([key, value]) => `<p><strong>${escapeHtml(key)}</strong>: <span id="${escapeHtml(key)}">${escapeHtml(value)}</span></p>`)
    .join('\n');
  return page('Sign-in error', 'error', `<h1>Something went wrong</h1>\n${rows}`);
}

/** Device flow (RFC 8628 §3.3): oidc-provider hands us its own form (with the xsrf field). */
export function deviceInputPage(form: string, error?: string): string {
  const message = error ? `<p class="error" role="alert" id="error">${escapeHtml(error)}</p>` : '<p>Enter the code shown on your device.</p>';
  return page('Device sign-in', 'device-input', `<h1>Device sign-in</h1>
${message}
${form}
<button type="submit" form="op.deviceInputForm" id="continue">Continue</button>`);
}

export function deviceConfirmPage(form: string, clientName: string, userCode: string): string {
  return page('Confirm device', 'device-confirm', `<h1>Confirm device</h1>
<p><strong>${escapeHtml(clientName)}</strong> asks to sign in. Check that your device shows <code id="user_code">${escapeHtml(userCode)}</code>.</p>
${form}
<button type="submit" form="op.deviceConfirmForm" id="confirm">Continue</button>
<button type="submit" form="op.deviceConfirmForm" id="abort" name="abort" value="yes">Abort</button>`);
}

export function deviceSuccessPage(clientName: string): string {
  return page('Device signed in', 'device-success', `<h1>Sign-in success</h1>
<p>${escapeHtml(clientName)} is signed in. You can close this page.</p>`);
}

export function deviceAbortedPage(): string {
  return page('Device sign-in cancelled', 'device-aborted', `<h1>Sign-in cancelled</h1>
<p>The device was not signed in. You can close this page.</p>`);
}

export function logoutPage(form: string, host: string): string {
  return page('Sign out', 'logout', `<h1>Sign out from ${escapeHtml(host)}?</h1>
${form}
<button type="submit" form="op.logoutForm" name="logout" value="yes" id="logout">Yes, sign me out</button>
<button type="submit" form="op.logoutForm" id="stay">No, stay signed in</button>`);
}

export function logoutSuccessPage(): string {
  return page('Signed out', 'logout-success', '<h1>Signed out</h1>');
}
