import { Argument, Command, InvalidArgumentError, Option } from 'commander';
import { environmentHelp } from './environment.js';
import { SHELLS, type OptionSpec, type ProgramSpec } from './completion.js';
import { DEFAULT_CLOCK_SKEW_SECONDS, parseDuration } from './util/duration.js';
import { wrapHelp } from './help-text.js';

/** Called by an action with the command's name, its own options (positionals merged in) and the globals. */
export type Dispatch = (name: string, options: Record<string, unknown>, globals: Record<string, unknown>) => Promise<void>;

const duration = (flag: string) => (value: string) => parseDuration(value, flag);
const count = (_: string, previous: number) => previous + 1;
const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Options shared by every command that talks to an issuer. */
function issuerOption(cmd: Command, description = 'issuer URL (discovery at /.well-known/openid-configuration)'): Command {
  return cmd.addOption(new Option('--issuer <url>', description).env('OIDC_ISSUER'));
}

/** --clock-skew, the same flag and default for every command that judges token times. */
function clockSkewOption(cmd: Command): Command {
  // The default is shown with its unit: "60s", not a bare 60.
  return cmd.addOption(new Option('--clock-skew <duration>', 'tolerance for exp/nbf/iat: seconds, or 30s, 2m (at most 1d)').argParser(duration('--clock-skew')).default(DEFAULT_CLOCK_SKEW_SECONDS, `${DEFAULT_CLOCK_SKEW_SECONDS}s`));
}

/**
 * Client identity and authentication, shared by every command that calls the token, introspection or
 * revocation endpoint. Secrets come from a file or the environment so they never need to be on argv.
 */
export function clientOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--client-id <id>', 'OAuth client_id').env('OIDC_CLIENT_ID'))
    .addOption(new Option('--client-secret <secret>', 'client secret (prefer --client-secret-file or OIDC_CLIENT_SECRET)').env('OIDC_CLIENT_SECRET'))
    .option('--client-secret-file <file>', 'read the client secret from a file')
    .addOption(
      new Option('--client-auth <method>', 'token endpoint client authentication').choices([
        'none',
        'client_secret_basic',
        'client_secret_post',
        'private_key_jwt',
        'tls_client_auth',
        'self_signed_tls_client_auth',
      ]),
    )
    .option('--private-key <file>', 'private key (PEM PKCS#8 or JWK) for private_key_jwt')
    .addOption(certOption())
    .addOption(keyOption());
}

/**
 * RFC 8705 mutual TLS: the client certificate for tls_client_auth / self_signed_tls_client_auth and for
 * certificate-bound tokens. One definition, shared by clientOptions and `call`.
 */
const certOption = (description = 'PEM client certificate (RFC 8705 mTLS) for tls_client_auth and certificate-bound tokens: presented only to the IdP\'s mTLS endpoints (mtls_endpoint_aliases)') => new Option('--cert <file>', description);
const keyOption = () => new Option('--key <file>', 'PEM private key of --cert (kept secret, never printed)');

/**
 * All commands in one place. Each action lazy-loads src/commands/<name>.ts through `dispatch`, so
 * `oidc-cli --version` and `decode` never load the network stack.
 */
