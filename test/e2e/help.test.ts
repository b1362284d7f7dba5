// Every subcommand's --help (issue 16): the global flags, examples, durations with their unit, and no
// "(default: false)" noise. Through the binary: this is what a user reads.
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const COMMANDS = ['decode', 'discover', 'jwks', 'login', 'register', 'call', 'checks', 'token', 'refresh', 'introspect', 'revoke', 'userinfo', 'check', 'completion'];

describe('--help of every command', () => {
  it.each(COMMANDS)('%s --help: global options, examples, no (default: false)', async (name) => {
    const result = await runCli([name, '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Global Options:');
    expect(result.stdout).toMatch(/--timeout <duration>/);
    expect(result.stdout).toContain('Examples:');
    expect(result.stdout).not.toContain('(default: false)');
    if (/--clock-skew/.test(result.stdout)) expect(result.stdout).toMatch(/\(default: 60s\)/);
    // Not a terminal: laid out for 80 columns, examples and exit codes included.
    expect(result.stdout.split('\n').filter((line) => line.length > 80)).toEqual([]);
  });

  it('oidc-cli --help: examples, and where the environment variables and exit codes are; help environment is the list itself', async () => {
    const top = await runCli(['--help']);
    expect(top.stdout).toContain('Examples:');
    expect(top.stdout).toMatch(/oidc-cli help\s+environment lists the environment variables/);
    expect(top.stdout.split('\n').filter((line) => line.length > 80)).toEqual([]);
    const environment = await runCli(['help', 'environment']);
    expect(environment.stdout.startsWith('Environment variables oidc-cli reads:')).toBe(true);
    expect(environment.stdout).not.toContain('Usage:');
  });

  it('completion offers the three shells; its internal "profiles" is not advertised', async () => {
    const wrong = await runCli(['completion', 'tcsh']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('Allowed choices are bash, zsh, fish.');
    expect(wrong.stderr).not.toContain('profiles');
  });
});
