import type { JWK } from 'jose';
import { CheckRecorder } from '../checks/recorder.js';
import type { CheckResult } from '../checks/types.js';
import { CliError } from '../errors.js';
import type { HttpClient, HttpResponse } from '../http/types.js';
import { auditJwks } from './jwks-audit.js';
import { jwkThumbprint, rsaModulusBits } from './jwt/jwk.js';

export { auditJwks } from './jwks-audit.js';

/** The JWK Set at jwks_uri, fetched and audited (request/process split as in discovery.ts). */
export interface JwksResult {
  uri: string;
  jwks: { keys: JWK[] };
  response: HttpResponse;
  checks: CheckResult[];
}

export interface JwksAttempt extends Omit<JwksResult, 'jwks'> {
  /** Absent when the answer held no usable set (the reason is a failed jwks.document check). */
  jwks: { keys: JWK[] } | undefined;
}

/**
 * Judges the HTTP side of a JWKS response (pure): a redirect or a non-200 is a jwks.document failure;
 * a 200 whose body is not JSON throws CliError PROTOCOL (exit 3). Returns the parsed body otherwise.
 */
export function processJwksResponse(response: HttpResponse): { body: unknown } | { problem: string } {
  if (response.status >= 300 && response.status < 400) return { problem: `${response.url} answered ${response.status} with a redirect to ${response.location ?? '(no Location)'} (not followed)` };
  if (response.status !== 200) return { problem: `${response.url} answered ${response.status}, not 200` };
  return { body: response.json() };
}

/** Fetches and audits; never throws for a bad set (see `checks`), only for transport failures. */
export async function fetchJwksDocument(http: HttpClient, jwksUri: string, options: { signal?: AbortSignal } = {}): Promise<JwksAttempt> {
  const response = await http.request({ url: jwksUri, headers: { accept: 'application/jwk-set+json, application/json' }, ...options });
  const processed = processJwksResponse(response);
  if ('problem' in processed) {
    const r = new CheckRecorder();
    r.violation('jwks.document', processed.problem);
    return { uri: jwksUri, jwks: undefined, response, checks: r.results };
  }
  const checks = auditJwks(processed.body);
  const usable = checks.find((check) => check.id === 'jwks.document')?.status === 'pass';
  return { uri: jwksUri, jwks: usable ? (processed.body as { keys: JWK[] }) : undefined, response, checks };
}

/** Fetch + audit for commands that need the keys (decode --issuer, login); throws when there is no usable set. */
export async function fetchJwks(http: HttpClient, jwksUri: string, options: { signal?: AbortSignal } = {}): Promise<JwksResult> {
  const attempt = await fetchJwksDocument(http, jwksUri, options);
  if (!attempt.jwks) {
    const failed = attempt.checks.find((check) => check.id === 'jwks.document');
    throw new CliError('PROTOCOL', `JWKS at ${jwksUri} is unusable: ${failed?.message ?? 'no keys'}`, failed?.hint ? { hint: failed.hint } : {});
  }
  return { ...attempt, jwks: attempt.jwks };
}

/** One row of the `jwks` table and of `keys` in JSON. */
export interface KeySummary {
  kid: string | undefined;
  kty: string | undefined;
  alg: string | undefined;
  use: string | undefined;
  /** "2048 bits" for RSA, the curve for EC/OKP, "256 bits" for oct. */
  size: string | undefined;
  /** RFC 7638 SHA-256 thumbprint, base64url; undefined when the key is too malformed to hash. */
  thumbprint: string | undefined;
}

const str = (value: unknown) => (typeof value === 'string' ? value : undefined);

export function summarizeKey(jwk: Record<string, unknown>): KeySummary {
  let size: string | undefined;
  if (jwk.kty === 'RSA' && typeof jwk.n === 'string') size = `${rsaModulusBits(jwk.n)} bits`;
  else if (typeof jwk.crv === 'string') size = jwk.crv;
  else if (jwk.kty === 'oct' && typeof jwk.k === 'string') size = `${Buffer.from(jwk.k, 'base64url').length * 8} bits`;
  return { kid: str(jwk.kid), kty: str(jwk.kty), alg: str(jwk.alg), use: str(jwk.use), size, thumbprint: jwkThumbprint(jwk) };
}

/** Summaries of every object in `keys` (non-objects are skipped: jwks.key_shape reports them). */
export function summarizeKeys(jwks: unknown): KeySummary[] {
  const keys = jwks && typeof jwks === 'object' && Array.isArray((jwks as { keys?: unknown }).keys) ? ((jwks as { keys: unknown[] }).keys) : [];
  const objects = keys.filter((key): key is Record<string, unknown> => key !== null && typeof key === 'object' && !Array.isArray(key));
  return objects.map(summarizeKey);
}
