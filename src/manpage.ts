import type { OptionSpec, ProgramSpec } from './completion.js';
import { ENVIRONMENT, SET_FOR_CHILDREN } from './environment.js';

/**
 * oidc-cli(1), generated from the same declarations as --help and the completion scripts (src/cli.ts
 * programSpec): every command with its summary and flags, the global flags, the environment and the
 * exit codes. `npm run build` writes it to dist/man/oidc-cli.1, which the package ships ("man" in
 * package.json).
 */

/** Text safe in roff: a leading dot or quote would be a request, a backslash an escape. */
// Non-ASCII (§, →, …) as roff's \[uXXXX], so groff reads the page without a preprocessor.
const roff = (text: string) =>
  text
    .replace(/\\/g, '\\e')
    .replace(/^([.'])/gm, '\\&$1')
    .replace(/-/g, '\\-')
    .replace(/[^\x00-\x7f]/gu, (ch) => `\\[u${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}]`);

export function manPage(spec: ProgramSpec, version: string, descriptions: Record<string, string>): string {
  const lines = [
    `.TH OIDC\\-CLI 1 "" "oidc-cli ${roff(version)}" "User Commands"`,
    '.SH NAME',
    'oidc\\-cli \\- debug OAuth 2.0 and OpenID Connect: decode and verify tokens, audit an IdP, run a real login',
    '.SH SYNOPSIS',
    '.B oidc\\-cli',
    '[\\fIglobal options\\fR] \\fIcommand\\fR [\\fIoptions\\fR] [\\fIarguments\\fR]',
    '.SH DESCRIPTION',
    roff('Every check has a stable dotted id, a status (pass, fail, warn, skip), a message quoting expected and actual values, the spec section it comes from and a fix hint. stdout carries only the result (the human report, or one JSON document with --json); progress, prompts and warnings go to stderr. oidc-cli checks lists the catalogue.'),
    '.SH COMMANDS',
  ];
  for (const command of spec.commands) {
    lines.push('.SS', `.B ${roff(command.name)}`, roff(descriptions[command.name] ?? command.description));
    for (const option of command.options) lines.push('.TP', `.B ${roff(option.names.join(', '))}${optionValue(option)}`, roff(option.description));
  }
  lines.push('.SH GLOBAL OPTIONS');
  for (const option of spec.globalOptions) lines.push('.TP', `.B ${roff(option.names.join(', '))}${optionValue(option)}`, roff(option.description));
  lines.push('.SH ENVIRONMENT');
  for (const variable of [...ENVIRONMENT, ...SET_FOR_CHILDREN]) lines.push('.TP', `.B ${roff(variable.name)}`, roff(variable.what));
  lines.push(
    '.SH EXIT STATUS',
    '.TP', '.B 0', 'every check passed (warnings allowed unless \\-\\-strict)',
    '.TP', '.B 1', 'at least one check failed',
    '.TP', '.B 2', 'usage error or unreadable input',
    '.TP', '.B 3', 'could not complete: network, TLS, timeout, or an answer that is not HTTP/JSON',
    '.TP', '.B 4', 'interactive login cancelled or timed out',
    '.SH FILES',
    roff('$XDG_CONFIG_HOME/oidc-cli/config.json (profiles), $XDG_CACHE_HOME/oidc-cli/tokens/ (the token cache): directories 0700, files 0600, written atomically.'),
    '.SH SEE ALSO',
    roff('The README and docs/ of the package: docs/login.md, docs/check.md, docs/security.md.'),
  );
  return `${lines.join('\n')}\n`;
}

/** The value an option takes, in italics, named as --help names it (--issuer url). */
function optionValue(option: OptionSpec): string {
  return option.takesValue ? ` \\fI${roff(option.valueName ?? 'value')}\\fR` : '';
}
