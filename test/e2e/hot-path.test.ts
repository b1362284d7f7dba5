// The script hot path (src/hot.ts, issue 17): `--version`, `decode TOKEN` and a cached `token` are answered
// by a small bundle of their own. What a user notices must not change: the same bytes and exit codes as
// the whole CLI gives (reached here with a flag the hot path does not take), and anything it cannot
// answer exactly goes to the whole CLI.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BIN, hasStackTrace, ROOT, runCli } from '../support/cli.js';
import { goodClaims, mint, nowSeconds, rsaKey } from '../support/tokens.js';

const key = rsaKey('k1');

describe('the script hot path answers as the whole CLI does', () => {
  // Times far from now and half an hour from a whole hour, so two runs a moment apart show the same
  // relative times ("5d 2h": whole hours, floored; a time a whole hour away would flip between two runs).
  const h = 7200 + 1800;
  const token = mint(goodClaims({ iat: nowSeconds() - 3 * 86400 - h, exp: nowSeconds() + 5 * 86400 + h }), key);
  const expired = mint(goodClaims({ iat: nowSeconds() - 9 * 86400 - h, exp: nowSeconds() - 2 * 86400 - h }), key);

  it('decode TOKEN: the same report, byte for byte, as decode --no-color TOKEN (NO_COLOR is set for both), passing or failing, laid out or not', async () => {
    for (const [value, code] of [[token, 0], [expired, 1]] as const) {
      for (const env of [{}, { COLUMNS: '90' }]) {
        const hot = await runCli(['decode', value], { env });
        const whole = await runCli(['decode', '--no-color', value], { env });
        expect(hot.code, hot.stderr).toBe(code);
        expect([hot.code, hot.stdout, hot.stderr]).toEqual([whole.code, whole.stdout, whole.stderr]);
      }
    }
  });

  it('decode TOKEN on a terminal (a pty of script(1)): the same colours and layout as the whole CLI', () => {
    // The hot path asks a terminal through process.stdout (colour, width) and writes anything else straight to the descriptor.
    const onTerminal = (args: string) => {
      const env: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm' };
      for (const name of ['NO_COLOR', 'FORCE_COLOR', 'COLUMNS']) delete env[name];
      const run = spawnSync('script', ['-qec', `stty cols 100 rows 40; "${process.execPath}" "${BIN}" ${args}`, '/dev/null'], { cwd: ROOT, env, encoding: 'utf8' });
      return run.stdout;
    };
    const hot = onTerminal(`decode ${token}`);
    expect(hot).toContain('\u001b[1mToken');
    // --timeout routes the run past the hot path, to the whole CLI.
    expect(hot).toBe(onTerminal(`--timeout 30 decode ${token}`));
  });

  it('--version and -V print what commander prints for the whole CLI', async () => {
    const whole = await runCli(['--no-color', '--version']);
    for (const flag of ['--version', '-V']) expect(await runCli([flag])).toMatchObject({ code: 0, stdout: whole.stdout, stderr: '' });
  });

  it('what it cannot answer goes to the whole CLI: not a token (with the file hint), and OIDC_ISSUER, which makes decode fetch keys', async () => {
    const notToken = await runCli(['decode', 'package.json']);
    expect(notToken.code).toBe(2);
    expect(notToken.stderr).toContain('oidc-cli decode - < package.json');
    expect(notToken.stdout).toBe('');
    // OIDC_ISSUER is --issuer for decode: keys are fetched, here from nowhere, so the run cannot complete.
    const issuer = await runCli(['decode', token], { env: { OIDC_ISSUER: 'http://127.0.0.1:9' } });
    expect(issuer.code, issuer.stdout).toBe(3);
    expect(hasStackTrace(notToken.stderr + issuer.stderr)).toBe(false);
  });
});
