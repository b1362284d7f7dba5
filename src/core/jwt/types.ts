import type { JWK } from 'jose';
import type { CheckResult } from '../../checks/types.js';
import type { TokenPrefix } from '../../checks/catalogue/tokens.js';

/** A token split and decoded, before any judgement (src/core/jwt/parse.ts). */
export interface ParsedJwt {
  kind: 'jws' | 'jwe';
  /** The compact parts as received (3 for a JWS, 5 for a JWE). */
  parts: string[];
  header: Record<string, unknown>;
  /** The payload as JSON when it is a JSON object, else undefined (see payloadText). JWE: undefined. */
  payload: Record<string, unknown> | undefined;
  /** The payload as text when it is not a JSON object (a JWS need not carry claims). */
  payloadText: string | undefined;
  /** Member names repeated in the header or the payload (JSON.parse silently keeps the last). */
  duplicateMembers: { header: string[]; payload: string[] };
  /** Parts whose base64url is not canonical (padding, stray bits, wrong alphabet tolerated by decoders). */
  nonCanonicalParts: string[];
  /** A JWS's signature as bytes, decoded once (its length is judged, then it is verified). JWE: undefined. */
  signatureBytes: Buffer | undefined;
}

/**
 * Where verification keys come from. A remote source (core/remote-keys.ts) owns its keys and may
 * `refetch` them on an unknown kid (key rotation): true when fresh keys are in, false within its cooldown.
 * The validator never writes to a source.
 */
export interface KeySource {
  readonly keys: readonly JWK[];
  /** Describes the source in messages: "jwks_uri https://…/jwks", "file keys.json". */
  label: string;
  /** Fetched from a URL (jwks_uri, --jwks URL): readable by anyone, so a symmetric key in it is refused. */
  published: boolean;
  refetch?: () => Promise<boolean>;
}

/** What the caller expects of the token; each absent member means that check is skipped with a reason. */
export interface TokenExpectations {
  issuer?: string;
  audience?: string;
  /** The client's id: for an access token, an aud equal to it suggests an ID token in disguise. */
  clientId?: string;
  nonce?: string;
  /** max_age sent in the authorization request, seconds. */
  maxAge?: number;
  /** The access token returned beside an ID token, for at_hash. */
  accessToken?: string;
  /** The authorization code, for c_hash (required for hybrid flows only). */
  code?: string;
  /** True when the response type makes c_hash required (hybrid). */
  requireCHash?: boolean;
  /** id_token_signing_alg_values_supported from discovery. */
  advertisedAlgorithms?: string[];
}

export interface ValidateOptions {
  prefix: TokenPrefix;
  keys?: KeySource;
  /** HMAC secret (client secret for HS* ID tokens, or --secret). */
  secret?: Uint8Array;
  /** Allow-list of alg values; undefined allows every asymmetric alg jose supports (never none). */
  algorithms?: string[];
  expect: TokenExpectations;
  /** Tolerance for exp/nbf/iat, seconds. */
  clockSkew: number;
  /** Seconds since the epoch (injected in tests). */
  now: number;
  /** The IdP's clock from its Date header, for a skew note when a time check fails. */
  serverDate?: Date;
}

export interface SignatureInfo {
  verified: boolean;
  alg: string | undefined;
  kid: string | undefined;
  /** RFC 7638 thumbprint of the key that verified it. */
  keyThumbprint?: string;
  /** Why it was not verified, when it was not. */
  reason?: string;
}

export interface ValidationResult {
  parsed: ParsedJwt;
  signature: SignatureInfo;
  checks: CheckResult[];
}
