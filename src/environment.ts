/**
 * Every environment variable oidc-cli reads, in one place: `oidc-cli help environment` prints it, and a
 * test checks it against the code (every `env.NAME` read in src/ is listed here) and the README table.
 */
export const ENVIRONMENT: ReadonlyArray<{ name: string; what: string }> = [
  { name: 'OIDC_ISSUER', what: 'the issuer, when --issuer is not given' },
  { name: 'OIDC_CLIENT_ID', what: 'the client_id, when --client-id is not given' },
  { name: 'OIDC_CLIENT_SECRET', what: 'the client secret, so it is never needed on the command line' },
  { name: 'BROWSER', what: 'a command that opens the authorization URL, like --browser-command' },
  { name: 'XDG_CONFIG_HOME', what: 'where config.json (profiles) lives: $XDG_CONFIG_HOME/oidc-cli, default ~/.config/oidc-cli' },
  { name: 'XDG_CACHE_HOME', what: 'where the token cache lives: $XDG_CACHE_HOME/oidc-cli, default ~/.cache/oidc-cli' },
  { name: 'HOME', what: 'the base of the XDG defaults' },
  { name: 'HTTPS_PROXY', what: 'proxy for https requests (https_proxy too); loopback always goes direct' },
  { name: 'HTTP_PROXY', what: 'proxy for plain http requests (http_proxy too)' },
  { name: 'NO_PROXY', what: 'hosts that bypass the proxy (no_proxy too)' },
  { name: 'NODE_EXTRA_CA_CERTS', what: 'a PEM bundle of extra CAs to trust, like --ca-file' },
  { name: 'NO_COLOR', what: 'any value turns colour off' },
  { name: 'FORCE_COLOR', what: 'forces colour on (0 forces it off)' },
  { name: 'TERM', what: 'TERM=dumb turns colour off' },
  { name: 'COLUMNS', what: 'the width the human report is laid out for (default: the terminal\'s; a pipe gets whole lines)' },
  { name: 'OIDC_CLI_DEBUG', what: 'any value prints a stack trace after an internal error' },
];

/** What oidc-cli sets for the programs it starts (not read by oidc-cli itself). */
export const SET_FOR_CHILDREN: ReadonlyArray<{ name: string; what: string }> = [
  { name: 'OIDC_CLI_SIGN_IN', what: 'for a --browser-command: "allow" (sign in) or "deny" (refuse the sign-in or consent: check\'s probe.consent_denied)' },
];

export function environmentHelp(): string {
  const width = Math.max(...[...ENVIRONMENT, ...SET_FOR_CHILDREN].map((e) => e.name.length));
  const rows = (list: typeof ENVIRONMENT) => list.map((e) => `  ${e.name.padEnd(width)}  ${e.what}`);
  return ['Environment variables oidc-cli reads:', '', ...rows(ENVIRONMENT), '', 'Set by oidc-cli for the programs it starts:', '', ...rows(SET_FOR_CHILDREN)].join('\n');
}
