/**
 * `npm run demo`: starts the local IdP (oidc-provider on 127.0.0.1, user demo/demo), runs a real
 * `oidc-cli login` against it with a headless sign-in (test/support/browser.mjs, plain HTTP), and prints
 * the real report. `npm run demo -- --browser` opens your browser instead (sign in as demo / demo).
 * `npm run demo -- --resource` tells the API story instead: an MCP server (the official SDK) refuses the
 * token of a plain login, `oidc-cli call` says why, and after the login it suggests, the call succeeds.
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
const apiStory = args.includes('--resource');
const passThrough = args.filter((arg) => arg !== '--browser' && arg !== '--resource');
const HEADLESS = ['--browser-command', 'node test/support/browser.mjs'];

// The demo's tokens are for a throwaway IdP: keep them out of the user's real cache.
const cache = await mkdtemp(join(tmpdir(), 'oidc-cli-demo-'));
const shown = (argv: string[]) => `$ oidc-cli ${argv.map((a) => (/[\s"{}]/.test(a) ? `'${a}'` : a)).join(' ')}`;

/** Runs the real binary; its stdout is shown, or only its exit code when `quiet`. */
function oidcCli(argv: string[], quiet = false): Promise<number> {
  process.stderr.write(`\ndemo: ${shown(argv)}\n`);
  const child = spawn(process.execPath, [join(ROOT, 'bin/oidc-cli.js'), ...argv], {
    cwd: ROOT,
    stdio: ['inherit', quiet ? 'ignore' : 'inherit', quiet ? 'ignore' : 'inherit'],
    env: { ...process.env, XDG_CACHE_HOME: cache },
  });
  const forward = () => child.kill('SIGINT');
  process.on('SIGINT', forward);
  return new Promise<number>((resolve) =>
    child.on('close', (status) => {
      process.off('SIGINT', forward);
      if (quiet) process.stderr.write(`demo: (exit ${status ?? 1}, report not shown)\n`);
      resolve(status ?? 1);
    }),
  );
}

let code: number;
if (apiStory) {
  // Only this story needs the MCP SDK (a devDependency): loaded here, not for the plain demo.
  const { startMcpServer } = await import('../test/support/mcp-server.js');
  const mcp = await startMcpServer();
  const idp = await startIdp({ resource: mcp.resource });
  await mcp.trust(idp.issuer);
  process.stderr.write(`demo: oidc-provider is serving ${idp.issuer}; an MCP server at ${mcp.resource} takes its tokens (scope ${mcp.scope})\n`);
  const client = ['--issuer', idp.issuer, '--client-id', idp.clients.public.client_id];
  const whoami = ['-d', JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'whoami', arguments: {} } })];
  await oidcCli(['login', ...client, ...HEADLESS], true);
  process.stderr.write('demo: a plain login; now the MCP server is called with its access token:\n');
  await oidcCli(['call', mcp.resource, ...whoami]);
  process.stderr.write('\ndemo: the login `call` suggests, then the same call:\n');
  await oidcCli(['login', ...client, '--resource', mcp.resource, '--scope', mcp.scope, ...HEADLESS], true);
  code = await oidcCli(['call', mcp.resource, ...whoami, ...passThrough]);
  await mcp.close();
  await idp.close();
} else {
  const idp = await startIdp();
  process.stderr.write(`demo: oidc-provider is serving ${idp.issuer} (client ${idp.clients.public.client_id}, user demo / demo)\n`);
  if (realBrowser) process.stderr.write('demo: a browser window will open; sign in as demo / demo\n');
  code = await oidcCli(['login', '--issuer', idp.issuer, '--client-id', idp.clients.public.client_id, '--explain', ...passThrough, ...(realBrowser ? [] : HEADLESS)]);
  await idp.close();
}
await rm(cache, { recursive: true, force: true });
process.exit(code);
