import type { CheckResult } from '../checks/types.js';
import type { TokenPrefix } from '../checks/catalogue/tokens.js';
import { CliError } from '../errors.js';
import type { KeySource, SignatureInfo, TokenExpectations, ValidateOptions } from './jwt/types.js';
import { formatFailure, validateJwt } from './jwt/validate.js';
import { classifyToken } from './token-endpoint.js';

/**
 * The one way a token from an IdP is judged, whichever flow obtained it (browser or device login, refresh,
 * client credentials, introspection, check): OIDC Core §3.1.3.7 for an ID token, RFC 9068 for a JWT
 * access token, with the issuer's keys, its advertised algorithms, the client secret for HS* and one clock.
 */
export interface TokenContext {
  issuer: string;
  client_id: string;
  /** The HMAC key when the IdP signs ID tokens with HS* (OIDC Core §10.1). */
  client_secret: string | undefined;
  /** The issuer's keys (core/remote-keys.ts), fetched on first use. */
  keys: () => Promise<KeySource>;
  /** id_token_signing_alg_values_supported (discovery.ts advertisedAlgorithms). */
  advertisedAlgorithms: string[] | undefined;
  /** --clock-skew, seconds. */
  clockSkew: number;
  /** The flow's clock in seconds since the epoch; the wall clock when absent (tests move it). */
  now?: (() => number) | undefined;
}

/** A judged token: what it says, whether its signature verified, and its checks. */
export interface JudgedToken {
  header: Record<string, unknown>;
  payload: Record<string, unknown> | undefined;
  signature: SignatureInfo;
  checks: CheckResult[];
}

/** What the request that obtained an ID token sent, for the checks that compare with it. */
export interface IdTokenRequest {
  /** The access token issued with it, for at_hash. */
  accessToken?: string | undefined;
  nonce?: string | undefined;
  max_age?: number | undefined;
  /** The authorization code redeemed, for c_hash. */
  code?: string | undefined;
  /** The IdP's Date header: its clock, for a skew note when a time check fails. */
  serverDate?: Date | undefined;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** An IdP's token that does not even parse is its `<prefix>.format` failure in the report, never a crash or exit 2. */
function unparseable(prefix: TokenPrefix, reason: string): JudgedToken {
  return { header: {}, payload: undefined, signature: { verified: false, alg: undefined, kid: undefined, reason }, checks: formatFailure(prefix, `not a compact JWT: ${reason}`) };
}

/** Validates one token (JWS, or a JWE whose *.jwe check then fails) with the context's keys and clock. */
export async function judgeToken(token: string, prefix: TokenPrefix, context: TokenContext, expect: TokenExpectations, extra: Pick<ValidateOptions, 'secret' | 'serverDate'> = {}): Promise<JudgedToken> {
  try {
    const result = await validateJwt(token, {
      prefix,
      keys: await context.keys(),
      expect: { issuer: context.issuer, ...expect },
      clockSkew: context.clockSkew,
      now: context.now?.() ?? nowSeconds(),
      ...(extra.secret ? { secret: extra.secret } : {}),
      ...(extra.serverDate ? { serverDate: extra.serverDate } : {}),
    });
    return { header: result.parsed.header, payload: result.parsed.payload, signature: result.signature, checks: result.checks };
  } catch (error) {
    if (error instanceof CliError && error.code === 'INPUT') return unparseable(prefix, error.message);
    throw error;
  }
}

/** OIDC Core §3.1.3.7, every step, for an ID token from any grant (§12.2: a refreshed one too). */
export function judgeIdToken(id_token: string, context: TokenContext, request: IdTokenRequest = {}): Promise<JudgedToken> {
  const expect: TokenExpectations = { audience: context.client_id };
  if (request.accessToken !== undefined) expect.accessToken = request.accessToken;
  if (request.nonce !== undefined) expect.nonce = request.nonce;
  if (request.max_age !== undefined) expect.maxAge = request.max_age;
  if (request.code !== undefined) expect.code = request.code;
  if (context.advertisedAlgorithms) expect.advertisedAlgorithms = context.advertisedAlgorithms;
  return judgeToken(id_token, 'id_token', context, expect, {
    ...(context.client_secret ? { secret: new TextEncoder().encode(context.client_secret) } : {}),
    ...(request.serverDate ? { serverDate: request.serverDate } : {}),
  });
}

/**
 * RFC 9068 for a JWT access token; undefined for an opaque one. A JWE is judged too: nothing in it can
 * be verified here, so access_token.jwe fails (jwt/jwe.ts) rather than the token passing unread.
 * `audience`: the API it was asked for (--resource, --audience).
 */
export async function judgeAccessToken(access_token: string, context: TokenContext, request: { audience?: string | undefined; serverDate?: Date | undefined } = {}): Promise<JudgedToken | undefined> {
  if (classifyToken(access_token) === 'opaque') return undefined;
  const expect: TokenExpectations = { clientId: context.client_id };
  if (request.audience !== undefined) expect.audience = request.audience;
  return judgeToken(access_token, 'access_token', context, expect, request.serverDate ? { serverDate: request.serverDate } : {});
}

/** Signature verified and no check failed: what "valid locally" means beside an introspection answer. */
export function locallyValid(judged: JudgedToken | undefined): boolean {
  return judged?.signature.verified === true && judged.checks.every((check) => check.status !== 'fail');
}
