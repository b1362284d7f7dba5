import { describe, expect, it } from 'vitest';
import { splitCommand } from '../../src/ui/browser.js';

describe('--browser-command word splitting (no shell involved)', () => {
  it('splits on whitespace and honours quotes and backslashes', () => {
    expect(splitCommand('node test/support/browser.mjs')).toEqual(['node', 'test/support/browser.mjs']);
    expect(splitCommand(`  firefox  --new-window  `)).toEqual(['firefox', '--new-window']);
    expect(splitCommand(`"/Applications/Google Chrome.app/x" --profile 'a b'`)).toEqual(['/Applications/Google Chrome.app/x', '--profile', 'a b']);
    expect(splitCommand(`my\\ browser "say \\"hi\\"" ''`)).toEqual(['my browser', 'say "hi"', '']);
  });

  it('never expands shell syntax: it stays literal arguments', () => {
    expect(splitCommand('echo $(rm -rf ~); ls | cat `id` &')).toEqual(['echo', '$(rm', '-rf', '~);', 'ls', '|', 'cat', '`id`', '&']);
  });

  it('rejects an empty command or an unterminated quote as a usage error', () => {
    expect(() => splitCommand('   ')).toThrow(/empty/);
    expect(() => splitCommand(`open "oops`)).toThrow(/unterminated " quote/);
  });
});
