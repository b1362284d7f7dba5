import type { CryptoKey, JWK } from 'jose';
import { listed } from '../../util/show.js';
import type { TokenIds } from '../../checks/catalogue/tokens.js';
import type { CheckRecorder } from '../../checks/recorder.js';
import { JWS_ALGORITHMS } from './algorithms.js';
import { verifyJws } from './jws-verify.js';
import { jwkThumbprint } from './jwk.js';
import { importVerificationKey, selectKeys } from './keys.js';
import type { ParsedJwt, SignatureInfo, ValidateOptions } from './types.js';

/** RFC 7638 thumbprints of keys that verified, hashed once per key rather than once per token. */
const thumbprints = new WeakMap<JWK, string>();

function thumbprintOf(jwk: JWK): string {
  let thumbprint = thumbprints.get(jwk);
  if (thumbprint === undefined) thumbprints.set(jwk, (thumbprint = jwkThumbprint(jwk as Record<string, unknown>)!));
  return thumbprint;
}

/** Candidate keys tried per token at most (each costs an import and a verification). */
const MAX_CANDIDATES = 10;

// The ids judged here, one literal per prefix (TokenIds): `grep id_token.signature src` lands on this file.
export const KEY = { jwt: 'jwt.key', id_token: 'id_token.key', access_token: 'access_token.key' } as const satisfies TokenIds<'key'>;
export const SIGNATURE = { jwt: 'jwt.signature', id_token: 'id_token.signature', access_token: 'access_token.signature' } as const satisfies TokenIds<'signature'>;

/**
 * Diagnosis of a signature that does not verify (issue 13): a token whose iss names another issuer was
 * most likely signed with that issuer's keys, so say so, with the command that checks it there.
 */
