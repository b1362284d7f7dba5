import type { CheckId } from '../../checks/catalogue.js';
import type { TokenIds } from '../../checks/catalogue/tokens.js';
import type { CheckRecorder } from '../../checks/recorder.js';
import { AUD, AUTH_TIME, EXP, IAT, ISS, NONCE, SUB } from './claims.js';
import { ALG } from './header-checks.js';
import { KEY, SIGNATURE } from './signature.js';
import type { ParsedJwt, SignatureInfo, ValidateOptions } from './types.js';

const quote = (value: unknown) => JSON.stringify(value);
const REASON = "encrypted (JWE): decrypting needs the recipient's private key, which oidc-cli does not take";

/**
 * The checks the caller asked for, each with what was expected. A login (id_token, access_token)
 * always asks for the signature and the claims OIDC Core §3.1.3.7 / RFC 9068 §4 require; `decode`
 * asks only for what its options name.
 */
export function requestedChecks(options: ValidateOptions): Array<[suffix: string, expected: string]> {
  const { expect, prefix } = options;
  const asked: Array<[string, string | undefined]> = [
    ['signature', prefix !== 'jwt' || options.secret || options.keys?.keys.length ? `a signature by ${options.keys?.label ?? 'the given secret'}` : undefined],
    ['alg', options.algorithms ? `a signature alg in [${options.algorithms.join(', ')}]` : undefined],
    ['iss', expect.issuer === undefined ? undefined : `iss ${quote(expect.issuer)}`],
    ['aud', expect.audience === undefined ? undefined : `aud containing ${quote(expect.audience)}`],
    ['nonce', expect.nonce === undefined ? undefined : 'the nonce that was sent'],
    ['auth_time', expect.maxAge === undefined ? undefined : `auth_time within max_age ${expect.maxAge}s`],
    ['exp', prefix === 'jwt' ? undefined : 'an exp in the future'],
    ['iat', prefix === 'jwt' ? undefined : 'an iat not in the future'],
    ['sub', prefix === 'jwt' ? undefined : 'a sub'],
  ];
  if (prefix === 'id_token' && expect.requireCHash) asked.push(['c_hash', 'a c_hash of the code']);
  return asked.filter((entry): entry is [string, string] => entry[1] !== undefined);
}

/** `<prefix>.jwe`: judged here (a JWE) and in validate.ts (a JWS passes). */
export const JWE = { jwt: 'jwt.jwe', id_token: 'id_token.jwe', access_token: 'access_token.jwe' } as const satisfies TokenIds<'jwe'>;

/** The claim checks an unreadable token fails or skips, in this order, with their ids from the claims' judge. */
const CLAIMS = [['exp', EXP], ['iat', IAT], ['iss', ISS], ['aud', AUD], ['nonce', NONCE], ['auth_time', AUTH_TIME], ['sub', SUB]] as const;

/**
 * A JWE oidc-cli cannot decrypt (RFC 7516): nothing inside can be verified, so every check that was
 * asked for is a violation at its catalogue severity (an access token's iat and sub warn, the rest fail),
 * every other one is skipped with that reason, and `*.jwe` fails unless nothing at all was asked (a bare
 * `decode`, which only shows the header). Never a pass (CHECKS.md ID token).
 */
export function judgeUndecryptable(parsed: ParsedJwt, options: ValidateOptions, c: CheckRecorder): SignatureInfo {
  const p = options.prefix;
  const what = `an encrypted JWE (5 parts, alg ${quote(parsed.header.alg)}, enc ${quote(parsed.header.enc)}${typeof parsed.header.cty === 'string' ? `, cty ${quote(parsed.header.cty)}` : ''})`;
  const requested = new Map(requestedChecks(options));
  if (requested.size === 0) c.skip(JWE[p], `${what}: only the header can be read; nothing was asked of it (--jwks, --issuer, --secret, --iss, --aud...)`);
  else c.fail(JWE[p], `${what}: oidc-cli cannot decrypt it, so ${[...requested.keys()].join(', ')} cannot be checked`);

  const judge = (suffix: string, id: CheckId) => {
    const expected = requested.get(suffix);
    if (expected) c.violation(id, `cannot be checked: the token is encrypted (expected ${expected})`);
    else c.skip(id, 'the token is encrypted: its content cannot be read');
  };
  // The header's alg is the JWE key management alg (RFC 7516 §4.1.1); the signature's, if any, is inside.
  judge('alg', ALG[p]);
  c.skip(KEY[p], 'no key selected: the token is encrypted');
  if (requested.has('signature')) c.fail(SIGNATURE[p], `signature NOT verified: ${REASON}`);
  else c.skip(SIGNATURE[p], `signature NOT verified: ${REASON}`);
  for (const [claim, ids] of CLAIMS) judge(claim, ids[p]);
  if (p === 'id_token') judge('c_hash', 'id_token.c_hash');
  return { verified: false, alg: undefined, kid: typeof parsed.header.kid === 'string' ? parsed.header.kid : undefined, reason: REASON };
}

/**
 * A JWS whose payload is not a JSON claims set (RFC 7519 §7.2 step 10: a JWT's payload is one; a nested
 * JWT, cty "JWT", or any other content is not): no claim in it can be read, so every claim that was asked
 * for is a violation at its catalogue severity, the others are skipped. Never a pass by omission (the
 * signature is judged as usual).
 */
export function judgeUnreadableClaims(parsed: ParsedJwt, options: ValidateOptions, c: CheckRecorder): void {
  const p = options.prefix;
  const requested = new Map(requestedChecks(options));
  const cty = typeof parsed.header.cty === 'string' ? parsed.header.cty : undefined;
  const why = cty && /^jwt$/i.test(cty) ? 'the payload is a nested JWT (cty "JWT"), not a JSON claims set; oidc-cli does not unwrap it' : 'the payload is not a JSON claims set';
  for (const [claim, ids] of CLAIMS) {
    const expected = requested.get(claim);
    const id = ids[p];
    if (expected) c.violation(id, `cannot be checked: ${why} (expected ${expected})`);
    else c.skip(id, `${why}, so no claim was checked`);
  }
  if (p === 'id_token' && requested.has('c_hash')) c.fail('id_token.c_hash', `cannot be checked: ${why}`);
}