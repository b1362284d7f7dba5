import type { JWK } from 'jose';
import { CheckRecorder } from '../checks/recorder.js';
import type { CheckResult } from '../checks/types.js';
import { CliError } from '../errors.js';
import { validateJwt } from './jwt/validate.js';
import type { KeySource, ValidateOptions, ValidationResult } from './jwt/types.js';
import { classifyToken, type TokenSet } from './token-endpoint.js';

/** What the login flow knows when it judges the tokens it got back (OIDC Core §3.1.3.7, RFC 9068). */
export interface TokenContext {
  issuer: string;
  client_id: string;
  client_secret: string | undefined;
  nonce: string | undefined;
  max_age: number | undefined;
  /** The authorization code redeemed: a c_hash, optional in the code flow, is checked when present. */
  code?: string;
  /** --audience / --resource: what a JWT access token's aud should contain. */
  apiAudience: string | undefined;
  advertisedAlgorithms: string[] | undefined;
  keys: KeySource;
  clockSkew: number;
  /** The flow's clock in seconds since the epoch (LoginDeps.now); the wall clock when absent. */
  now?: (() => number) | undefined;
}

export interface JudgedToken {
  header: Record<string, unknown>;
  payload: Record<string, unknown> | undefined;
  verified: boolean;
  checks: CheckResult[];
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

function judged(result: ValidationResult): JudgedToken {
  return { header: result.parsed.header, payload: result.parsed.payload, verified: result.signature.verified, checks: result.checks };
}

/** A token that does not even parse is an `<prefix>.format` failure in the report, not a crash. */
function unparseable(prefix: 'id_token' | 'access_token', error: unknown): JudgedToken {
  const message = error instanceof CliError ? error.message : String(error);
  const checks = new CheckRecorder();
  checks.fail(`${prefix}.format`, `not a compact JWT: ${message}`);
  return { header: {}, payload: undefined, verified: false, checks: checks.results };
}

/** Validates one token of the response with the flow's keys and clock; a token that does not parse is a format failure. */
async function judge(token: string, prefix: 'id_token' | 'access_token', options: Pick<ValidateOptions, 'expect' | 'secret'>, tokens: TokenSet, context: TokenContext): Promise<JudgedToken> {
  try {
    const result = await validateJwt(token, {
      prefix,
      keys: context.keys,
      ...options,
      clockSkew: context.clockSkew,
      now: context.now?.() ?? nowSeconds(),
      ...(tokens.date ? { serverDate: tokens.date } : {}),
    });
    return judged(result);
  } catch (error) {
    if (error instanceof CliError) return unparseable(prefix, error);
    throw error;
  }
}

/** OIDC Core §3.1.3.7: every step, with the client secret as the HMAC key when the IdP signs HS*. */
export async function judgeIdToken(tokens: TokenSet, context: TokenContext): Promise<JudgedToken> {
  const expect: ValidateOptions['expect'] = { issuer: context.issuer, audience: context.client_id, accessToken: tokens.access_token };
  if (context.nonce !== undefined) expect.nonce = context.nonce;
  if (context.max_age !== undefined) expect.maxAge = context.max_age;
  if (context.code !== undefined) expect.code = context.code;
  if (context.advertisedAlgorithms) expect.advertisedAlgorithms = context.advertisedAlgorithms;
  const secret = context.client_secret ? { secret: new TextEncoder().encode(context.client_secret) } : {};
  return judge(tokens.id_token!, 'id_token', { expect, ...secret }, tokens, context);
}

/**
 * RFC 9068 for a JWT access token; undefined for an opaque one. A JWE is judged too: nothing in it
 * can be verified here, so access_token.jwe fails (jwt/jwe.ts) rather than the token passing unread.
 */
export async function judgeAccessToken(tokens: TokenSet, context: TokenContext): Promise<JudgedToken | undefined> {
  if (classifyToken(tokens.access_token) === 'opaque') return undefined;
  const expect: ValidateOptions['expect'] = { issuer: context.issuer, clientId: context.client_id };
  if (context.apiAudience !== undefined) expect.audience = context.apiAudience;
  return judge(tokens.access_token, 'access_token', { expect }, tokens, context);
}

export function keySource(keys: JWK[], jwks_uri: string, refetch: () => Promise<JWK[]>): KeySource {
  return { keys, label: `jwks_uri ${jwks_uri}`, published: true, refetch };
}
