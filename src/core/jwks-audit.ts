import { X509Certificate } from 'node:crypto';
import { CheckRecorder } from '../checks/recorder.js';
import type { CheckResult } from '../checks/types.js';
import { cut, listed, show } from '../util/show.js';
import { ecPointProblem, ENCRYPTION_OPS, encryptionMark, okpPointProblem, PRIVATE_MEMBERS, purposeProblem, rsaExponentProblem, rsaSizeProblem, shapeProblem, signatureKeyProblem } from './jwt/jwk.js';
import { kidProblem, quotedKid } from './jwt/kid.js';

/** The pure judge of a JWK Set (CHECKS.md "JWKS"): works on a fetched set and on a local file alike. */

type Jwk = Record<string, unknown>;

const SIG_OPS = new Set(['sign', 'verify']);

/** "kid abc" or "key #2", for messages. */
export function keyLabel(jwk: Jwk, index: number): string {
  return typeof jwk.kid === 'string' ? `kid "${jwk.kid}"` : `key #${index + 1}`;
}

/** What kty/crv an alg needs (RFC 7518 §3.1, §4.1; RFC 8037 §3.1); undefined for an alg we do not know. */
export function keyTypeForAlg(alg: string): { kty: string; crv?: string[] } | undefined {
  if (/^(RS|PS)(256|384|512)$/.test(alg) || /^RSA(1_5|-OAEP(-256|-384|-512)?)$/.test(alg)) return { kty: 'RSA' };
  if (alg === 'ES256') return { kty: 'EC', crv: ['P-256'] };
  if (alg === 'ES384') return { kty: 'EC', crv: ['P-384'] };
  if (alg === 'ES512') return { kty: 'EC', crv: ['P-521'] };
  if (alg === 'ES256K') return { kty: 'EC', crv: ['secp256k1'] };
  if (alg === 'EdDSA') return { kty: 'OKP', crv: ['Ed25519', 'Ed448'] };
  if (alg === 'Ed25519' || alg === 'Ed448') return { kty: 'OKP', crv: [alg] };
  if (/^HS(256|384|512)$/.test(alg) || /^A(128|192|256)(KW|GCMKW)$/.test(alg) || alg === 'dir') return { kty: 'oct' };
  return undefined;
}

/** A key a client can verify with: the judgement key selection makes (jwt/jwk.ts), asymmetric (a published secret is refused there). */
const isSigningKey = (jwk: Jwk): boolean => signatureKeyProblem(jwk, true) === undefined;

/** Compares the public key inside x5c[0] with the bare key members (RFC 7517 §4.7). */
function x5cProblem(jwk: Jwk): string | undefined {
  const chain = jwk.x5c;
  if (!Array.isArray(chain) || typeof chain[0] !== 'string') return 'x5c is not an array of base64 certificates';
  let certKey: Jwk;
  try {
    certKey = new X509Certificate(Buffer.from(chain[0], 'base64')).publicKey.export({ format: 'jwk' }) as Jwk;
  } catch (error) {
    return `x5c[0] is not a certificate (${(error as Error).message})`;
  }
  const members = jwk.kty === 'RSA' ? ['kty', 'n', 'e'] : ['kty', 'crv', 'x', 'y'];
  const differing = members.filter((name) => (certKey[name] ?? undefined) !== (jwk[name] ?? undefined));
  return differing.length ? `the x5c[0] certificate holds another key (${differing.join(', ')} differ)` : undefined;
}

