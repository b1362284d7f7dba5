// Shell completion (issue 16), generated from the command declarations: the bash script parses, and
// bash itself completes commands, flags, flag choices and profile names from the config with it; the
// zsh and fish scripts are generated from the same data.
import { spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, runCli } from '../support/cli.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oidc-completion-'));
  // `oidc-cli` on PATH for the script's own call (completion profiles), and a config with two profiles.
  await mkdir(join(dir, 'bin'));
  await writeFile(join(dir, 'bin', 'oidc-cli'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  await chmod(join(dir, 'bin', 'oidc-cli'), 0o755);
  await mkdir(join(dir, 'config', 'oidc-cli'), { recursive: true, mode: 0o700 });
  await writeFile(join(dir, 'config', 'oidc-cli', 'config.json'), JSON.stringify({ profiles: { staging: { issuer: 'https://idp.example.com', client_id: 'a' }, prod: { issuer: 'https://idp.example.com', client_id: 'b' } } }), { mode: 0o600 });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** What bash's completion offers for the words typed so far (the last one being completed). */
function complete(script: string, words: string[]): string[] {
  const program = `${script}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')})\nCOMP_CWORD=${words.length - 1}\n_oidc_cli_complete\nprintf '%s\\n' "\${COMPREPLY[@]}"`;
  const result = spawnSync('bash', ['-c', program], { encoding: 'utf8', env: { ...process.env, PATH: `${join(dir, 'bin')}:${process.env.PATH}`, XDG_CONFIG_HOME: join(dir, 'config') } });
  expect(result.status, result.stderr).toBe(0);
  return result.stdout.split('\n').filter(Boolean);
}

describe('oidc-cli completion', () => {
  it('bash: the script parses, and completes commands, flags, choices and profile names', async () => {
    const script = (await runCli(['completion', 'bash'])).stdout;
    expect(spawnSync('bash', ['-n'], { input: script }).status).toBe(0);
    expect(complete(script, ['oidc-cli', 'dis'])).toEqual(['discover']);
    expect(complete(script, ['oidc-cli', 'check', '--dest'])).toEqual(['--destructive']);
    expect(complete(script, ['oidc-cli', 'login', '--client-auth', 'client_secret_'])).toEqual(['client_secret_basic', 'client_secret_post']);
    expect(complete(script, ['oidc-cli', 'token', '--profile', '']).sort()).toEqual(['prod', 'staging']);
    expect(complete(script, ['oidc-cli', 'decode', '--ti'])).toEqual(['--timeout']);
  });

  it('zsh and fish: generated from the same declarations (every command and a choice of --client-auth)', async () => {
    const zsh = (await runCli(['completion', 'zsh'])).stdout;
    expect(zsh.startsWith('#compdef oidc-cli')).toBe(true);
    const fish = (await runCli(['completion', 'fish'])).stdout;
    for (const name of ['decode', 'discover', 'login', 'check', 'token']) expect(fish).toContain(`-a ${name} `);
    expect(fish).toMatch(/-l client-auth -r -a 'none client_secret_basic client_secret_post private_key_jwt'/);
  });

  it('an unknown shell is a usage error (exit 2)', async () => {
    expect((await runCli(['completion', 'tcsh'])).code).toBe(2);
  });
});
