import { createPrivateKey, randomUUID, type JsonWebKey, type KeyObject } from 'node:crypto';
import { readLocalFile } from '../util/local-file.js';
import { SignJWT, type JWK } from 'jose';
import { inputError, usageError } from '../errors.js';
import { formUrlEncode } from '../util/redact.js';
import { jsonParseProblem } from '../util/show.js';
import type { ClientCertificate } from './mtls.js';

/**
 * Client authentication at the token, introspection and revocation endpoints (RFC 6749 §2.3,
 * OIDC Core §9). One function applies a method to a form and headers, so every grant shares it.
 */
export type ClientAuthMethod = 'none' | 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'tls_client_auth' | 'self_signed_tls_client_auth';

/** RFC 8705 §2: the methods whose credential is the TLS client certificate, not anything in the request. */
export const MTLS_CLIENT_AUTH: readonly ClientAuthMethod[] = ['tls_client_auth', 'self_signed_tls_client_auth'];

export interface SigningKey {
  key: KeyObject;
  alg: string;
  kid: string | undefined;
}

export interface ClientCredentials {
  client_id: string;
  method: ClientAuthMethod;
  client_secret?: string;
  privateKey?: SigningKey;
  /**
   * The aud of every private_key_jwt assertion, whatever the endpoint: FAPI 2.0 (and RFC 7523bis) want
   * the issuer identifier. Unset: the token endpoint's URL at the token endpoint (OIDC Core §9), the
   * issuer at the others.
   */
  assertionAudience?: string;
  /**
   * --cert/--key (RFC 8705): the credential of tls_client_auth and self_signed_tls_client_auth, and what
   * binds the tokens with any method. Presented in the TLS handshake to the mTLS endpoints only (core/mtls.ts).
   */
  certificate?: ClientCertificate;
}

export interface AppliedAuth {
  headers: Record<string, string>;
  /** Values to mask in traces. */
  secrets: string[];
}

/** RFC 6749 §2.3.1: client_id and secret are each form-urlencoded (Appendix B) before the Basic encoding. */
export { formUrlEncode };

export function basicAuthorization(client_id: string, client_secret: string): string {
  return `Basic ${Buffer.from(`${formUrlEncode(client_id)}:${formUrlEncode(client_secret)}`, 'utf8').toString('base64')}`;
}

/**
 * The Basic credential as an IdP may quote it back: as sent, and base64 of the raw `client_id:secret`
 * (what a server that skips the form-urlencoding rebuilds). Both are as secret as the secret; the output
 * gate masks each in the other base64 alphabet and without padding too (report/secret-spellings.ts).
 */
export function basicCredentials(client_id: string, client_secret: string): string[] {
  return [basicAuthorization(client_id, client_secret).slice('Basic '.length), Buffer.from(`${client_id}:${client_secret}`, 'utf8').toString('base64')];
}

/** RFC 7523 §3 / OIDC Core §9: a short-lived JWT with iss = sub = client_id and aud = the endpoint. */
export async function clientAssertion(client_id: string, key: SigningKey, audience: string, nowSeconds = Math.floor(Date.now() / 1000)): Promise<string> {
  const header: { alg: string; typ: string; kid?: string } = { alg: key.alg, typ: 'JWT' };
  if (key.kid) header.kid = key.kid;
  return new SignJWT({})
    .setProtectedHeader(header)
    .setIssuer(client_id)
    .setSubject(client_id)
    .setAudience(audience)
    .setJti(randomUUID())
    .setIssuedAt(nowSeconds)
    .setExpirationTime(nowSeconds + 60)
    .sign(key.key);
}

