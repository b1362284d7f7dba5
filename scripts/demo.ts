/**
 * `npm run demo`: starts the local IdP (oidc-provider on 127.0.0.1, user demo/demo), runs a real
 * `oidc-cli login` against it with a headless sign-in (test/support/browser.mjs, plain HTTP), and prints
 * the real report. `npm run demo -- --browser` opens your browser instead (sign in as demo / demo).
 * Any other argument is passed on to `oidc-cli login` (e.g. `npm run demo -- --json`).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startIdp } from '../test/support/idp.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const args = process.argv.slice(2);
const realBrowser = args.includes('--browser');
const passThrough = args.filter((arg) => arg !== '--browser');

const idp = await startIdp();
// The demo's tokens are for a throwaway IdP: keep them out of the user's real cache.
const cache = await mkdtemp(join(tmpdir(), 'oidc-cli-demo-'));
const loginArgs = ['login', '--issuer', idp.issuer, '--client-id', idp.clients.public.client_id, '--explain', ...passThrough];
if (!realBrowser) loginArgs.push('--browser-command', 'node test/support/browser.mjs');

process.stderr.write(`demo: oidc-provider is serving ${idp.issuer} (client ${idp.clients.public.client_id}, user demo / demo)\n`);
process.stderr.write(`demo: $ oidc-cli ${loginArgs.map((a) => (/\s/.test(a) ? `"${a}"` : a)).join(' ')}\n\n`);
if (realBrowser) process.stderr.write('demo: a browser window will open; sign in as demo / demo\n');

const child = spawn(process.execPath, [join(ROOT, 'bin/oidc-cli.js'), ...loginArgs], {
  cwd: ROOT,
  stdio: 'inherit',
  env: { ...process.env, XDG_CACHE_HOME: cache },
});
const forward = () => child.kill('SIGINT');
process.on('SIGINT', forward);
const code = await new Promise<number>((resolve) => child.on('close', (status) => resolve(status ?? 1)));
process.off('SIGINT', forward);
await idp.close();
await rm(cache, { recursive: true, force: true });
process.exit(code);
