// The plain-HTTP "browser" of the tests, as a function: `signIn(url, options)` follows the IdP's
// redirects (node:http, manual redirects, a cookie jar), signs in, submits consent and auto-submitting forms
// (response_mode=form_post, device flow), and delivers the final redirect to the redirect_uri.
// browser.mjs runs it as a --browser-command; test/support/http-browser-port.ts hands it to a flow in-process
// (kubelogin's HTTP browser driver in its integration tests is the model).

import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

const MAX_STEPS = 25;

/**
 * One HTTP exchange, redirects not followed, the body read whole (unless `readBody` is false). node:http rather than fetch: fetch's
 * first use loads Node's bundled undici, about 100 ms of CPU in every browser run (a `check` starts
 * fifteen). A fresh connection each time (no agent): nothing outlives the walk.
 */
function exchange(url, { method = 'GET', headers = {}, body, signal } = {}, readBody = true) {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const sent = body === undefined ? headers : { ...headers, 'content-length': Buffer.byteLength(body) };
    const req = send(url, { method, headers: sent, signal, agent: false }, (res) => {
      if (!readBody) {
        res.resume().on('error', () => undefined);
        resolve({ status: res.statusCode ?? 0 });
        return;
      }
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        resolve({ status, ok: status >= 200 && status < 300, location: res.headers.location, setCookies: res.headers['set-cookie'] ?? [], text: Buffer.concat(chunks).toString('utf8') });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Why the walk stopped short: one line, as browser.mjs prints it. */
export class BrowserError extends Error {}

// --- cookies (RFC 6265, the parts an IdP's session needs: host, path, expiry) ---------------
function storeCookies(jar, url, response) {
  for (const header of response.setCookies) {
    const [pair, ...attributes] = header.split(';');
    const eq = pair.indexOf('=');
    if (eq < 1) continue;
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    let path = '/';
    let expired = value === '';
    for (const attribute of attributes) {
      const [key, ...rest] = attribute.trim().split('=');
      const val = rest.join('=');
      if (/^path$/i.test(key) && val.startsWith('/')) path = val;
      if (/^max-age$/i.test(key) && Number(val) <= 0) expired = true;
      if (/^expires$/i.test(key) && Date.parse(val) < Date.now()) expired = true;
    }
    const key = `${url.hostname}|${path}|${name}`;
    if (expired) jar.delete(key);
    else jar.set(key, { host: url.hostname, path, name, value });
  }
}

function cookieHeader(jar, url) {
  const pathMatches = (cookiePath) =>
    url.pathname === cookiePath || url.pathname.startsWith(cookiePath.endsWith('/') ? cookiePath : `${cookiePath}/`);
  return [...jar.values()]
    .filter((c) => c.host === url.hostname && pathMatches(c.path))
    .map((c) => `${c.name}=${c.value}`)
    .join('; ');
}

// --- HTML forms (enough for an IdP's login, consent and auto-submit pages) ------------------
const decode = (s) => s
  .replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n)))
  .replace(/&#x([0-9a-f]+);/gi, (_, n) => String.fromCharCode(parseInt(n, 16)))
  .replace(/&quot;/g, '"').replace(/&#39;|&apos;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>')
  .replace(/&amp;/g, '&');

function attrs(tag) {
  const out = {};
  for (const m of tag.matchAll(/([\w:.-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g)) {
    out[m[1].toLowerCase()] = decode(m[2] ?? m[3] ?? m[4] ?? '');
  }
  return out;
}

function parseForms(html) {
  const forms = [];
  for (const m of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const a = attrs(m[1]);
    const fields = [...m[2].matchAll(/<input\b([^>]*?)\/?>/gi)].map((i) => attrs(i[1]));
    const buttons = [...m[2].matchAll(/<button\b([^>]*)>([\s\S]*?)<\/button>/gi)].map((b) => ({ ...attrs(b[1]), text: b[2] }));
    forms.push({ id: a.id, action: a.action, method: (a.method ?? 'get').toLowerCase(), fields, buttons });
  }
  // Buttons outside a form that name it with form="id" belong to it (oidc-provider's device pages).
  for (const b of html.matchAll(/<button\b([^>]*)>([\s\S]*?)<\/button>/gi)) {
    const a = attrs(b[1]);
    const owner = a.form && forms.find((f) => f.id === a.form);
    if (owner) owner.buttons.push({ ...a, text: b[2] });
  }
  return forms;
}

const isDenyButton = (b) => /\b(deny|abort|cancel|reject|decline)\b/i.test(`${b.name ?? ''} ${b.value ?? ''} ${b.id ?? ''} ${b.text}`);

function fillForm(form, { username, password, deny }) {
  const body = new URLSearchParams();
  const hasPassword = form.fields.some((f) => f.type === 'password');
  for (const field of form.fields) {
    if (!field.name || ['submit', 'button', 'image'].includes(field.type)) continue;
    if ((field.type === 'checkbox' || field.type === 'radio') && !('checked' in field)) continue;
    if (field.type === 'password') body.set(field.name, password);
    else if (hasPassword && ['text', 'email', undefined].includes(field.type)) body.set(field.name, username);
    else body.append(field.name, field.value ?? '');
  }
  const submit = form.buttons.find((b) => (deny ? isDenyButton(b) : !isDenyButton(b) && b.type !== 'button'));
  if (submit?.name) body.append(submit.name, submit.value ?? '');
  return body;
}

function describeErrorPage(html, status) {
  const pick = (id) => html.match(new RegExp(`id="${id}"[^>]*>([^<]*)<`))?.[1];
  const error = pick('error');
  if (error) return `the IdP answered ${status}: ${decode(error)}${pick('error_description') ? ` (${decode(pick('error_description'))})` : ''}`;
  const title = html.match(/<title>([^<]*)<\/title>/i)?.[1]?.trim();
  const text = html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 160);
  return `the IdP answered ${status} with a page I cannot act on: ${title ? `"${decode(title)}" ` : ''}${text}`;
}

// --- the walk -------------------------------------------------------------------------------

/**
 * Walks from the authorization URL to the redirect_uri. Resolves 'delivered' once the final redirect has
 * been delivered, 'device-success' / 'device-aborted' on a device flow's last page; rejects with a
 * BrowserError (one line) otherwise. options: { username='demo', password='demo', deny=false, signal }.
 */
export async function signIn(start, options = {}) {
  const account = { username: options.username ?? 'demo', password: options.password ?? 'demo', deny: options.deny === true };
  const { deny } = account;
  const signal = options.signal;
  const fail = (message) => { throw new BrowserError(message); };
  const jar = new Map(); // `${host}|${path}|${name}` → { host, path, name, value }
  if (!start || !/^https?:\/\//.test(start)) fail('usage: browser.mjs AUTHORIZATION_URL (the URL must be the last argument)');
  const startUrl = new URL(start);
  const redirectUri = startUrl.searchParams.get('redirect_uri');
  const callback = redirectUri ? new URL(redirectUri) : undefined;

  // The callback is the redirect_uri the client asked for (its port may differ: RFC 8252 §7.3), or,
  // when the URL names none (PAR, device verification), anything outside the IdP's origin.
  const isCallback = (url) => {
    if (callback) {
      return url.protocol === callback.protocol && url.hostname === callback.hostname && url.pathname === callback.pathname
        && (url.port === callback.port || ['127.0.0.1', '[::1]', 'localhost'].includes(url.hostname));
    }
    return url.origin !== startUrl.origin;
  };

  const request = async (url, init = {}) => {
    const headers = { 'user-agent': 'oidc-cli-test-browser/1', accept: 'text/html,*/*', ...init.headers };
    const cookies = cookieHeader(jar, url);
    if (cookies) headers.cookie = cookies;
    const response = await exchange(url, { ...init, headers, signal });
    storeCookies(jar, url, response);
    return response;
  };

  let url = startUrl;
  let init = {};
  let signInAttempted = false;
  for (let step = 0; step < MAX_STEPS; step += 1) {
    if (isCallback(url)) {
      // Delivered once the listener answers; what it sends after does not matter.
      await exchange(url, { ...init, signal }, false);
      return 'delivered';
    }
    const response = await request(url, init);
    const location = response.location;
    if (response.status >= 300 && response.status < 400 && location) {
      url = new URL(location, url);
      init = {};
      continue;
    }
    const html = response.text;
    if (deny && /data-oidc-test="device-aborted"/.test(html)) return 'device-aborted';
    if (/data-oidc-test="device-success"/.test(html) || (!callback && response.ok && /sign-in success/i.test(html))) {
      return 'device-success';
    }
    const forms = parseForms(html);
    if (!forms.some((f) => f.fields.some((i) => i.type === 'password')) && /\bid="error"/.test(html)) {
      fail(describeErrorPage(html, response.status));
    }
    const login = forms.find((f) => f.fields.some((i) => i.type === 'password'));
    const denyForm = deny && forms.find((f) => f.buttons.some(isDenyButton));
    let form = denyForm || login;
    if (login && !denyForm) {
      if (signInAttempted) fail(describeErrorPage(html, response.status).replace(/^the IdP answered/, 'sign-in rejected:'));
      signInAttempted = true;
    }
    // An auto-submitting form (form_post, a device code hand-off) or a consent page.
    form ??= forms.find((f) => f.method === 'post' && f.action);
    if (!form) fail(describeErrorPage(html, response.status));
    const target = new URL(form.action || url.href, url);
    const body = fillForm(form, account);
    if (form.method === 'post') {
      url = target;
      init = { method: 'POST', body: body.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } };
    } else {
      for (const [k, v] of body) target.searchParams.append(k, v);
      url = target;
      init = {};
    }
  }
  fail(`gave up after ${MAX_STEPS} steps without reaching the redirect_uri (a redirect loop?)`);
}
