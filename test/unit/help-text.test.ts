import { describe, expect, it } from 'vitest';
import { wrapHelp } from '../../src/help-text.js';

describe('the text after the options fits the terminal', () => {
  it('short lines are left as they are', () => {
    const text = '\nExamples:\n  $ oidc-cli decode -   read stdin';
    expect(wrapHelp(text, 80)).toBe(text);
  });

  it('prose broken by hand is reflowed, then wrapped under its indent', () => {
    const out = wrapHelp('Exit codes: 0 every check passed, 1 a check failed,\n2 bad options, 3 network failure, 4 cancelled or timed out.', 40);
    expect(out.split('\n')).toEqual(['Exit codes: 0 every check passed, 1 a', '  check failed, 2 bad options, 3 network', '  failure, 4 cancelled or timed out.']);
  });

  it('an example still pastes: the command continues after " \\", its note becomes a comment below', () => {
    const out = wrapHelp('  $ oidc-cli login --issuer https://idp.example.com --client-id web --explain   headless, for CI', 60).split('\n');
    expect(out).toEqual(['  $ oidc-cli login --issuer https://idp.example.com \\', '      --client-id web --explain', '      # headless, for CI']);
    for (const line of out) expect(line.length).toBeLessThanOrEqual(60);
  });

  it('a command already continued by hand keeps its " \\" on every wrapped line', () => {
    const out = wrapHelp('  $ oidc-cli check --issuer https://idp.example.com --client-id ci-app --client-secret-file s.txt \\\n      --junit r.xml', 60).split('\n');
    expect(out).toEqual(['  $ oidc-cli check --issuer https://idp.example.com \\', '      --client-id ci-app --client-secret-file s.txt \\', '      --junit r.xml']);
  });
});
