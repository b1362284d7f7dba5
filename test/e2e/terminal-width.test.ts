// Reports fit the terminal (issue 16): with a width (COLUMNS, or a terminal's), every line of discover,
// login and check fits it; a pipe without one keeps every line whole, as scripts expect.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { BROWSER_SCRIPT } from '../support/idp-flow.js';
import { startIdp, type Idp } from '../support/idp.js';

let idp: Idp;
let dir: string;
beforeAll(async () => {
  idp = await startIdp();
  dir = await mkdtemp(join(tmpdir(), 'oidc-width-'));
  await writeFile(join(dir, 'basic.secret'), idp.clients.basic.client_secret, { mode: 0o600 });
});
afterAll(async () => {
  await idp?.close();
  await rm(dir, { recursive: true, force: true });
});

const longest = (text: string) => Math.max(...text.split('\n').map((line) => [...line].length));
const env = (columns?: number) => ({ XDG_CACHE_HOME: join(dir, 'cache'), XDG_CONFIG_HOME: join(dir, 'config'), BROWSER: undefined, OIDC_ISSUER: undefined, NO_COLOR: '1', COLUMNS: columns === undefined ? undefined : String(columns) });
const runs = () => [
  ['discover', '--issuer', idp.issuer],
  ['login', '--issuer', idp.issuer, '--client-id', idp.clients.public.client_id, '--browser-command', `node ${BROWSER_SCRIPT}`],
  ['check', '--issuer', idp.issuer, '--client-id', idp.clients.basic.client_id, '--client-secret-file', join(dir, 'basic.secret'), '--browser-command', `node ${BROWSER_SCRIPT}`],
];

describe('terminal width', () => {
  it('with COLUMNS=80 and 120 every line of discover, login and check fits; piped without it, lines are whole', { timeout: 120_000 }, async () => {
    for (const args of runs()) {
      // check is the slow one: 80 columns only (its widest lines are the same at 120).
      for (const columns of args[0] === 'check' ? [80] : [80, 120]) {
        const result = await runCli(args, { env: env(columns), timeoutMs: 100_000 });
        expect([args[0], columns, result.code], result.stderr).toEqual([args[0], columns, 0]);
        expect([args[0], columns, longest(result.stdout) <= columns]).toEqual([args[0], columns, true]);
      }
      const piped = await runCli(args, { env: env(), timeoutMs: 100_000 });
      expect([args[0], longest(piped.stdout) > 120]).toEqual([args[0], true]);
    }
  });
});