export function buildCli(version: string, dispatch: Dispatch): Command {
  const program = new Command('oidc-cli')
    .description('Debug OAuth 2.0 / OpenID Connect: decode and verify tokens, audit an IdP, run a real login.')
    .version(version, '-V, --version')
    .option('--json', 'print one JSON document on stdout (NDJSON for line-by-line input)')
    .option('--strict', 'treat warnings as failures (exit 1)')
    .option('--no-color', 'disable colour (also NO_COLOR, TERM=dumb, or when not a TTY)')
    .option('-v, --verbose', 'trace HTTP requests and responses on stderr (-vv adds bodies)', count, 0)
    .option('--show-tokens', 'print tokens and secrets in full instead of redacting them')
    .option('--timeout <duration>', 'bound the whole operation: seconds, or 30s, 5m (at most 24h)', duration('--timeout'))
    .option('--insecure', 'allow plain http to non-loopback hosts and skip TLS certificate checks (warns)')
    .option('--ca-file <file>', 'trust this PEM CA bundle too (NODE_EXTRA_CA_CERTS also works)')
    .option('--profile <name>', 'read issuer, client and options from a named profile in the config file')
    .option('--explain', 'add a line per step on why it matters')
    .addHelpText('after', () => wrapHelp(`
Examples:
  $ oidc-cli decode "$TOKEN"                            what is in this token
  $ oidc-cli discover --issuer https://idp.example.com  an IdP's metadata, keys
  $ oidc-cli login --issuer https://idp.example.com --client-id my-cli
  $ oidc-cli call https://api.example.com/v1/me         why the API says no
  $ oidc-cli check --issuer https://idp.example.com --client-id ci \\
      --browser-command "node sign-in.mjs"              the CI smoke test

oidc-cli COMMAND --help shows a command's options and examples; oidc-cli help environment lists the
environment variables read; exit codes: 0 passed, 1 a check failed, 2 usage, 3 could not complete,
4 cancelled or timed out.`))
    .showHelpAfterError('(run with --help for usage)')
    // Every subcommand's --help lists the global flags too (--json, --timeout, -v...).
    .configureHelp({ showGlobalOptions: true })
    .exitOverride();

  const action = (name: string) =>
    async function (this: Command, ...args: unknown[]) {
      const names = this.registeredArguments.map((argument) => argument.name());
      const positional = Object.fromEntries(names.map((argName, i) => [argName, args[i]]));
      await dispatch(name, { ...this.opts(), ...positional }, program.opts());
    };

  clockSkewOption(issuerOption(
    program
      .command('decode')
      .summary('show and verify a JWT (header, payload, times, signature, claims)')
      .description('Decode a JWS/JWT (or detect a JWE), verify it when keys are known, and judge its claims.\nWith no token, or "-", reads stdin: one token a line gives one result a line.')
      .argument('[token]', 'the token, or - for stdin'),
    'verify with the keys of this issuer (discovery → jwks_uri); also checks iss',
  ))
    .option('--jwks <file|url>', 'verify with this JWK Set or single JWK (a local file may hold an oct key)')
    .option('--secret <secret>', 'HMAC secret (prefer --secret-file: argv is visible to other users)')
    .option('--secret-file <file>', 'read the HMAC secret from a file')
    .option('--alg <alg>', 'accept only these algorithms (repeatable)', collect)
    .option('--iss <issuer>', 'expected iss claim (exact)')
    .option('--aud <audience>', 'expected audience (e.g. your client_id)')
    .option('--nonce <nonce>', 'expected nonce')
    .option('--max-age <duration>', 'max_age sent in the request: auth_time must be within it', duration('--max-age'))
    .addHelpText('after', () => wrapHelp(`
Examples:
  $ oidc-cli decode eyJhbGciOi...                      show header and payload; signature NOT verified
  $ oidc-cli decode --jwks keys.json "$TOKEN"          verify with a local JWK Set
  $ oidc-cli decode --issuer https://idp.example.com --aud my-client "$ID_TOKEN"
  $ pbpaste | oidc-cli decode -                        read the token from stdin ("Bearer " prefix is fine)
  $ cat tokens.txt | oidc-cli decode --jwks keys.json --json -   one JSON line per token (NDJSON)`))
    .action(action('decode'));

  issuerOption(
    program
      .command('discover')
      .summary('fetch and audit an issuer\'s discovery document and the JWKS it names')
      .description('Fetch {issuer}/.well-known/openid-configuration (RFC 8414 fallback), audit every member, then fetch and audit jwks_uri.\nWith --resource URL: start from an API or MCP server instead: its 401 challenge and RFC 9728 metadata, then the authorization server it names.'),
  )
    .option('--resource <url>', 'start from this API or MCP server: its challenge, its RFC 9728 metadata, then its authorization server')
    .addHelpText('after', () => wrapHelp(`
Examples:
  $ oidc-cli discover --issuer https://idp.example.com
  $ oidc-cli discover --issuer https://idp.example.com --json | jq .metadata.token_endpoint
  $ oidc-cli discover --issuer https://idp.internal --ca-file corp-ca.pem -v   trace requests
  $ oidc-cli discover --resource https://mcp.example.com/mcp     which authorization server an MCP server trusts`))
    .action(action('discover'));

  issuerOption(
    program
      .command('jwks')
      .summary('list and audit signing keys (kid, kty, alg, use, size, RFC 7638 thumbprint)')
      .description('List and audit a JWK Set: from an issuer (discovery → jwks_uri), a URL, or a local file.'),
    'read the keys of this issuer (discovery → jwks_uri)',
  )
    .option('--jwks-uri <url>', 'read the JWK Set at this URL')
    .option('--file <file>', 'read a JWK Set (or a single JWK) from a local file')
    .addHelpText('after', () => wrapHelp(`
Examples:
  $ oidc-cli jwks --issuer https://idp.example.com
  $ oidc-cli jwks --jwks-uri https://idp.example.com/jwks --json
  $ oidc-cli jwks --file keys.json                      audit a set before publishing it`))
    .action(action('jwks'));

  clockSkewOption(clientOptions(
    issuerOption(
      program
        .command('login')
        .summary('log in with authorization code + PKCE through a loopback listener; validate every token')
        .description(
          'Run a real login: discovery, a one-shot listener on 127.0.0.1, the authorization request (state, nonce, PKCE S256) in a browser, the callback, the token request, then every check on the ID token, the access token and userinfo. Each step is shown on stderr as it happens; --explain says why it matters.',
        ),
    ),
  ))
    .option('--scope <scope>', 'scope to request (default "openid profile email")')
    .option('--redirect-uri <uri>', 'registered loopback redirect URI, e.g. http://127.0.0.1:8765/callback')
    .option('--port <port>', 'listen on this port (default: a random free port), path /callback')
    .option('--listen-ipv6', 'listen on [::1] instead of 127.0.0.1')
    .option('--no-browser', 'print the authorization URL on stderr instead of opening a browser')
    .option('--browser-command <cmd>', 'run CMD with the URL as its last argument (also $BROWSER); no shell is involved')
    .option('--prompt <prompt>', 'prompt parameter (none, login, consent, select_account)')
    .option('--login-hint <hint>', 'login_hint parameter')
    .option('--max-age <duration>', 'max_age: the ID token must then carry a recent enough auth_time', duration('--max-age'))
    .option('--acr-values <values>', 'acr_values parameter')
    .option('--resource <uri>', 'RFC 8707 resource indicator (repeatable)', collect)
    .option('--resource-from-prm <url>', 'sign in for this API or MCP server: its RFC 9728 metadata names the issuer (unless --issuer), the resource and the scope (unless --scope)')
    .option('--audience <aud>', 'audience parameter (Auth0 and others); also the aud a JWT access token must carry')
    .option('--param <key=value>', 'add or replace any authorization request parameter (repeatable)', collect)
    .addOption(new Option('--response-mode <mode>', 'how the IdP returns the response; the .jwt modes (JARM) sign it, and it is verified before its code is used').choices(['query', 'form_post', 'jwt', 'query.jwt', 'form_post.jwt', 'fragment.jwt']))
    .option('--device', 'RFC 8628 device authorization: show a code to enter on another device, poll for the tokens (no listener)')
    .option('--html <file>', 'also write one self-contained HTML page: a sequence diagram of the login as it happened, the checks with spec links and hints')
    .option('--no-diagnose', 'after a failed step, do not run the harmless experiments that name its cause (e.g. which client authentication works)')
    .option('--register', 'no client yet: register a native public client first (RFC 7591 dynamic registration), then sign in with it')
    .option('--dpop', 'bind the tokens to a key of this run (RFC 9449 DPoP): proofs at the token endpoint and userinfo, the key kept with the cached login for call')
    .option('--dpop-key <file>', 'DPoP with this EC P-256 private key (PEM or JWK) instead of a new one; implies --dpop')
    .option('--par', 'push the authorization request first (RFC 9126 PAR): the browser carries only client_id and request_uri (automatic when the IdP requires it)')
    .option('--request-object', 'sign the authorization parameters as a request object (RFC 9101 JAR) with the --private-key key (automatic when the IdP requires it)')
    .option('--request-object-key <file>', 'the private key (PEM or JWK) to sign the request object with; implies --request-object')
    .addHelpText('after', () => wrapHelp(`
Exit codes: 0 every check passed, 1 a check failed, 2 bad options or --port already in use,
3 network or protocol failure, 4 cancelled (Ctrl-C) or --timeout reached (default 5m, browser wait included).

Examples:
  $ oidc-cli login --issuer https://idp.example.com --client-id my-cli
  $ oidc-cli login --issuer https://idp.example.com --client-id web --client-secret-file secret.txt --explain
  $ oidc-cli login --issuer https://idp.example.com --client-id my-cli --no-browser --timeout 2m
  $ oidc-cli login ... --browser-command "node test/support/browser.mjs" --json    headless, for CI
  $ oidc-cli login ... --redirect-uri http://127.0.0.1:8765/callback --param ui_locales=fr
  $ oidc-cli login ... --html login.html    a page to attach to a ticket: the flow as it ran, every check
  $ oidc-cli login --issuer https://idp.example.com --register    no client yet: register one (RFC 7591), then sign in`))
    .action(action('login'));

  issuerOption(
    program
      .command('register')
      .summary('register a client by RFC 7591 dynamic registration; the answer judged, its credentials masked')
      .description('POST client metadata to the registration_endpoint that discovery names (by default a native app with loopback redirect URIs, token_endpoint_auth_method none), then judge the answer: 201, client_id, every value echoed, client_secret_expires_at, the RFC 7592 management pair. The secret and the registration_access_token are masked; --out FILE keeps the whole registration, 0600.'),
    'the issuer whose registration_endpoint to use',
  )
    .option('--redirect-uri <uri>', 'a redirect URI to register (repeatable; default: loopback, any port)', collect)
    .option('--client-name <name>', 'client_name (default "oidc-cli")')
    .option('--scope <scope>', 'scope to register')
    .addOption(new Option('--client-auth <method>', 'token_endpoint_auth_method to register (default none: a public client)').choices(['none', 'client_secret_basic', 'client_secret_post', 'private_key_jwt']))
    .option('--grant-type <grant>', 'a grant type to register (repeatable; default authorization_code and refresh_token)', collect)
    .option('--metadata-file <file>', 'more client metadata as a JSON object (RFC 7591 §2), merged over the defaults')
    .option('--initial-access-token-file <file>', 'the initial access token, if the IdP wants one (RFC 7591 §3)')
    .option('--out <file>', 'write the whole registration (client_id, secret, registration_access_token) to FILE, 0600, atomically')
    .addHelpText('after', () => wrapHelp(`
Exit codes: 0 registered and every check passed, 1 a check failed (or the IdP refused), 2 bad options, 3 no answer.

Examples:
  $ oidc-cli register --issuer https://idp.example.com
  $ oidc-cli register --issuer https://idp.example.com --client-auth client_secret_basic --out client.json
  $ oidc-cli register --issuer https://idp.example.com --redirect-uri http://127.0.0.1:8765/callback --client-name "my tool"`))
    .action(action('register'));

  // Shell completion from these very declarations (src/completion.ts); `completion profiles` lists the
  // profile names for the scripts to offer after --profile.
  program
    .command('completion')
    .summary('print a shell completion script: bash, zsh or fish')
    .description('Print a completion script for bash, zsh or fish, generated from the command declarations: commands, flags and their choices, profile names from the config.')
    // `profiles` is for the scripts themselves (the names after --profile), not a shell to offer.
    .addArgument(
      new Argument('<shell>', 'bash, zsh or fish').argParser((value: string) => {
        if ((SHELLS as readonly string[]).includes(value) || value === 'profiles') return value;
        throw new InvalidArgumentError(`Allowed choices are ${SHELLS.join(', ')}.`);
      }),
    )
    .addHelpText('after', () => wrapHelp(`
Examples:
  $ source <(oidc-cli completion bash)                 # in ~/.bashrc
  $ oidc-cli completion zsh > "\${fpath[1]}/_oidc-cli"
  $ oidc-cli completion fish > ~/.config/fish/completions/oidc-cli.fish`))
    .action(async (shell: string) => {
      await dispatch('completion', { shell, spec: programSpec(program) }, program.opts());
    });

  // `oidc-cli help environment` (and `oidc-cli environment`): every variable read, from src/environment.ts.
  program
    .command('environment', { hidden: true })
    .summary('list the environment variables oidc-cli reads')
    .description('List the environment variables oidc-cli reads (also: oidc-cli help environment).')
    .action(action('environment'));
  // `help environment` is the list itself, not a usage line and the global options before it.
  const environment = program.commands.find((command) => command.name() === 'environment')!;
  environment.helpInformation = () => `${environmentHelp()}\n`;

  program
    .command('checks')
    .summary('list every check id with its severity and spec section')
    .argument('[prefix]', 'only ids starting with this, e.g. id_token or discovery.')
    .addHelpText('after', () => wrapHelp(`
Examples:
  $ oidc-cli checks                       # every id, severity, spec and title
  $ oidc-cli checks -v probe.             # the probes, with each hint
  $ oidc-cli checks discovery.endpoint_host
  $ oidc-cli checks --json | jq '.catalogue[] | select(.severity == "error") | .id'`))
    .action(action('checks'));

  // Token lifecycle (issue 5): token, refresh, introspect, revoke, userinfo. Each reads the cached login
  // (XDG cache) unless a token is given, and issuer/client from flags, OIDC_* or --profile.
  const lifecycle = (name: string, summary: string, description: string) =>
    clockSkewOption(clientOptions(issuerOption(program.command(name).summary(summary).description(description), 'issuer URL (default: the one cached login, or the profile\'s)')));

  lifecycle('token', 'print a valid access token for scripts (cached, refreshed when expired), or get one with client credentials', 'Print the cached access token alone on stdout, for $(oidc-cli token). An expired token is refreshed with the cached refresh token. --grant client_credentials gets (and validates) a token for a machine client.')
    .addOption(new Option('--grant <grant>', 'get a new token with this grant instead of the cache').choices(['client_credentials']))
    .option('--scope <scope>', 'scope to request (client_credentials)')
    .option('--resource <uri>', 'RFC 8707 resource indicator (repeatable; client_credentials)', collect)
    .option('--audience <aud>', 'audience parameter, and the aud a JWT access token must carry (client_credentials)')
    .option('--min-ttl <duration>', 'refresh when the cached token expires within this time (at most 1d)', duration('--min-ttl'))
    .option('--allow-failed', 'print a token even though checks failed on it (the cache entry is flagged); by default it is refused with exit 1')
    .addHelpText('after', () => wrapHelp(`
Exit codes: 0 a token was printed, 1 a check on the token failed (not printed unless --allow-failed),
2 no usable cached token (none, expired without refresh token, or the refresh was refused): log in again,
3 network or protocol failure.

Examples:
  $ curl -H "Authorization: Bearer $(oidc-cli token)" https://api.example.com/me
  $ oidc-cli token --issuer https://idp.example.com --client-id my-cli --json --show-tokens
  $ OIDC_CLIENT_SECRET=... oidc-cli token --grant client_credentials --issuer https://idp.example.com --client-id svc --scope api:read`))
    .action(action('token'));

  lifecycle('refresh', 'refresh-token grant: old and new tokens side by side, rotation reported', 'Use the cached refresh token (or --refresh-token, "-" for stdin), show old and new tokens side by side, report rotation and judge the refreshed ID token (OIDC Core §12.2). The cache is updated.')
    .option('--refresh-token <token>', 'refresh this token instead of the cached one ("-" reads stdin)')
    .option('--scope <scope>', 'ask for a narrower scope')
    .option('--expect-rotation', 'require a new refresh token on every refresh (default for public clients, RFC 9700 §2.2.2)')
    .option('--no-expect-rotation', 'do not require rotation (FAPI 2.0 forbids it; confidential clients by default)')
    .option('--check-reuse', 'probe: replay the old refresh token afterwards and expect invalid_grant (may end the session)')
    .addHelpText('after', () => wrapHelp(`
Examples:
  $ oidc-cli refresh
  $ oidc-cli refresh --check-reuse --json
  $ oidc-cli refresh --issuer https://idp.example.com --client-id app --refresh-token - < rt.txt`))
    .action(action('refresh'));

  lifecycle('introspect', 'RFC 7662 introspection beside local verification of the same token', 'Ask the IdP about a token (RFC 7662, with client authentication) and verify it locally when it is a JWT: one table of claims, agreement checks, and probes a safe introspection endpoint must pass.')
    .argument('[token]', 'the token (default: the cached access token), or - for stdin')
    .addOption(new Option('--token-type-hint <type>', 'token_type_hint to send (also picks which cached token)').choices(['access_token', 'refresh_token']))
    .option('--no-probes', 'skip the probes (unauthenticated call, random token, wrong hint)')
    .addHelpText('after', () => wrapHelp(`
Exit codes: 0 active and every check passed, 1 inactive or a check failed, 2 bad input, 3 network.

Examples:
  $ oidc-cli introspect --client-id api --client-secret-file api.secret "$TOKEN"
  $ oidc-cli token | oidc-cli introspect -`))
    .action(action('introspect'));

  lifecycle('revoke', 'RFC 7009 revocation, then confirmation through introspection', 'Revoke a token (default: the cached refresh token, which ends the grant), check that a random token also gets 200, confirm through introspection that it is inactive, and that a revoked refresh token no longer refreshes. The cached login is removed.')
    .argument('[token]', 'the token (default: the cached refresh token, else access token), or - for stdin')
    .addOption(new Option('--token-type-hint <type>', 'token_type_hint to send (also picks which cached token)').choices(['access_token', 'refresh_token']))
    .option('--no-probes', 'skip the probe that revokes a random token')
    .addHelpText('after', () => wrapHelp(`
Examples:
  $ oidc-cli revoke                        # the cached refresh token: ends the grant
  $ oidc-cli revoke --token-type-hint access_token
  $ oidc-cli revoke --client-id api --client-secret-file api.secret - < token.txt`))
    .action(action('revoke'));

  lifecycle('userinfo', 'call the userinfo endpoint with the cached access token; check sub against the ID token', 'GET userinfo with "Authorization: Bearer" and the cached access token; compare sub with the cached ID token; verify a signed (JWT) response with the issuer\'s keys.')
    .option('--access-token <token>', 'use this access token instead of the cached one ("-" reads stdin)')
    .addHelpText('after', () => wrapHelp(`
Examples:
  $ oidc-cli userinfo
  $ oidc-cli userinfo --json | jq .claims
  $ oidc-cli token | oidc-cli userinfo --access-token -`))
    .action(action('userinfo'));

  // An API or MCP server (issue 14): src/commands/call.ts, src/core/resource/.
  issuerOption(
    program
      .command('call')
      .summary('send the access token to an API like curl; on 401/403, read the challenge and RFC 9728 metadata and say why')
      .description('Send a request to an API or MCP server with "Authorization: Bearer" and the access token (--token, "-" for stdin, or the cached login). On 401/403: the WWW-Authenticate challenge (RFC 6750, RFC 9470 step-up), the resource\'s RFC 9728 metadata, and the token read (never trusted) tell why it was refused, and the login that gets a token it would take.')
      .argument('<url>', 'the API URL'),
    'the cached login of this issuer (default: the one cached login, or the profile\'s)',
  )
    .addOption(new Option('--client-id <id>', 'the cached login of this client').env('OIDC_CLIENT_ID'))
    .option('--token <token>', 'send this access token ("-" reads stdin) instead of the cached one')
    .addOption(certOption('PEM client certificate (RFC 8705): presented to this URL, for a certificate-bound token'))
    .addOption(keyOption())
    .option('-X, --request <method>', 'HTTP method: GET (default; POST with a body), POST, PUT, PATCH, DELETE, HEAD')
    .option('-H, --header <header>', 'a request header, "Name: value" (repeatable)', collect)
    .option('-d, --data <body>', 'request body (JSON is sent as application/json, anything else as a form)')
    .option('--data-file <file>', 'read the request body from a file')
    .addHelpText('after', () => wrapHelp(`
Exit codes: 0 the API answered 2xx, 1 it did not (a refusal is explained), 2 usage, 3 no answer.

Examples:
  $ oidc-cli call https://api.example.com/v1/me                     with the cached login's access token
  $ oidc-cli token | oidc-cli call --token - https://api.example.com/v1/me
  $ oidc-cli call https://mcp.example.com/mcp -d '{"jsonrpc":"2.0","id":1,"method":"tools/list"}'
  $ oidc-cli call https://api.example.com/v1/me --json | jq .checks`))
    .action(action('call'));

  // The CI smoke test (issue 6): src/commands/check.ts, src/core/check/, src/core/probes/.
  clockSkewOption(clientOptions(issuerOption(program.command('check').summary('smoke-test an IdP for CI: discovery, keys, a real login, the token lifecycle and active probes').description('Discovery and keys; a real login through --browser-command (a headless sign-in script), or client credentials without one; token, ID token, access token and userinfo checks; refresh and introspection; then the active probes a safe IdP must refuse (code reuse, PKCE missing/wrong/downgrade/plain, altered redirect_uri, wrong secret, ...). Independent steps run concurrently.'))))
    .option('--browser-command <cmd>', 'sign in headlessly: run CMD with each authorization URL as its last argument (also $BROWSER)')
    .option('--scope <scope>', 'scope of the login (default "openid profile email"); of the client_credentials grant without a user flow')
    .option('--redirect-uri <uri>', 'registered loopback redirect URI (a fixed port makes the probes run one at a time)')
    .option('--port <port>', 'listen on this port (default: a random free port per request), path /callback')
    .option('--destructive', 'also run the probes that end the grant: refresh-token replay and revocation')
    .option('--expect-rotation', 'require refresh token rotation (default for public clients)')
    .option('--no-expect-rotation', 'do not require rotation (FAPI 2.0; default for confidential clients)')
    .option('--only <ids>', 'run and report only these check ids or groups (repeatable, comma-separated; probe.pkce_* works)', collect)
    .option('--skip <ids>', 'leave out these check ids or groups (repeatable, comma-separated)', collect)
    .option('--junit <file>', 'also write a JUnit XML report (one testcase per check) to FILE, 0600')
    .option('--sarif <file>', 'also write a SARIF 2.1.0 log (a rule per check, a result per failure or warning) to FILE, for code scanning')
    .option('--html <file>', 'also write one self-contained HTML page: a sequence diagram of the run as it happened, the checks with spec links and hints')
    .option('--baseline <file>', 'accept the findings listed in FILE (written by --update-baseline): reported as accepted, they fail nothing; new findings still do')
    .option('--update-baseline', 'write today\'s failures and warnings to the --baseline FILE (0600) as the accepted ones')
    .addOption(new Option('--fail-on <level>', 'exit 1 on failures only (default) or on warnings too').choices(['warn', 'fail']))
    .option('--concurrency <n>', 'browser runs at once for the probes (default 4)')
    .option('--par', 'the login and every probe push their authorization request (RFC 9126), also where the IdP does not require it')
    .option('--register', 'also register a native client by RFC 7591 dynamic registration and judge the answer (it creates a client at the IdP: opt-in)')
    .option('--policy <name>', 'also judge the run against a security profile: fapi2-security, rfc9700 or oauth2.1 (repeatable); it adds requirements, never turns a check off', collect)
    .option('--dpop', 'the login binds its tokens (RFC 9449 DPoP); then userinfo must refuse the token as Bearer, a replayed proof, a proof for another URL or method')
    .option('--request-object', 'the login and every probe sign their parameters as a request object (RFC 9101 JAR), also where the IdP does not require it (key: --private-key or --request-object-key)')
    .option('--request-object-key <file>', 'the private key (PEM or JWK) to sign request objects with; implies --request-object')
    .option('--all', 'on a terminal, list every check, not only the failures and warnings (-v does too, with HTTP traces)')
    .option('--resource <url>', 'also check this API or MCP server: its RFC 9728 metadata, a token issued for it (RFC 8707) taken, an ID token, a token in the query and a tampered token refused; without --issuer, its metadata names the IdP')
    .option('--other-client-id <id>', 'a second confidential client of the same IdP: it must not be able to introspect this client\'s tokens (introspection.other_client)')
    .option('--other-client-secret-file <file>', 'the second client\'s secret')
    .option('--expired-token <file>', 'with --resource: an expired access token for that API (e.g. saved from an earlier run), which it must refuse')
    .option('--other-resource <url>', 'with --resource: another API of the same IdP; a token asked for it must be refused by the --resource one (the confused deputy)')
    .addHelpText('after', () => wrapHelp(`
Exit codes: 0 no check failed (warnings allowed unless --fail-on warn / --strict), 1 a check failed,
2 bad options, 3 network or protocol failure, 4 the sign-in script failed or --timeout (default 2m) ran out.

Examples:
  $ oidc-cli check --issuer https://idp.example.com --client-id ci-app --client-secret-file secret.txt \\
      --browser-command "node ci/sign-in.mjs" --junit oidc-check.xml
  $ oidc-cli check --issuer https://idp.example.com --client-id svc --client-secret-file svc.secret   client credentials only
  $ oidc-cli check ... --only probe --json          the active probes alone, as JSON
  $ oidc-cli check ... --skip probe.prompt_none --fail-on warn --destructive
  $ oidc-cli check ... --sarif oidc.sarif --html oidc-check.html    for code scanning, and a page to read
  $ oidc-cli check --resource https://mcp.example.com/mcp --client-id app --browser-command "node sign-in.mjs"   an MCP server and the IdP it names`))
    .action(action('check'));

  return program;
}

/** The declarations as data, for the completion scripts: the visible commands and every flag. */
export function programSpec(program: Command): ProgramSpec {
  const optionSpec = (option: Option): OptionSpec => ({
    names: [option.short, option.long].filter((name): name is string => typeof name === 'string'),
    takesValue: option.required || option.optional,
    valueName: /[<[]([^>\]]+)[>\]]/.exec(option.flags)?.[1],
    choices: option.argChoices ? [...option.argChoices] : undefined,
    description: option.description,
  });
  const visible = program.commands.filter((command) => !(command as Command & { _hidden?: boolean })._hidden && command.name() !== 'completion');
  return {
    name: program.name(),
    globalOptions: program.options.map(optionSpec),
    commands: [...visible, ...program.commands.filter((command) => command.name() === 'completion')].map((command) => ({ name: command.name(), description: command.summary() || command.description(), options: command.options.map(optionSpec) })),
  };
}
