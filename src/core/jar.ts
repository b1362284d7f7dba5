import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { CheckRecorder } from '../checks/recorder.js';
import type { SigningKey } from './client-auth.js';

/**
 * RFC 9101 JWT-secured authorization requests: the authorization parameters become the claims of a JWT
 * the client signs (a request object), and the browser carries client_id and `request` only (or the
 * push does, RFC 9126 §3). The IdP then knows the parameters came from the client, unaltered.
 */

/** RFC 9101 §10.8: explicit typing, so a request object cannot pass for another kind of JWT. */
export const REQUEST_OBJECT_TYP = 'oauth-authz-req+jwt';

/** Lifetime of a request object: FAPI 2.0 Message Signing caps exp - nbf at 60 minutes; a login needs minutes. */
const LIFETIME_SECONDS = 300;

/** What the key can sign with, the key's own alg first (RFC 7518 §3.1). */
function algorithmsFor(key: SigningKey): string[] {
  const type = key.key.asymmetricKeyType;
  const own = [key.alg];
  if (type === 'rsa') return [...new Set([...own, 'PS256', 'RS256', 'PS384', 'RS384', 'PS512', 'RS512'])];
  if (type === 'rsa-pss') return [...new Set([...own, 'PS256', 'PS384', 'PS512'])];
  if (type === 'ed25519') return [...new Set([...own, 'EdDSA', 'Ed25519'])];
  return own;
}

/**
 * The alg to sign with: the key's own when the IdP lists it, else the first the IdP lists that the key
 * can make (request_object_signing_alg_values_supported, OIDC Discovery §3). `advertised` is undefined
 * when the IdP lists nothing, false when nothing it lists fits the key (the key's own alg is used).
 */
export function requestObjectAlg(key: SigningKey, supported: unknown): { alg: string; advertised: boolean | undefined } {
  if (!Array.isArray(supported)) return { alg: key.alg, advertised: undefined };
  const alg = algorithmsFor(key).find((candidate) => supported.includes(candidate));
  return alg ? { alg, advertised: true } : { alg: key.alg, advertised: false };
}

/**
 * The claims of a request object (RFC 9101 §4): every authorization parameter as a claim (a repeated one,
 * like resource, as an array; max_age as a number, OIDC Core §6.1), and iss = client_id, aud = the
 * issuer, iat, nbf, exp and jti, as FAPI 2.0 Message Signing §5.3.1 expects.
 */
export function requestObjectClaims(params: URLSearchParams, input: { client_id: string; issuer: string; now: number }): Record<string, unknown> {
  const claims: Record<string, unknown> = {};
  for (const name of new Set(params.keys())) {
    if (name === 'request' || name === 'request_uri') continue;
    const values = params.getAll(name);
    claims[name] = name === 'max_age' && /^\d+$/.test(values[0]!) ? Number(values[0]) : values.length > 1 ? values : values[0];
  }
  return { ...claims, iss: input.client_id, aud: input.issuer, iat: input.now, nbf: input.now, exp: input.now + LIFETIME_SECONDS, jti: randomUUID() };
}

/** Signs the claims (RFC 9101 §4), typ oauth-authz-req+jwt, kid when the key has one. */
export async function signRequestObject(claims: Record<string, unknown>, input: { key: SigningKey; alg: string }): Promise<string> {
  const header: { alg: string; typ: string; kid?: string } = { alg: input.alg, typ: REQUEST_OBJECT_TYP };
  if (input.key.kid) header.kid = input.key.kid;
  return new SignJWT(claims).setProtectedHeader(header).sign(input.key.key);
}

/** The same claims, unsigned (alg none, empty signature): what probe.jar_unsigned sends; never a login. */
export function unsignedRequestObject(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', typ: REQUEST_OBJECT_TYP })}.${part(claims)}.`;
}

/**
 * RFC 9101 §5.1: the request by value. The endpoint keeps its own query (a tenant parameter); of the
 * authorization parameters only client_id stays outside the request object.
 */
export function byValue(authorization_endpoint: string, client_id: string, request: string): URL {
  const url = new URL(authorization_endpoint);
  url.searchParams.set('client_id', client_id);
  url.searchParams.set('request', request);
  return url;
}

/**
 * OIDC Discovery §3: request_parameter_supported defaults to false, so an IdP that reads `request`
 * says so. In a push (RFC 9126 §3) the request object goes to the PAR endpoint, which takes it anyway.
 */
export function judgeJarSupported(metadata: Record<string, unknown>, pushed: boolean, c: CheckRecorder): void {
  if (metadata.request_parameter_supported === true) return void c.pass('jar.supported', 'request_parameter_supported: true');
  if (pushed) return void c.pass('jar.supported', 'the request object is pushed (RFC 9126 §3), so request_parameter_supported does not apply');
  c.violation('jar.supported', `request_parameter_supported is ${metadata.request_parameter_supported === undefined ? 'absent (default false)' : JSON.stringify(metadata.request_parameter_supported)}: the IdP may ignore the request object`);
}

/** RFC 9101 §4, §10.1: the alg used is one the IdP lists in request_object_signing_alg_values_supported. */
export function judgeRequestObjectAlg(choice: { alg: string; advertised: boolean | undefined }, supported: unknown, keyType: string | undefined, c: CheckRecorder): void {
  if (choice.advertised === undefined) return void c.warn('jar.alg', `signed ${choice.alg}; the IdP publishes no request_object_signing_alg_values_supported to check it against`);
  if (choice.advertised) return void c.pass('jar.alg', `signed ${choice.alg}, listed in request_object_signing_alg_values_supported`);
  c.violation('jar.alg', `the key (${keyType ?? 'unknown type'}) cannot sign any of request_object_signing_alg_values_supported [${(supported as unknown[]).join(', ')}]; signed ${choice.alg} anyway`);
}
