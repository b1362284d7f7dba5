import { usageError } from '../errors.js';
import { readLocalFile } from '../util/local-file.js';
import { createHash, createPrivateKey, randomBytes, type JsonWebKey, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, SignJWT, type CryptoKey, type JWK } from 'jose';
import type { CheckRecorder } from '../checks/recorder.js';
import type { HttpResponse } from '../http/types.js';
import { readClaims } from './jwt/parse.js';

/**
 * RFC 9449 DPoP: a key pair held by this run (kept with the cached login), a proof JWT per request
 * (`htm`, `htu`, `iat`, `jti`, and `ath` at resources, `nonce` when the server asks), and the judges of a
 * token that should now be bound to that key.
 */
export interface DpopKey {
  privateKey: CryptoKey;
  publicJwk: JWK;
  /** RFC 7638 SHA-256 thumbprint of the public key: dpop_jkt, and the cnf.jkt of a bound token. */
  thumbprint: string;
}

const ALG = 'ES256';

export async function createDpopKey(): Promise<DpopKey> {
  const { privateKey, publicKey } = await generateKeyPair(ALG, { extractable: true });
  return fromKeys(privateKey, await exportJWK(publicKey));
}

/** The cached login's key (a private JWK from the 0600 cache file). */
export async function dpopKeyFromJwk(jwk: JWK): Promise<DpopKey> {
  // Extractable: the key is kept with the cached login (exportDpopKey) after a --dpop-key login or a refresh.
  const privateKey = (await importJWK(jwk, ALG, { extractable: true })) as CryptoKey;
  const { d: _private, ...publicJwk } = jwk;
  return fromKeys(privateKey, publicJwk);
}

/**
 * --dpop-key FILE: an EC P-256 private key (PEM or JWK), read like --private-key (bounded, never
 * quoted). Any other key is a usage error: proofs are ES256 (RFC 9449 §4.2 lets the client choose).
 */
export async function dpopKeyFromFile(path: string): Promise<DpopKey> {
  const text = await readLocalFile(path, `--dpop-key ${path}`);
  let key: KeyObject;
  try {
    key = text.trimStart().startsWith('{') ? createPrivateKey({ key: JSON.parse(text) as JsonWebKey, format: 'jwk' }) : createPrivateKey(text);
  } catch {
    throw usageError(`--dpop-key ${path}: not a private key in PEM or JWK form`);
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') throw usageError(`--dpop-key ${path}: an EC P-256 key is needed (DPoP proofs are signed ES256)`);
  return dpopKeyFromJwk(key.export({ format: 'jwk' }) as JWK);
}

/** The private JWK, to keep with the cached login. */
export async function exportDpopKey(key: DpopKey): Promise<JWK> {
  return exportJWK(key.privateKey);
}

async function fromKeys(privateKey: CryptoKey, publicJwk: JWK): Promise<DpopKey> {
  const jwk: JWK = { kty: publicJwk.kty, crv: publicJwk.crv, x: publicJwk.x, y: publicJwk.y };
  return { privateKey, publicJwk: jwk, thumbprint: await calculateJwkThumbprint(jwk, 'sha256') };
}

/** One proof (RFC 9449 §4.2): htu without query and fragment; ath = base64url(SHA-256(access token)) at a resource. */
export async function dpopProof(key: DpopKey, input: { htm: string; url: string; nonce?: string | undefined; accessToken?: string | undefined; iat?: number | undefined }): Promise<string> {
  const htu = new URL(input.url);
  htu.search = '';
  htu.hash = '';
  const claims: Record<string, unknown> = { htm: input.htm, htu: htu.href, jti: randomBytes(16).toString('base64url') };
  if (input.nonce) claims.nonce = input.nonce;
  if (input.accessToken) claims.ath = createHash('sha256').update(input.accessToken).digest('base64url');
  // iat is given only by a probe that sends a stale proof (dpop.iat_checked).
  return new SignJWT(claims).setProtectedHeader({ alg: ALG, typ: 'dpop+jwt', jwk: key.publicJwk }).setIssuedAt(input.iat).sign(key.privateKey);
}

/**
 * RFC 9449 §5, §6: a token requested with a proof must come back as token_type DPoP, and a JWT access
 * token must carry cnf.jkt, the key's thumbprint; otherwise it is a Bearer token anyone holding it can use.
 */
/** token_type, and cnf.jkt of a JWT access token; an opaque one's is left to the caller when `opaqueJudgedElsewhere` (introspection). */
export function judgeDpopTokens(tokens: { token_type?: string | undefined; access_token: string }, key: DpopKey, c: CheckRecorder, opaqueJudgedElsewhere = false): void {
  c.expect('dpop.token_type', tokens.token_type?.toLowerCase() === 'dpop', 'token_type DPoP: the access token is bound to this key', `token_type ${tokens.token_type === undefined ? '(none)' : `"${tokens.token_type}"`} to a request with a DPoP proof: the access token is not bound (a Bearer token anyone holding it can use)`);
  const claims = readClaims(tokens.access_token);
  if (!claims) return opaqueJudgedElsewhere ? undefined : void c.skip('dpop.cnf_jkt', 'an opaque access token: only the IdP (introspection) can tell its cnf.jkt');
  const cnf = claims.cnf;
  const jkt = cnf !== null && typeof cnf === 'object' && !Array.isArray(cnf) ? (cnf as Record<string, unknown>).jkt : undefined;
  if (jkt === key.thumbprint) c.pass('dpop.cnf_jkt', `cnf.jkt ${key.thumbprint}: the thumbprint of this run's key`);
  else c.violation('dpop.cnf_jkt', jkt === undefined ? 'the JWT access token has no cnf.jkt: nothing binds it to the key' : `cnf.jkt "${String(jkt)}" is not this key's thumbprint ${key.thumbprint}`);
}

/**
 * A request to a resource with a DPoP-bound token (RFC 9449 §7): `Authorization: DPoP <token>` and a
 * proof with `ath`; when the resource answers 401 with use_dpop_nonce and a DPoP-Nonce, once more with it.
 */
export async function withDpop(key: DpopKey, input: { method: string; url: string; accessToken: string }, send: (headers: Record<string, string>) => Promise<HttpResponse>): Promise<HttpResponse> {
  const headers = async (nonce?: string) => ({ authorization: `DPoP ${input.accessToken}`, dpop: await dpopProof(key, { htm: input.method, url: input.url, nonce, accessToken: input.accessToken }) });
  const first = await send(await headers());
  const nonce = first.headers['dpop-nonce'];
  if (first.status !== 401 || !nonce || !/use_dpop_nonce/.test(first.headers['www-authenticate'] ?? '')) return first;
  return send(await headers(nonce));
}

/** RFC 9449 §8: a nonce the IdP asked for must be taken on the one retry; none asked for is fine. */
export function judgeDpopNonce(exchange: { dpopNonce?: string | undefined; response: HttpResponse }, c: CheckRecorder): void {
  if (!exchange.dpopNonce) return void c.skip('dpop.nonce', 'the IdP did not ask for a server nonce (optional, RFC 9449 §8)');
  const again = /use_dpop_nonce/.test(exchange.response.text());
  c.expect('dpop.nonce', !again, 'the IdP asked for a nonce (use_dpop_nonce) and took the proof that carried it', 'the proof carried the nonce the IdP asked for, and it answered use_dpop_nonce again');
}