function auditKeys(r: CheckRecorder, keys: Jwk[]): void {
  // Positions looked up once: indexOf per key would make every message quadratic in the set's size.
  const position = new Map(keys.map((jwk, i) => [jwk, i]));
  const label = (jwk: Jwk) => keyLabel(jwk, position.get(jwk)!);
  const problems = (find: (jwk: Jwk) => string | undefined) =>
    keys.flatMap((jwk, i) => {
      const problem = find(jwk);
      return problem === undefined ? [] : [`${keyLabel(jwk, i)}: ${problem}`];
    });

  const signing = keys.filter(isSigningKey);
  if (signing.length) r.pass('jwks.signing_key', `${signing.length} signing key${signing.length > 1 ? 's' : ''}`);
  else if (keys.length === 0) r.violation('jwks.signing_key', 'the keys array is empty');
  else {
    // What a key says of itself is named here; a forgeable or malformed key has its own failed check below.
    const notForSigning = problems((jwk) => purposeProblem(jwk));
    const why = notForSigning.length ? `: ${listed(notForSigning)}` : '';
    const below = notForSigning.length < keys.length ? ' (see the failed checks below)' : '';
    const none = keys.length === 1 ? 'the only key is not' : `none of the ${keys.length} keys is`;
    r.violation('jwks.signing_key', `${none} a sound RSA/EC/Ed25519 key usable to verify signatures${why}${below}`);
  }

  const exposed = problems((jwk) => {
    const found = PRIVATE_MEMBERS.filter((name) => jwk[name] !== undefined);
    return found.length ? `publishes ${found.join(', ')} (${jwk.kty === 'oct' ? 'a symmetric secret' : 'private key material'})` : undefined;
  });
  if (exposed.length) r.violation('jwks.private_material', listed(exposed));
  else r.pass('jwks.private_material', 'public keys only');

  const malformed = problems(shapeProblem);
  // Registered or URI-named types oidc-cli does not verify with (AKP...): well formed for all it knows.
  const unsupported = keys.filter((jwk) => typeof jwk.kty === 'string' && !['RSA', 'EC', 'OKP', 'oct'].includes(jwk.kty));
  if (malformed.length) r.violation('jwks.key_shape', listed(malformed));
  else r.pass('jwks.key_shape', `${keys.length} keys well formed${unsupported.length ? ` (${unsupported.length} of a kty oidc-cli does not use, ignored)` : ''}`);

  // The same judgements key selection applies (jwt/jwk.ts): a key failed here never verifies a token.
  const rsa = keys.filter((jwk) => jwk.kty === 'RSA' && typeof jwk.n === 'string');
  const rsaPlural = `${rsa.length} RSA key${rsa.length > 1 ? 's' : ''}`;
  const sizes = problems(rsaSizeProblem);
  if (rsa.length === 0) r.skip('jwks.rsa_size', 'no RSA keys');
  else if (sizes.length) r.violation('jwks.rsa_size', listed(sizes));
  else r.pass('jwks.rsa_size', `${rsaPlural}, all of 2048 to 16384 bits`);

  const exponents = problems(rsaExponentProblem);
  if (rsa.length === 0) r.skip('jwks.rsa_exponent', 'no RSA keys');
  else if (exponents.length) r.violation('jwks.rsa_exponent', listed(exponents));
  else r.pass('jwks.rsa_exponent', `${rsaPlural}, every public exponent odd and at least 3`);

  const curveKeys = keys.filter((jwk) => jwk.kty === 'EC' || jwk.kty === 'OKP').length;
  const badPoints = problems((jwk) => ecPointProblem(jwk) ?? okpPointProblem(jwk));
  if (curveKeys === 0) r.skip('jwks.ec_point', 'no EC or OKP keys');
  else if (badPoints.length) r.violation('jwks.ec_point', listed(badPoints));
  else r.pass('jwks.ec_point', `${curveKeys} EC/OKP point${curveKeys > 1 ? 's' : ''} on ${curveKeys > 1 ? 'their curves' : 'its curve'}, none of small order (or malformed: see jwks.key_shape)`);

  const mismatched = problems((jwk) => {
    if (typeof jwk.alg !== 'string') return undefined;
    const need = keyTypeForAlg(jwk.alg);
    if (!need) return undefined;
    if (need.kty !== jwk.kty) return `alg ${jwk.alg} needs kty ${need.kty}, not ${show(jwk.kty)}`;
    if (need.crv && !need.crv.includes(show(jwk.crv))) return `alg ${jwk.alg} needs crv ${need.crv.join(' or ')}, not ${show(jwk.crv)}`;
    return undefined;
  });
  if (mismatched.length) r.violation('jwks.crv_alg', listed(mismatched));
  else r.pass('jwks.crv_alg', keys.some((jwk) => typeof jwk.alg === 'string') ? 'every alg fits its key' : 'no key declares alg');

  auditKids(r, keys, label);

  const contradictions = problems((jwk) => {
    if (typeof jwk.use !== 'string' || !Array.isArray(jwk.key_ops)) return undefined;
    const allowed = jwk.use === 'sig' ? SIG_OPS : jwk.use === 'enc' ? ENCRYPTION_OPS : undefined;
    const wrong = allowed ? jwk.key_ops.filter((op) => !allowed.has(show(op))) : [];
    return wrong.length ? `use "${jwk.use}" but key_ops ${JSON.stringify(jwk.key_ops)}` : undefined;
  });
  if (contradictions.length) r.violation('jwks.use_key_ops', listed(contradictions));
  else r.pass('jwks.use_key_ops', 'no key contradicts its use with key_ops');

  // A key is for encryption when it says so, or when it can be nothing else (an X25519/X448 key, a JWE
  // alg): such a key beside signing keys makes `use` required on every key (OIDC Discovery §3).
  const encryption = keys.filter(isEncryptionKey);
  const withoutUse = keys.filter((jwk) => jwk.use === undefined);
  const mixed = encryption.length > 0 && encryption.length < keys.length;
  if (mixed && withoutUse.length) {
    const unmarked = encryption.filter((jwk) => jwk.use === undefined);
    const why = unmarked.length ? ` (${listed(unmarked.map(label), ', ')} can only encrypt, yet say${unmarked.length > 1 ? '' : 's'} nothing)` : '';
    r.violation('jwks.use_required', `the set mixes signing and encryption keys but ${listed(withoutUse.map(label), ', ')} ${withoutUse.length > 1 ? 'have' : 'has'} no use${why}`);
  } else r.pass('jwks.use_required', mixed ? 'every key says sig or enc' : encryption.length ? 'encryption keys only' : 'no encryption keys, use is optional');

  const withX5c = keys.filter((jwk) => jwk.x5c !== undefined);
  const x5cBad = problems((jwk) => (jwk.x5c === undefined ? undefined : x5cProblem(jwk)));
  if (withX5c.length === 0) r.skip('jwks.x5c_match', 'no key carries x5c');
  else if (x5cBad.length) r.violation('jwks.x5c_match', listed(x5cBad));
  else r.pass('jwks.x5c_match', `${withX5c.length} x5c leaf certificate${withX5c.length > 1 ? 's match their keys' : ' matches its key'}`);
}

