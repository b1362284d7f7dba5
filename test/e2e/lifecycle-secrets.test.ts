// Tokens and secrets never leak from the lifecycle commands (issue 8): every command in human mode,
// with --json and with -vv, against the real IdP; only --show-tokens prints them.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTokens, type TokenEntry } from '../../src/store/cache.js';
import { runCli } from '../support/cli.js';
import { BROWSER_SCRIPT } from '../support/idp-flow.js';
import { startIdp, type Idp } from '../support/idp.js';

let idp: Idp;
let home: string;
let env: Record<string, string>;
let tokens: TokenEntry;

beforeAll(async () => {
  idp = await startIdp();
  home = await mkdtemp(join(tmpdir(), 'oidc-cli-secrets-'));
  // A confidential client, so a client secret is in play too.
  env = { XDG_CACHE_HOME: join(home, 'cache'), XDG_CONFIG_HOME: join(home, 'config'), OIDC_ISSUER: idp.issuer, OIDC_CLIENT_ID: idp.clients.basic.client_id, OIDC_CLIENT_SECRET: idp.clients.basic.client_secret };
  const login = await runCli(['login', '--browser-command', `node ${BROWSER_SCRIPT}`], { env, timeoutMs: 30_000 });
  if (login.code !== 0) throw new Error(`login failed: ${login.stderr}`);
  tokens = (await loadTokens({ issuer: idp.issuer, client_id: idp.clients.basic.client_id }, { env }))!;
}, 60_000);
afterAll(async () => {
  await idp?.close();
  await rm(home, { recursive: true, force: true });
});

const secretsOf = (entry: TokenEntry) => [entry.access_token!, entry.refresh_token!, entry.id_token!, idp.clients.basic.client_secret];

describe('no secret in any output', () => {
  for (const mode of [[], ['--json'], ['-vv'], ['-vv', '--json']]) {
    it(`userinfo, introspect, refresh, revoke ${mode.join(' ') || '(human)'}`, async () => {
      const login = await runCli(['login', '--browser-command', `node ${BROWSER_SCRIPT}`], { env, timeoutMs: 30_000 });
      expect(login.code).toBe(0);
      const before = (await loadTokens({ issuer: idp.issuer, client_id: idp.clients.basic.client_id }, { env }))!;
      const outputs: string[] = [];
      const secrets = [...secretsOf(before), ...secretsOf(tokens)];
      for (const command of [['userinfo'], ['introspect'], ['refresh'], ['token', '--json'], ['revoke']]) {
        const result = await runCli([...command, ...mode], { env });
        expect(result.code, `${command.join(' ')}: ${result.stderr}`).toBe(0);
        outputs.push(result.stdout, result.stderr);
        // The refresh brings new tokens: they must not leak either.
        const now = await loadTokens({ issuer: idp.issuer, client_id: idp.clients.basic.client_id }, { env });
        if (now) secrets.push(...secretsOf(now));
      }
      const text = outputs.join('\n');
      expect(secrets.length).toBeGreaterThan(8);
      for (const secret of secrets) expect(text.includes(secret), `a secret of ${secret.length} chars leaked`).toBe(false);
      if (mode.includes('-vv')) expect(text).toMatch(/POST .*token/i);
    });
  }

  it('--show-tokens does print them', async () => {
    const login = await runCli(['login', '--browser-command', `node ${BROWSER_SCRIPT}`], { env, timeoutMs: 30_000 });
    expect(login.code).toBe(0);
    const entry = (await loadTokens({ issuer: idp.issuer, client_id: idp.clients.basic.client_id }, { env }))!;
    const shown = await runCli(['token', '--json', '--show-tokens'], { env });
    expect(shown.json().access_token).toBe(entry.access_token);
    const refresh = await runCli(['refresh', '--json', '--show-tokens'], { env });
    expect(refresh.json().before.refresh_token).toBe(entry.refresh_token);
  });
});
