import { CheckRecorder } from '../../checks/recorder.js';
import type { TokenIds, TokenPrefix } from '../../checks/catalogue/tokens.js';
import type { CheckResult } from '../../checks/types.js';
import { listed } from '../../util/show.js';
import { checkClaims } from './claims.js';
import { checkAlg, checkHeader } from './header-checks.js';
import { JWE, judgeUndecryptable, judgeUnreadableClaims } from './jwe.js';
import { parseJwt } from './parse.js';
import { checkSignature } from './signature.js';
import type { ParsedJwt, ValidateOptions, ValidationResult } from './types.js';

// The ids judged here, one literal per prefix (TokenIds): `grep id_token.format src` lands on this file.
const FORMAT = { jwt: 'jwt.format', id_token: 'id_token.format', access_token: 'access_token.format' } as const satisfies TokenIds<'format'>;
const DUPLICATE_MEMBERS = { jwt: 'jwt.duplicate_members', id_token: 'id_token.duplicate_members', access_token: 'access_token.duplicate_members' } as const satisfies TokenIds<'duplicate_members'>;

/** Structure checks that need no keys: encoding, JWS (a JWE is judged by jwe.ts), duplicate members. */
function checkStructure(parsed: ParsedJwt, options: ValidateOptions, c: CheckRecorder): void {
  const p = options.prefix;
  const short = parsed.kind === 'jws' ? signatureLengthProblem(parsed) : undefined;
  if (short) c.violation(FORMAT[p], short, { hint: 'Copy the whole token, header.payload.signature: a terminal, a log or a form may have cut its end. A signature cannot be shortened and still verify.' });
  else if (parsed.nonCanonicalParts.length === 0) c.pass(FORMAT[p], `compact ${parsed.kind.toUpperCase()}, canonical base64url`);
  else c.violation(FORMAT[p], `non-canonical base64url in the ${parsed.nonCanonicalParts.join(', ')} (padding, standard alphabet or stray bits)`);

  if (parsed.kind === 'jws') c.pass(JWE[p], 'a signed JWS (3 parts)');

  const { header, payload } = parsed.duplicateMembers;
  const repeated = [...header.map((name) => `header.${name}`), ...payload.map((name) => `payload.${name}`)];
  c.expect(DUPLICATE_MEMBERS[p], repeated.length === 0, 'no repeated member names', `repeated member names: ${listed(repeated, ', ')}`);
}

// RFC 7518 §3: the length a signature of each algorithm has (bytes); RSA's is its modulus, 2048 bits at least (§3.3, §3.5).
// A Map, not an object literal: an alg named "constructor" or "__proto__" must find nothing here.
const SIGNATURE_BYTES = new Map<string, number[]>([['HS256', [32]], ['HS384', [48]], ['HS512', [64]], ['ES256', [64]], ['ES384', [96]], ['ES512', [132]], ['ES256K', [64]], ['Ed25519', [64]], ['EdDSA', [64, 114]]]);
const RSA = /^(RS|PS)(256|384|512)$/;

/**
 * A signature whose length its algorithm cannot produce: the token was cut short (the commonest way to
 * lose its end is a copy) or altered. Without keys nothing else would say so.
 */
function signatureLengthProblem(parsed: ParsedJwt): string | undefined {
  const alg = parsed.header.alg;
  if (typeof alg !== 'string') return undefined;
  const bytes = parsed.signatureBytes!.length;
  const expected = SIGNATURE_BYTES.get(alg);
  const problem = (what: string) => `the signature is ${bytes} bytes; ${what}: the token was cut short or altered`;
  if (alg === 'none') return bytes === 0 ? undefined : problem('"none" has an empty signature');
  if (expected !== undefined) return expected.includes(bytes) ? undefined : problem(`an ${alg} signature is ${expected.join(' or ')}`);
  // RSA: as long as the modulus, in practice a whole number of 64-bit words (2048, 3072, 4096 bits).
  if (RSA.test(alg) && (bytes < 256 || bytes % 8 !== 0)) return problem(`an ${alg} signature is as long as the RSA key, at least 256 (2048 bits) and a whole number of 8-byte words`);
  return undefined;
}

/**
 * Judges one token: structure, header, signature (with trusted keys only) and claims, each as a
 * catalogue check under `options.prefix`. Throws CliError INPUT only when the input is not a token.
 */
export async function validateJwt(token: string, options: ValidateOptions): Promise<ValidationResult> {
  const parsed = parseJwt(token);
  return validateParsed(parsed, options);
}

export async function validateParsed(parsed: ParsedJwt, options: ValidateOptions): Promise<ValidationResult> {
  const c = new CheckRecorder();
  checkStructure(parsed, options, c);
  if (parsed.kind === 'jwe') return { parsed, checks: c.results, signature: judgeUndecryptable(parsed, options, c) };
  const alg = checkAlg(parsed, options, c);
  checkHeader(parsed, options, c);
  const signature = await checkSignature(parsed, alg, options, c);
  if (parsed.payload) checkClaims(parsed.payload, alg, options, c);
  else judgeUnreadableClaims(parsed, options, c);
  return { parsed, checks: c.results, signature };
}

/** The `<prefix>.format` failure of something that is not a token at all (an IdP's answer, a line of batch input). */
export function formatFailure(prefix: TokenPrefix, reason: string): CheckResult[] {
  const c = new CheckRecorder();
  c.fail(FORMAT[prefix], reason);
  return c.results;
}
