import type { JWK } from 'jose';
import { inputError } from '../errors.js';
import { assertSameIssuer } from './metadata-trust.js';
import type { HttpClient } from '../http/types.js';
import { readLocalFile } from '../util/local-file.js';
import { advertisedAlgorithms, discover, requiredMember } from './discovery.js';
import type { KeySource } from './jwt/types.js';
import { remoteKeySet } from './remote-keys.js';

/** A JWK Set (`{"keys":[…]}`) or a single JWK, from a file or a URL. */
export function parseKeys(text: string, label: string): JWK[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw inputError(`${label} is not JSON (expected a JWK Set or a JWK)`);
  }
  if (typeof value === 'object' && value !== null && Array.isArray((value as { keys?: unknown }).keys)) {
    return ((value as { keys: unknown[] }).keys).filter((key): key is JWK => typeof key === 'object' && key !== null);
  }
  if (typeof value === 'object' && value !== null && typeof (value as { kty?: unknown }).kty === 'string') return [value as JWK];
  throw inputError(`${label} is neither a JWK Set ({"keys": [...]}) nor a JWK (no "kty")`);
}

/** `--jwks FILE|URL`: a URL is fetched through the HTTP layer (and fetched again on an unknown kid). */
export async function keySourceFromJwksOption(value: string, http: () => Promise<HttpClient>): Promise<KeySource> {
  if (/^https?:\/\//i.test(value)) return remoteKeySet(await http(), value, `JWKS ${value}`);
  const text = await readLocalFile(value, `--jwks file ${value}`);
  // A local file may hold a shared HMAC key (oct): it is the user's own secret, not a published one.
  return { keys: parseKeys(text, `--jwks file ${value}`), label: `file ${value}`, published: false };
}

/** `--issuer URL`: discovery → jwks_uri, with the issuer's advertised algorithms. */
export async function keySourceFromIssuer(issuer: string, http: HttpClient): Promise<{ keys: KeySource; advertisedAlgorithms: string[] | undefined }> {
  const { metadata, checks } = await discover(http, issuer);
  // Keys named by a document of another issuer verify nothing of this one's (OIDC Discovery §4.3).
  assertSameIssuer(issuer, { metadata, checks });
  const jwksUri = requiredMember(issuer, metadata, 'jwks_uri');
  return { keys: await remoteKeySet(http, jwksUri), advertisedAlgorithms: advertisedAlgorithms(metadata) };
}
