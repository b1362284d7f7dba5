import { readFile } from 'node:fs/promises';
import { callResource } from '../core/resource/call.js';
import { dpopKeyFromJwk } from '../core/dpop.js';
import { bareUrl, loadClientCertificate, mtlsHttp, type ClientCertificate } from '../core/mtls.js';
import type { DpopJwk } from '../store/cache.js';
import { parseResourceUrl, RESOURCE_ACCEPT } from '../core/resource/protected-resource.js';
import { readClaims } from '../core/jwt/parse.js';
import { inputError, usageError } from '../errors.js';
import type { HttpRequest } from '../http/types.js';
import { maskBody } from '../http/mask.js';
import type { Report, Section } from '../report/model.js';
import { LOGIN_HINT, pickClient } from '../store/pick-client.js';
import type { ClientFlags } from '../store/profiles.js';
import { relativeTime } from '../util/duration.js';
import { redact } from '../util/redact.js';
import { tokenArgument, type TokenSource } from '../util/token-input.js';
import type { Context } from './context.js';
import { warnIfUnbound } from './session.js';

export interface CallOptions extends ClientFlags {
  url?: string;
  request?: string;
  header?: string[];
  data?: string;
  dataFile?: string;
  token?: string;
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'] as const;
// What is shown of a body on the terminal, and kept of it in --json.
const SHOWN_CHARS = 4096;
const JSON_CHARS = 64 * 1024;
const MAX_DATA_BYTES = 1024 * 1024;

/**
 * `oidc-cli call URL`: like curl with the access token, and on 401/403 the reason (core/resource/call.ts).
 * The token is the --token argument (or - for stdin), or the cached login's.
 */
export async function run(options: CallOptions, context: Context): Promise<Report> {
  if (!options.url) throw usageError('call needs the URL of the API', 'e.g. oidc-cli call https://api.example.com/v1/me');
  const url = parseResourceUrl(options.url, 'call').href;
  const method = methodOf(options);
  const headers = headersOf(options.header ?? []);
  const body = await bodyOf(options);
  if (body !== undefined && !Object.keys(headers).includes('content-type')) headers['content-type'] = looksLikeJson(body) ? 'application/json' : 'application/x-www-form-urlencoded';
  // An MCP server (Streamable HTTP) answers 406 to a client that does not accept both.
  headers.accept ??= RESOURCE_ACCEPT;

  const { token, source, tokenType, issuer, client_id, dpopJwk, cnfX5t } = await tokenFor(options, context);
  const dpop = dpopJwk ? await dpopKeyFromJwk(dpopJwk) : undefined;
  // RFC 8705: --cert is presented to the URL asked for alone, never to the metadata or servers a refusal names.
  const certificate = await certificateOf(options);
  if (source === 'cache') warnIfUnbound(cnfX5t, certificate?.thumbprint, context);
  const http = certificate ? mtlsHttp(await context.http(), certificate, new Set([bareUrl(url)])) : await context.http();
  if (certificate) context.ui.detail(`TLS client certificate ${certificate.subject} (x5t#S256 ${certificate.thumbprint}) presented to ${url}`);
  http.addToken(token);
  const result = await callResource(http, { url, method, headers, body, token, tokenType, issuer, client_id, dpop }, { ui: context.ui, signal: context.signal });
  const { response } = result;
  const show = context.globals.showTokens;
  const text = response.text();
  const shown = show ? text : maskBody(text);
  const json = jsonOf(shown);

  const sections: Section[] = [
    { title: 'Request', kind: 'fields', fields: [['request', `${method} ${url}`], ['token', `${redact(token, show)} (${source === 'cache' ? `the cached login of ${client_id} at ${issuer}` : source})`], ...tokenFields(token), ...(certificate ? [['client certificate', `${certificate.subject}, x5t#S256 ${certificate.thumbprint}`] as [string, string]] : [])] },
    {
      title: 'Response',
      kind: 'fields',
      fields: [
        ['status', `HTTP ${response.status} in ${response.elapsedMs} ms`],
        ['content-type', response.headers['content-type'] ?? '(none)'],
        ['size', `${response.body.length} bytes`],
        ...(response.location ? [['location', response.location] as [string, string]] : []),
        ...(response.headers['www-authenticate'] ? [['www-authenticate', response.headers['www-authenticate']] as [string, string]] : []),
      ],
    },
  ];
  if (text.length) sections.push(json !== undefined && text.length <= JSON_CHARS ? { title: 'Body', kind: 'json', value: json } : { title: 'Body', kind: 'text', text: cutText(shown, SHOWN_CHARS) });
  const document = result.metadata?.document;
  if (result.metadata) {
    const fields: Array<[string, string]> = [['metadata', result.metadata.url ?? `not found (${result.metadata.attempts.map((a) => `${a.url} → ${a.outcome}`).join('; ')})`]];
    for (const name of ['resource', 'authorization_servers', 'scopes_supported', 'bearer_methods_supported']) if (document?.[name] !== undefined) fields.push([name, typeof document[name] === 'string' ? document[name] : JSON.stringify(document[name])]);
    sections.push({ title: 'Protected resource', kind: 'fields', fields });
  }
  if (result.next) sections.push({ title: 'Next', kind: 'text', text: `Get a token for this resource, then call it again:\n  ${result.next}` });

  return {
    command: 'call',
    checks: result.checks,
    data: {
      url,
      method,
      token: redact(token, show),
      token_source: source,
      response: {
        status: response.status,
        headers: response.headers,
        body: cutText(shown, JSON_CHARS),
        truncated: shown.length > JSON_CHARS,
      },
      challenges: result.challenges.map((challenge) => ({ scheme: challenge.scheme, params: challenge.params })),
      resource_metadata: result.metadata ? { url: result.metadata.url ?? null, attempts: result.metadata.attempts, document: document ?? null } : null,
      next: result.next ?? null,
    },
    sections,
  };
}

function methodOf(options: CallOptions): NonNullable<HttpRequest['method']> {
  const wanted = (options.request ?? (options.data !== undefined || options.dataFile !== undefined ? 'POST' : 'GET')).toUpperCase();
  const method = METHODS.find((m) => m === wanted);
  if (!method) throw usageError(`-X ${options.request}: not a method call sends`, `one of ${METHODS.join(', ')}`);
  return method;
}

/** -H 'Name: value', repeatable; the token goes in by itself, so Authorization is refused. */
function headersOf(lines: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const match = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*(.*)$/.exec(line);
    if (!match || /[\r\n\0]/.test(match[2]!)) throw usageError(`-H "${line}": not a header`, 'write it as -H "Name: value"');
    const name = match[1]!.toLowerCase();
    if (name === 'authorization') throw usageError('-H Authorization: call sends the token itself', 'pass the token with --token TOKEN (or - for stdin), or use the cached login');
    headers[name] = match[2]!;
  }
  return headers;
}

