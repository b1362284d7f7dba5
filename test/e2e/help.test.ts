// Every subcommand's --help (issue 16): the global flags, examples, durations with their unit, and no
// "(default: false)" noise. Through the binary: this is what a user reads.
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const COMMANDS = ['decode', 'discover', 'jwks', 'login', 'checks', 'token', 'refresh', 'introspect', 'revoke', 'userinfo', 'check', 'completion'];

describe('--help of every command', () => {
  it.each(COMMANDS)('%s --help: global options, examples, no (default: false)', async (name) => {
    const result = await runCli([name, '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Global Options:');
    expect(result.stdout).toMatch(/--timeout <duration>/);
    expect(result.stdout).toContain('Examples:');
    expect(result.stdout).not.toContain('(default: false)');
    if (/--clock-skew/.test(result.stdout)) expect(result.stdout).toMatch(/\(default: 60s\)/);
  });
});
