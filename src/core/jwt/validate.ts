import { CheckRecorder } from '../../checks/recorder.js';
import type { TokenPrefix } from '../../checks/catalogue/tokens.js';
import type { CheckResult } from '../../checks/types.js';
import { listed } from '../../util/show.js';
import { checkClaims } from './claims.js';
import { checkAlg, checkHeader } from './header-checks.js';
import { judgeUndecryptable, judgeUnreadableClaims } from './jwe.js';
import { parseJwt } from './parse.js';
import { checkSignature } from './signature.js';
import type { ParsedJwt, ValidateOptions, ValidationResult } from './types.js';

/** Structure checks that need no keys: encoding, JWS (a JWE is judged by jwe.ts), duplicate members. */
function checkStructure(parsed: ParsedJwt, options: ValidateOptions, c: CheckRecorder): void {
  const p = options.prefix;
  if (parsed.nonCanonicalParts.length === 0) c.pass(`${p}.format`, `compact ${parsed.kind.toUpperCase()}, canonical base64url`);
  else c.violation(`${p}.format`, `non-canonical base64url in the ${parsed.nonCanonicalParts.join(', ')} (padding, standard alphabet or stray bits)`);

  if (parsed.kind === 'jws') c.pass(`${p}.jwe`, 'a signed JWS (3 parts)');

  const { header, payload } = parsed.duplicateMembers;
  const repeated = [...header.map((name) => `header.${name}`), ...payload.map((name) => `payload.${name}`)];
  c.expect(`${p}.duplicate_members`, repeated.length === 0, 'no repeated member names', `repeated member names: ${listed(repeated, ', ')}`);
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
  c.fail(`${prefix}.format`, reason);
  return c.results;
}