async function bodyOf(options: CallOptions): Promise<string | undefined> {
  if (options.data !== undefined && options.dataFile !== undefined) throw usageError('-d and --data-file: give the body one way');
  if (options.data !== undefined) return options.data;
  if (options.dataFile === undefined) return undefined;
  let data: Buffer;
  try {
    data = await readFile(options.dataFile);
  } catch (error) {
    throw inputError(`--data-file ${options.dataFile}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  if (data.length > MAX_DATA_BYTES) throw inputError(`--data-file ${options.dataFile}: over ${MAX_DATA_BYTES} bytes`);
  return data.toString('utf8');
}

async function tokenFor(options: CallOptions, context: Context): Promise<{ token: string; source: TokenSource; tokenType?: string | undefined; issuer?: string | undefined; client_id?: string | undefined; dpopJwk?: DpopJwk | undefined; cnfX5t?: string | undefined }> {
  const hint = 'pass --token TOKEN (or - for stdin), or log in for this API first: oidc-cli login --issuer URL --client-id ID --resource URL';
  if (options.token !== undefined) {
    const { token, source } = await tokenArgument(options.token, context.stdin, () => undefined, 'access token', hint);
    return { token, source, issuer: options.issuer, client_id: options.clientId };
  }
  let picked: Awaited<ReturnType<typeof pickClient>>;
  try {
    picked = await pickClient(options, context, true);
  } catch (error) {
    // No cached login to use: say how to give a token, not only how to log in.
    throw error instanceof Error && 'code' in error && (error as { code: string }).code === 'INPUT' ? inputError('no access token: none given and no cached login', hint) : error;
  }
  const { token, source } = await tokenArgument(undefined, context.stdin, () => picked.cached?.access_token, 'access token', LOGIN_HINT);
  return { token, source, tokenType: picked.cached?.token_type, issuer: picked.client.issuer, client_id: picked.client.client_id, dpopJwk: picked.cached?.dpop_jwk, cnfX5t: picked.cached?.cnf_x5t };
}

/** What the token says about itself when it is a JWT (read, never trusted): where a refusal often starts. */
function tokenFields(token: string): Array<[string, string]> {
  const claims = readClaims(token);
  if (!claims) return [['token kind', 'opaque (not a JWT): only the issuer can say what it is for']];
  const fields: Array<[string, string]> = [['token kind', 'JWT (read, not verified)']];
  for (const name of ['iss', 'aud', 'scope', 'client_id']) if (claims[name] !== undefined) fields.push([name, typeof claims[name] === 'string' ? claims[name] : JSON.stringify(claims[name])]);
  if (typeof claims.exp === 'number' && Number.isFinite(claims.exp)) fields.push(['exp', relativeTime(claims.exp, Math.floor(Date.now() / 1000))]);
  return fields;
}

function looksLikeJson(body: string): boolean {
  return /^\s*[[{]/.test(body) && jsonOf(body) !== undefined;
}

function jsonOf(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function cutText(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}\n… (${text.length - max} more characters)`;
}

/** --cert FILE --key FILE, both or neither. */
async function certificateOf(options: CallOptions): Promise<ClientCertificate | undefined> {
  if (!options.cert && !options.key) return undefined;
  if (!options.cert || !options.key) throw usageError(options.cert ? '--cert needs --key FILE, the certificate\'s private key' : '--key needs --cert FILE, the client certificate it belongs to', 'pass both (PEM files), or neither');
  return loadClientCertificate(options.cert, options.key);
}
