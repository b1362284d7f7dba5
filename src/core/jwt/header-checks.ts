import type { TokenIds } from '../../checks/catalogue/tokens.js';
import type { CheckRecorder } from '../../checks/recorder.js';
import { JWS_ALGORITHMS, isNoneAlgorithm } from './algorithms.js';
import { kidProblem, quotedKid } from './kid.js';
import type { ParsedJwt, ValidateOptions } from './types.js';

const KEY_REFERENCE_MEMBERS = ['jku', 'x5u', 'jwk', 'x5c'] as const;

const quote = (value: unknown) => JSON.stringify(value);

// The ids judged here, one literal per prefix (TokenIds): `grep id_token.kid src` lands on this file.
export const ALG = { jwt: 'jwt.alg', id_token: 'id_token.alg', access_token: 'access_token.alg' } as const satisfies TokenIds<'alg'>;
const CRIT = { jwt: 'jwt.crit', id_token: 'id_token.crit', access_token: 'access_token.crit' } as const satisfies TokenIds<'crit'>;
const HEADER_KEYS = { jwt: 'jwt.header_keys', id_token: 'id_token.header_keys', access_token: 'access_token.header_keys' } as const satisfies TokenIds<'header_keys'>;
const KID = { jwt: 'jwt.kid', id_token: 'id_token.kid', access_token: 'access_token.kid' } as const satisfies TokenIds<'kid'>;
const TYP = { jwt: 'jwt.typ', id_token: 'id_token.typ', access_token: 'access_token.typ' } as const satisfies TokenIds<'typ'>;

/** `alg`: present, not none in any spelling, allowed, and keyed sensibly. Returns the alg when usable. */
export function checkAlg(parsed: ParsedJwt, options: ValidateOptions, c: CheckRecorder): string | undefined {
  const id = ALG[options.prefix];
  const alg = parsed.header.alg;
  if (typeof alg !== 'string' || alg === '') return void c.violation(id, `header has no alg (got ${quote(alg)})`);
  if (isNoneAlgorithm(alg)) return void c.violation(id, `alg ${quote(alg)} means an unsigned token: refused in any spelling`);
  const info = JWS_ALGORITHMS.get(alg);
  if (!info) return void c.violation(id, `alg ${quote(alg)} is not a JWS signature algorithm oidc-cli can verify`);
  if (options.algorithms && !options.algorithms.includes(alg)) {
    return void c.violation(id, `alg ${alg} is not in the allowed list [${options.algorithms.join(', ')}]`);
  }
  if (info.kty === 'oct') {
    const octKeys = options.keys?.keys.filter((jwk) => jwk.kty === 'oct') ?? [];
    if (!options.secret && octKeys.length === 0 && options.keys && options.keys.keys.length > 0) {
      return void c.violation(
        id,
        `${alg} (HMAC) token but only public keys are known: keying HMAC with a public key is the RS/ES→HS confusion attack; refused`,
      );
    }
    if (options.secret && options.secret.length < info.minSecretBytes!) {
      return void c.violation(id, `${alg} needs a secret of at least ${info.minSecretBytes} bytes; the one given has ${options.secret.length}`, {
        hint: 'RFC 7518 §3.2: an HMAC key must be at least as long as the hash output; short secrets are brute-forced offline.',
      });
    }
  }
  c.pass(id, `alg ${alg}`);
  if (options.prefix === 'id_token') {
    const advertised = options.expect.advertisedAlgorithms;
    if (!advertised) c.skip('id_token.alg_advertised', 'the issuer\'s id_token_signing_alg_values_supported is not known');
    else c.expect('id_token.alg_advertised', advertised.includes(alg), `${alg} is advertised`, `${alg} is not in id_token_signing_alg_values_supported [${advertised.join(', ')}]`);
  }
  return alg;
}

/** crit, key references, kid and typ: the header members a verifier must look at before trusting anything. */
export function checkHeader(parsed: ParsedJwt, options: ValidateOptions, c: CheckRecorder): void {
  const { header } = parsed;
  const p = options.prefix;

  if (header.crit === undefined) c.pass(CRIT[p], 'no crit header');
  else c.violation(CRIT[p], `crit ${quote(header.crit)} names extensions oidc-cli does not process; a recipient must reject the token`);

  const references = KEY_REFERENCE_MEMBERS.filter((name) => header[name] !== undefined);
  if (references.length === 0) c.pass(HEADER_KEYS[p], 'no jku, x5u, jwk or x5c in the header');
  else {
    const shown = references.map((name) => (typeof header[name] === 'string' ? `${name}=${header[name]}` : name)).join(', ');
    c.violation(HEADER_KEYS[p], `header carries ${shown}: ignored, never fetched; the key must come from the issuer's keys`);
  }

  const kid = header.kid;
  if (kid === undefined) c.pass(KID[p], 'no kid');
  else if (typeof kid !== 'string') c.violation(KID[p], `kid is ${typeof kid}, not a string`);
  else {
    const problem = kidProblem(kid);
    if (problem) c.violation(KID[p], `kid ${quotedKid(kid)} has ${problem}`);
    else c.pass(KID[p], `kid ${quote(kid)}`);
  }

  checkTyp(header.typ, p, c);
}

function checkTyp(typ: unknown, p: ValidateOptions['prefix'], c: CheckRecorder): void {
  const id = TYP[p];
  // RFC 7515 §4.1.9: media types may omit "application/" and compare case-insensitively.
  const normalized = typeof typ === 'string' ? typ.toLowerCase().replace(/^application\//, '') : undefined;
  const isAccessTokenTyp = normalized === 'at+jwt';
  if (typ !== undefined && typeof typ !== 'string') return void c.violation(id, `typ is ${typeof typ}, not a string`);
  if (p === 'id_token') {
    return void c.expect(id, !isAccessTokenTyp, `typ ${typ === undefined ? 'absent' : quote(typ)}`, `typ ${quote(typ)} marks an access token, not an ID token`);
  }
  if (p === 'access_token') {
    return void c.expect(id, isAccessTokenTyp, `typ ${quote(typ)}`, `typ ${typ === undefined ? 'is absent' : quote(typ)}; RFC 9068 access tokens carry "at+jwt"`);
  }
  // Explicit typing (RFC 8725 §3.11): "JWT" or a "+jwt" media type; anything else is not a JWT at all.
  const looksJwt = normalized === undefined || normalized === 'jwt' || normalized.endsWith('+jwt');
  c.expect(
    id,
    looksJwt,
    typ === undefined ? 'typ absent' : `typ ${quote(typ)}${isAccessTokenTyp ? ' (an RFC 9068 access token)' : ''}`,
    `typ ${quote(typ)} is not "JWT" or a "+jwt" media type`,
  );
}