/**
 * Same kid and same kty with the same (or an unstated) alg: a verifier cannot choose between them.
 * One pass over the group (an IdP may send tens of thousands of keys under one kid).
 */
function isAmbiguous(group: Jwk[]): boolean {
  const seen = new Set<string>();
  const withoutAlg = new Set<string>();
  const ktys = new Map<string, number>();
  for (const jwk of group) {
    const kty = show(jwk.kty);
    ktys.set(kty, (ktys.get(kty) ?? 0) + 1);
    if (jwk.alg === undefined) withoutAlg.add(kty);
    else {
      const pair = `${kty}\u0000${show(jwk.alg)}`;
      if (seen.has(pair)) return true;
      seen.add(pair);
    }
  }
  return [...withoutAlg].some((kty) => ktys.get(kty)! > 1);
}

function auditKids(r: CheckRecorder, keys: Jwk[], label: (jwk: Jwk) => string): void {
  const byKid = new Map<string, Jwk[]>();
  for (const jwk of keys) {
    if (typeof jwk.kid !== 'string') continue;
    const group = byKid.get(jwk.kid);
    if (group) group.push(jwk);
    else byKid.set(jwk.kid, [jwk]);
  }
  const duplicates = [...byKid].filter(([, group]) => group.length > 1);
  const ambiguous = duplicates.filter(([, group]) => isAmbiguous(group));
  const kidText = (kid: string) => JSON.stringify(cut(kid));
  const describe = (list: Array<[string, Jwk[]]>) =>
    listed(list.map(([kid, group]) => `${kidText(kid)} ×${group.length} (${listed(group.map((k) => `${show(k.kty)}/${show(k.alg ?? 'no alg')}`), ', ', 5)})`));
  if (ambiguous.length) r.fail('jwks.duplicate_kid', `kid repeated with the same kty/alg, so key selection is ambiguous: ${describe(ambiguous)}`);
  else if (duplicates.length) r.warn('jwks.duplicate_kid', `kid repeated with a different kty/alg (RFC 7517 §4.5 allows it for equivalent alternatives: a warning): ${describe(duplicates)}`);
  else r.pass('jwks.duplicate_kid', byKid.size ? `${byKid.size} distinct kid values` : 'no kid values to compare');

  const missing = keys.filter((jwk) => typeof jwk.kid !== 'string');
  if (missing.length && keys.length > 1) r.violation('jwks.missing_kid', `${missing.length} of ${keys.length} keys have no kid (${listed(missing.map(label), ', ')})`);
  else r.pass('jwks.missing_kid', missing.length ? 'a single key without kid (acceptable)' : 'every key has a kid');

  // eslint-disable-next-line no-control-regex
  const odd = [...byKid.keys()].flatMap((kid) => {
    const problem = kidProblem(kid);
    return problem ? [`${quotedKid(kid)} (${problem})`] : [];
  });
  if (odd.length) r.violation('jwks.kid_format', `unusual kid: ${listed(odd, ', ')}`);
  else r.pass('jwks.kid_format', 'kid values are opaque strings');
}

/** A key that says it is for encryption, or can be nothing else (jwt/jwk.ts); a stated use decides. */
function isEncryptionKey(jwk: Jwk): boolean {
  if (jwk.use !== undefined) return jwk.use === 'enc';
  return encryptionMark(jwk) !== undefined;
}

/** All JWKS checks on a parsed document (a JWK Set object); pure, for a fetched set or a local file. */
export function auditJwks(jwks: unknown): CheckResult[] {
  const r = new CheckRecorder();
  if (jwks === null || typeof jwks !== 'object' || Array.isArray(jwks)) {
    r.violation('jwks.document', `the document is ${Array.isArray(jwks) ? 'an array' : jwks === null ? 'null' : typeof jwks}, not a JSON object with a keys array`);
    return r.results;
  }
  const keys = (jwks as { keys?: unknown }).keys;
  if (!Array.isArray(keys)) {
    r.violation('jwks.document', keys === undefined ? 'the object has no keys member' : `keys is ${typeof keys}, not an array`);
    return r.results;
  }
  const objects = keys.filter((key): key is Jwk => key !== null && typeof key === 'object' && !Array.isArray(key));
  if (objects.length !== keys.length) {
    r.violation('jwks.document', `${keys.length - objects.length} of the ${keys.length} entries in keys are not JSON objects`);
    return r.results;
  }
  r.pass('jwks.document', `a JSON object with ${keys.length} key${keys.length === 1 ? '' : 's'}`);
  auditKeys(r, objects);
  return r.results;
}