/** Adds the method's parameters to `form` (mutated) and returns the headers to send. */
export async function applyClientAuth(credentials: ClientCredentials, form: URLSearchParams, audience: string): Promise<AppliedAuth> {
  const { client_id, client_secret } = credentials;
  switch (credentials.method) {
    case 'none':
      form.set('client_id', client_id);
      return { headers: {}, secrets: [] };
    case 'client_secret_basic': {
      if (!client_secret) throw usageError('client_secret_basic needs a client secret', 'pass --client-secret-file FILE or set OIDC_CLIENT_SECRET');
      // The base64 credential is as secret as the secret: an IdP echoing the header shows only that form.
      const authorization = basicAuthorization(client_id, client_secret);
      return { headers: { authorization }, secrets: [client_secret, ...basicCredentials(client_id, client_secret)] };
    }
    case 'client_secret_post':
      if (!client_secret) throw usageError('client_secret_post needs a client secret', 'pass --client-secret-file FILE or set OIDC_CLIENT_SECRET');
      form.set('client_id', client_id);
      form.set('client_secret', client_secret);
      return { headers: {}, secrets: [client_secret] };
    case 'private_key_jwt': {
      if (!credentials.privateKey) throw usageError('private_key_jwt needs --private-key FILE');
      const assertion = await clientAssertion(client_id, credentials.privateKey, credentials.assertionAudience ?? audience);
      form.set('client_id', client_id);
      form.set('client_assertion_type', 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
      form.set('client_assertion', assertion);
      return { headers: {}, secrets: [assertion] };
    }
    case 'tls_client_auth':
    case 'self_signed_tls_client_auth':
      // RFC 8705 §2: client_id in the request, the certificate in the TLS handshake (mtlsHttp presents it).
      if (!credentials.certificate) throw usageError(`${credentials.method} needs a client certificate`, 'pass --cert FILE --key FILE (PEM)');
      form.set('client_id', client_id);
      return { headers: {}, secrets: [] };
  }
}

/**
 * The method to use: the explicit one, else private_key_jwt with a key, a secret method with a secret
 * (basic unless the IdP only lists post, RFC 8414 §2 default), else with a certificate alone the RFC 8705
 * method the IdP lists (self_signed_tls_client_auth first for a self-signed certificate), else none (a
 * public client, whose tokens a certificate may still bind).
 */
export function chooseClientAuth(explicit: string | undefined, has: { secret: boolean; key: boolean; certificate?: { selfSigned: boolean } | undefined }, supported: unknown): ClientAuthMethod {
  if (explicit) return explicit as ClientAuthMethod;
  if (has.key) return 'private_key_jwt';
  const list = Array.isArray(supported) ? supported : undefined;
  if (!has.secret && has.certificate && list) {
    const order: ClientAuthMethod[] = has.certificate.selfSigned ? ['self_signed_tls_client_auth', 'tls_client_auth'] : ['tls_client_auth', 'self_signed_tls_client_auth'];
    const listed = order.find((method) => list.includes(method));
    if (listed) return listed;
  }
  if (!has.secret) return 'none';
  if (list && !list.includes('client_secret_basic') && list.includes('client_secret_post')) return 'client_secret_post';
  return 'client_secret_basic';
}

function algFor(key: KeyObject, jwkAlg: unknown, flag: string): string {
  if (typeof jwkAlg === 'string') return jwkAlg;
  const type = key.asymmetricKeyType;
  if (type === 'rsa' || type === 'rsa-pss') return type === 'rsa' ? 'RS256' : 'PS256';
  if (type === 'ed25519' || type === 'ed448') return 'EdDSA';
  if (type === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    return curve === 'secp384r1' ? 'ES384' : curve === 'secp521r1' ? 'ES512' : 'ES256';
  }
  throw inputError(`${flag}: unsupported key type ${type ?? 'unknown'}`);
}

/** JSON.parse's message quotes the text near the error ("{"d": "q7Lm…" is not valid JSON): a key file's is never shown. */
function parseKeyJson(text: string): JWK & { keys?: JWK[] } {
  try {
    return JSON.parse(text) as JWK & { keys?: JWK[] };
  } catch (error) {
    throw new Error(`it starts with "{" but is not valid JSON: ${jsonParseProblem(error)}`);
  }
}

/** Reads a PEM (PKCS#8, PKCS#1, SEC1) or a private JWK (or a JWK Set holding one private key). */
export async function loadPrivateKey(file: string, flag = '--private-key'): Promise<SigningKey> {
  const text = await readLocalFile(file, `${flag} ${file}`);
  try {
    if (text.trimStart().startsWith('{')) {
      const parsed = parseKeyJson(text);
      const jwk = parsed.keys ? parsed.keys.find((k) => 'd' in k) : parsed;
      if (!jwk || !('d' in jwk)) throw new Error('no private key (member "d") in the JWK');
      const key = createPrivateKey({ key: jwk as JsonWebKey, format: 'jwk' });
      return { key, alg: algFor(key, jwk.alg, flag), kid: typeof jwk.kid === 'string' ? jwk.kid : undefined };
    }
    const key = createPrivateKey(text);
    return { key, alg: algFor(key, undefined, flag), kid: undefined };
  } catch (error) {
    if (error instanceof Error && error.name === 'CliError') throw error;
    throw inputError(`${flag}: ${file} is not a private key in PEM or JWK form (${(error as Error).message})`);
  }
}