function otherIssuerCause(parsed: ParsedJwt, options: ValidateOptions): string {
  const iss = parsed.payload?.iss;
  const expected = options.expect.issuer;
  if (typeof iss !== 'string' || expected === undefined || iss === expected || !/^https?:\/\/[^\s"'`]+$/.test(iss)) return '';
  return `; the token's iss is "${iss}", not "${expected}": it was probably signed with that issuer's keys (check it there: oidc-cli decode --issuer ${iss} TOKEN)`;
}

/**
 * Verifies the signature with keys from a trusted source only (never from the header: jku, x5u,
 * jwk and x5c are ignored, RFC 8725 §3.10), selecting by kid, kty, crv, alg, use and key_ops.
 */
export async function checkSignature(parsed: ParsedJwt, alg: string | undefined, options: ValidateOptions, c: CheckRecorder): Promise<SignatureInfo> {
  const p = options.prefix;
  const kid = typeof parsed.header.kid === 'string' ? parsed.header.kid : undefined;
  const info: SignatureInfo = { verified: false, alg: typeof parsed.header.alg === 'string' ? parsed.header.alg : undefined, kid };
  const notVerified = (reason: string, status: 'skip' | 'violation', hint?: string) => {
    info.reason = reason;
    if (status === 'skip') c.skip(SIGNATURE[p], `signature NOT verified: ${reason}`);
    else c.violation(SIGNATURE[p], `${reason}${otherIssuerCause(parsed, options)}`, hint ? { hint } : {});
    return info;
  };

  if (!alg) {
    c.skip(KEY[p], 'no usable alg');
    return notVerified('no usable alg, so nothing to verify with', 'violation');
  }
  if (parsed.parts[2] === '') {
    c.skip(KEY[p], 'no signature to verify');
    return notVerified('the signature part is empty (a stripped signature)', 'violation');
  }
  const algorithm = JWS_ALGORITHMS.get(alg)!;

  if (algorithm.kty === 'oct' && options.secret) {
    c.pass(KEY[p], 'HMAC with the given secret');
    if (await verifyJws(parsed, options.secret, alg)) {
      info.verified = true;
      c.pass(SIGNATURE[p], `${alg} signature verified with the given secret`);
      return info;
    }
    return notVerified(`${alg} signature does not verify with the given secret`, 'violation');
  }
  if (!options.keys || options.keys.keys.length === 0) {
    // A secret was given, so a signature was asked for: a token whose alg takes a public key cannot
    // satisfy it (an attacker who swaps HS256 for RS256 must not get a skip, and exit 0).
    if (options.secret) {
      // Not a rotation or a tampered token: the wrong kind of key was given, and the hint says which is right.
      const hint = `A ${alg} token is signed with the issuer's private ${algorithm.kty} key: verify it with the public key (--jwks FILE|URL, or --issuer URL). A shared secret (--secret, --secret-file) verifies HS256/HS384/HS512 tokens only.`;
      c.fail(KEY[p], `alg ${alg} takes ${algorithm.kty === 'EC' ? 'an' : 'a'} ${algorithm.kty} public key, and only a shared secret was given`, { hint });
      return notVerified(`a ${alg} token cannot be verified with a shared secret (--secret or --secret-file): give its issuer's keys (--jwks, --issuer)`, 'violation', hint);
    }
    c.skip(KEY[p], 'no keys given');
    return notVerified(
      algorithm.kty === 'oct' ? 'an HMAC token and no secret given (--secret, --secret-file)' : 'no keys given (use --jwks, --issuer or --secret)',
      'skip',
    );
  }

  let selection = selectKeys(options.keys, alg, algorithm, kid);
  // The IdP may have rotated keys since they were fetched: the source fetches once more (within its
  // cooldown it does not), then the token is judged against what it has (CHECKS.md "JWKS").
  let fetchedAgain = false;
  if (selection.unknownKid && options.keys.refetch && (await options.keys.refetch())) {
    fetchedAgain = true;
    selection = selectKeys(options.keys, alg, algorithm, kid);
  }
  const { candidates, refused } = selection;
  const source = options.keys.label;
  const forAnotherServer = p === 'access_token';
  if (selection.unknownKid) {
    const known = listed(options.keys.keys.map((jwk) => jwk.kid ?? '(no kid)'), ', ');
    // Said only when it happened: within the source's cooldown (a set fetched moments ago) it does not.
    const refetched = fetchedAgain ? ' (after fetching the keys again)' : options.keys.refetch ? ' (fetched moments ago)' : '';
    const message = `no ${algorithm.kty} key with kid "${kid}" in ${source}${refetched}; it has: ${known || 'no keys'}`;
    // An access token may be signed for another audience's keys (RFC 9068 §4): a note, not a failure.
    if (forAnotherServer) c.skip(KEY[p], `${message} (it may be meant for another resource server)`);
    else c.violation(KEY[p], message);
    return notVerified(`no key with kid "${kid}"`, forAnotherServer ? 'skip' : 'violation');
  }
  if (candidates.length === 0 && refused.length === 0 && selection.notForSignatures.length > 0) {
    // The kid is known, but names a key for encrypting tokens to the issuer, not for verifying its signatures.
    const named = listed(selection.notForSignatures.map(({ reason }) => reason), '; ');
    const message = `kid "${kid}" in ${source} names ${named}: ${selection.notForSignatures.length > 1 ? 'none of them' : 'it'} cannot verify a signature`;
    if (forAnotherServer) c.skip(`${p}.key`, message);
    else c.violation(`${p}.key`, message);
    return notVerified(`kid "${kid}" names no key for signatures`, forAnotherServer ? 'skip' : 'violation');
  }
  if (candidates.length === 0 && refused.length > 0) {
    // A key that anyone can sign with (or that is not a key at all) verifies nothing, for any token.
    const reasons = listed(refused.map(({ jwk, reason }) => `${jwk.kid ? `key "${jwk.kid}"` : 'a key'} refused: ${reason}`));
    c.fail(KEY[p], `${reasons} (${source})`);
    return notVerified(`the only key for ${alg}${kid ? ` with kid "${kid}"` : ''} in ${source} is refused`, 'violation');
  }
  if (candidates.length === 0) {
    const message = `no key in ${source} fits ${alg} (kty ${algorithm.kty}${algorithm.crv ? `, crv ${algorithm.crv}` : ''}, use sig)`;
    if (forAnotherServer) c.skip(KEY[p], message);
    else c.violation(KEY[p], message);
    return notVerified(`no key fits ${alg}`, forAnotherServer ? 'skip' : 'violation');
  }
  if (candidates.length > MAX_CANDIDATES) {
    // A key rotation overlaps two or three keys; thousands are a set built to make each token cost seconds.
    c.fail(KEY[p], `${candidates.length} keys in ${source} fit ${alg}${kid === undefined ? ' and the header has no kid' : ` under kid "${kid}"`}: key selection is ambiguous; only the first ${MAX_CANDIDATES} are tried`);
  } else if (kid === undefined && candidates.length > 1) {
    // OIDC Core §10.1: without a kid the verifier cannot know which key was meant.
    const message = `no kid in the header and ${candidates.length} keys in ${source} fit ${alg}: key selection is ambiguous`;
    if (p === 'id_token') c.violation(KEY[p], message);
    else c.warn(KEY[p], message);
  } else if (candidates.length > 1) {
    c.warn(KEY[p], `kid "${kid}" names ${candidates.length} keys in ${source} that fit ${alg}: key selection is ambiguous (each is tried)`);
  } else {
    c.pass(KEY[p], `key ${candidates[0]!.kid ? `"${candidates[0]!.kid}"` : '(no kid)'} from ${source}${refused.length ? ` (${refused.length} unsafe key${refused.length > 1 ? 's' : ''} refused)` : ''}`);
  }

  const verifiedWith = async (list: readonly JWK[]): Promise<JWK | undefined> => {
    for (const jwk of list.slice(0, MAX_CANDIDATES)) {
      let key: CryptoKey | Uint8Array;
      try {
        key = await importVerificationKey(jwk, alg);
      } catch {
        continue; // A malformed key is the JWKS audit's finding; try the next one.
      }
      if (await verifyJws(parsed, key, alg)) return jwk;
    }
    return undefined;
  };
  const verified = (jwk: JWK, note = '') => {
    info.verified = true;
    info.keyThumbprint = thumbprintOf(jwk);
    c.pass(SIGNATURE[p], `${alg} signature verified with key ${jwk.kid ? `"${jwk.kid}"` : info.keyThumbprint}${note}`);
    return info;
  };
  const first = await verifiedWith(candidates);
  if (first) return verified(first);
  const tried = candidates.length === 1 ? 'the selected key' : candidates.length > MAX_CANDIDATES ? `the first ${MAX_CANDIDATES} of ${candidates.length} candidate keys` : `any of ${candidates.length} candidate keys`;
  // Diagnosis: the IdP may have replaced the key under the same kid since the set was fetched (a
  // rotation that reuses kids). Fetch once more (the source's cooldown permitting) and try the new ones.
  if (kid !== undefined && options.keys.refetch) {
    const seen = new Set(candidates.map((jwk) => jwkThumbprint(jwk as Record<string, unknown>)));
    if (await options.keys.refetch()) {
      const fresh = selectKeys(options.keys, alg, algorithm, kid).candidates.filter((jwk) => !seen.has(jwkThumbprint(jwk as Record<string, unknown>)));
      const rotated = await verifiedWith(fresh);
      if (rotated) return verified(rotated, ` (fetched again: the key under kid "${kid}" had changed, a rotation that reused the kid)`);
      return notVerified(`${alg} signature does not verify with ${tried} from ${source}, nor after fetching the key set again${fresh.length ? ` (${fresh.length} new key${fresh.length > 1 ? 's' : ''} under kid "${kid}")` : ' (the same keys came back)'}: the token was altered, or signed with a key that is not published`, 'violation');
    }
  }
  return notVerified(`${alg} signature does not verify with ${tried} from ${source}`, 'violation');
}
