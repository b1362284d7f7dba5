import { cut } from '../../util/show.js';
import type { TokenIds } from '../../checks/catalogue/tokens.js';
import type { CheckRecorder } from '../../checks/recorder.js';
import { epochIso, humanDuration, isEpochInRange, MAX_EPOCH_SECONDS, relativeTime } from '../../util/duration.js';
import { JWS_ALGORITHMS } from './algorithms.js';
import type { ValidateOptions } from './types.js';

const ONE_YEAR = 366 * 86400;
const RFC9068_CLAIMS = ['iss', 'exp', 'aud', 'sub', 'client_id', 'iat', 'jti'];
const quote = (value: unknown) => JSON.stringify(value);
const iso = epochIso;
/** Past this an exp in seconds is a date in the year 5138: an exp in milliseconds, almost surely. */
const MILLISECONDS_LIKELY = 1e11;

/** The claims that hold a NumericDate (RFC 7519 §2), in the order they are shown. */
export const TIME_CLAIMS = ['exp', 'iat', 'nbf', 'auth_time'] as const;

/**
 * Why a time claim cannot be used, or undefined when it is a NumericDate this tool can reason about:
 * a finite JSON number from 1970 up to what a Date holds (1e300, -1, "NaN" and {} are refused).
 */
function numericDateProblem(name: string, value: unknown): string | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) return `${name} is ${quote(value) ?? String(value)}, not a NumericDate`;
  if (!isEpochInRange(value)) return `${name} is ${value}, out of range for a NumericDate (0 to ${MAX_EPOCH_SECONDS} seconds since 1970)`;
  return undefined;
}

/**
 * ISO time and relative wording of each time claim, for display (decode's "times", login's notes).
 * A value that is not a NumericDate in range gets no note: its check says what is wrong with it.
 */
export function timeNotes(payload: Record<string, unknown>, now: number): Record<string, { iso: string; relative: string }> {
  const notes: Record<string, { iso: string; relative: string }> = {};
  for (const claim of TIME_CLAIMS) {
    const value = payload[claim];
    if (!isEpochInRange(value)) continue;
    const relative = relativeTime(value, now);
    notes[claim] = { iso: iso(value), relative: claim === 'exp' ? (value > now ? `expires ${relative}` : `expired ${relative}`) : relative };
  }
  return notes;
}

/** When a time check fails, say how far this machine's clock is from the IdP's (its Date header). */
function skewNote(options: ValidateOptions): string {
  if (!options.serverDate || !Number.isFinite(options.serverDate.getTime())) return '';
  const skew = options.now - options.serverDate.getTime() / 1000;
  if (Math.abs(skew) < 2) return "; this machine's clock agrees with the IdP's Date header";
  return `; this machine's clock is ${humanDuration(skew)} ${skew > 0 ? 'ahead of' : 'behind'} the IdP's (Date header)`;
}

// The ids checkTimes judges, one literal per prefix (TokenIds): `grep id_token.exp src` lands here.
export const EXP = { jwt: 'jwt.exp', id_token: 'id_token.exp', access_token: 'access_token.exp' } as const satisfies TokenIds<'exp'>;
const EXP_HORIZON = { jwt: 'jwt.exp_horizon', id_token: 'id_token.exp_horizon', access_token: 'access_token.exp_horizon' } as const satisfies TokenIds<'exp_horizon'>;
const NBF = { jwt: 'jwt.nbf', id_token: 'id_token.nbf', access_token: 'access_token.nbf' } as const satisfies TokenIds<'nbf'>;
export const IAT = { jwt: 'jwt.iat', id_token: 'id_token.iat', access_token: 'access_token.iat' } as const satisfies TokenIds<'iat'>;

function checkTimes(claims: Record<string, unknown>, options: ValidateOptions, c: CheckRecorder): void {
  const { prefix: p, now, clockSkew: skew } = options;
  const { exp, nbf, iat } = claims;

  const expProblem = exp === undefined ? undefined : numericDateProblem('exp', exp);
  if (exp === undefined) c.violation(EXP[p], 'no exp claim: the token never expires');
  else if (expProblem) c.violation(EXP[p], expProblem);
  else if ((exp as number) + skew <= now) c.violation(EXP[p], `expired ${relativeTime(exp as number, now)} (exp ${iso(exp)}, clock skew ${skew}s)${skewNote(options)}`);
  else c.pass(EXP[p], `expires ${relativeTime(exp as number, now)} (${iso(exp)})`);

  // Absurdly far is a SHOULD-level finding (CHECKS.md: W), whatever the cause; beyond what a Date holds,
  // exp itself fails above (not a NumericDate this tool can use).
  if (typeof exp === 'number' && exp - now > ONE_YEAR) {
    if (!isEpochInRange(exp)) c.violation(EXP_HORIZON[p], `exp ${exp} is beyond any representable date`);
    else if (exp > MILLISECONDS_LIKELY) c.violation(EXP_HORIZON[p], `exp is ${humanDuration(exp - now)} away: looks like milliseconds, not seconds`);
    else c.violation(EXP_HORIZON[p], `exp is ${humanDuration(exp - now)} away`);
  } else if (typeof exp === 'number') c.pass(EXP_HORIZON[p], `lifetime ends within a year`);

  const nbfProblem = nbf === undefined ? undefined : numericDateProblem('nbf', nbf);
  if (nbf === undefined) c.pass(NBF[p], 'no nbf');
  else if (nbfProblem) c.violation(NBF[p], nbfProblem);
  else if ((nbf as number) - skew > now) c.violation(NBF[p], `not valid until ${iso(nbf)} (${relativeTime(nbf as number, now)})${skewNote(options)}`);
  else c.pass(NBF[p], `valid since ${iso(nbf)}`);

  const iatProblem = iat === undefined ? undefined : numericDateProblem('iat', iat);
  if (iat === undefined) c.violation(IAT[p], 'no iat claim');
  // Malformed or in the future, iat is judged at the prefix's severity: an ID token's fails (OIDC Core
  // §3.1.3.7 step 10, CHECKS.md); a decoded JWT's (RFC 7519 §4.1.6: OPTIONAL) or an access token's (not
  // among what RFC 9068 §4 validates) warns.
  else if (iatProblem) c.violation(IAT[p], iatProblem);
  else if ((iat as number) - skew > now) c.violation(IAT[p], `issued in the future: iat ${iso(iat)} is ${humanDuration((iat as number) - now)} ahead (clock skew ${skew}s)${skewNote(options)}`);
  else c.pass(IAT[p], `issued ${relativeTime(iat as number, now)}`);
}

function audiences(aud: unknown): string[] | undefined {
  if (typeof aud === 'string') return [aud];
  if (Array.isArray(aud) && aud.every((entry) => typeof entry === 'string')) return aud as string[];
  return undefined;
}

// The ids checkParties judges (access_token.azp is catalogued but not judged: an access token's azp is not the client's).
export const ISS = { jwt: 'jwt.iss', id_token: 'id_token.iss', access_token: 'access_token.iss' } as const satisfies TokenIds<'iss'>;
export const AUD = { jwt: 'jwt.aud', id_token: 'id_token.aud', access_token: 'access_token.aud' } as const satisfies TokenIds<'aud'>;
const AZP = { jwt: 'jwt.azp', id_token: 'id_token.azp', access_token: 'access_token.azp' } as const satisfies TokenIds<'azp'>;
export const NONCE = { jwt: 'jwt.nonce', id_token: 'id_token.nonce', access_token: 'access_token.nonce' } as const satisfies TokenIds<'nonce'>;
export const AUTH_TIME = { jwt: 'jwt.auth_time', id_token: 'id_token.auth_time', access_token: 'access_token.auth_time' } as const satisfies TokenIds<'auth_time'>;
export const SUB = { jwt: 'jwt.sub', id_token: 'id_token.sub', access_token: 'access_token.sub' } as const satisfies TokenIds<'sub'>;

function checkParties(claims: Record<string, unknown>, options: ValidateOptions, c: CheckRecorder): void {
  const { prefix: p, expect } = options;
  if (expect.issuer === undefined) c.skip(ISS[p], 'no expected issuer given (--iss or --issuer)');
  else c.expect(ISS[p], claims.iss === expect.issuer, `iss ${quote(claims.iss)}`, `iss is ${quote(claims.iss)}, expected ${quote(expect.issuer)}`);

  const aud = audiences(claims.aud);
  if (expect.audience === undefined) c.skip(AUD[p], 'no expected audience given (--aud)');
  else if (!aud) c.violation(AUD[p], `aud is ${quote(claims.aud)}; expected it to contain ${quote(expect.audience)}`);
  else c.expect(AUD[p], aud.includes(expect.audience), `aud contains ${quote(expect.audience)}`, `aud is ${quote(claims.aud)}; it does not contain ${quote(expect.audience)}`);

  if (p !== 'access_token') {
    const client = expect.clientId ?? expect.audience;
    if (claims.azp !== undefined && client !== undefined) {
      c.expect(AZP[p], claims.azp === client, `azp ${quote(claims.azp)}`, `azp is ${quote(claims.azp)}, expected the client ${quote(client)}`);
    } else if (aud && aud.length > 1) c.violation(AZP[p], `${aud.length} audiences ${quote(aud)} and no azp naming the authorized party`);
    else if (claims.azp !== undefined) c.skip(AZP[p], `azp ${quote(claims.azp)} present; no client id to compare (--aud)`);
    else c.pass(AZP[p], 'single audience, no azp needed');
  }

  if (expect.nonce === undefined) c.skip(NONCE[p], 'no nonce expected (--nonce)');
  else if (claims.nonce === undefined) c.violation(NONCE[p], `no nonce in the token; ${quote(expect.nonce)} was sent`);
  else c.expect(NONCE[p], claims.nonce === expect.nonce, 'nonce matches the one sent', `nonce is ${quote(claims.nonce)}, sent ${quote(expect.nonce)}`);

  if (expect.maxAge === undefined) c.skip(AUTH_TIME[p], 'max_age not requested (--max-age)');
  else if (numericDateProblem('auth_time', claims.auth_time)) c.violation(AUTH_TIME[p], `max_age=${expect.maxAge} was requested but ${numericDateProblem('auth_time', claims.auth_time)}`);
  else {
    const authTime = claims.auth_time as number;
    const age = options.now - authTime;
    c.expect(
      AUTH_TIME[p],
      age <= expect.maxAge + options.clockSkew,
      `authenticated ${humanDuration(age)} ago, within max_age ${expect.maxAge}s`,
      `authenticated ${humanDuration(age)} ago (${iso(authTime)}), older than max_age ${expect.maxAge}s`,
    );
  }

  const sub = claims.sub;
  if (sub === undefined) c.violation(SUB[p], 'no sub claim');
  // OIDC Core §2: a locally unique identifier, at most 255 ASCII characters.
  else if (typeof sub !== 'string' || sub === '' || sub.length > 255 || !/^[\u0020-\u007e]+$/.test(sub)) {
    c.violation(SUB[p], `sub ${quote(typeof sub === 'string' ? cut(sub) : sub)} is not 1-255 printable ASCII characters`);
  } else c.pass(SUB[p], `sub ${quote(sub)}`);
}

/** OIDC Core §3.1.3.6: base64url of the left half of the hash (of the ID token's alg) of the value. */
export function leftHalfHash(value: string, alg: string): string | undefined {
  const info = JWS_ALGORITHMS.get(alg);
  if (!info) return undefined;
  // node:crypto loads here, on first use, not at start-up: decoding a token alone never needs it.
  const { createHash } = process.getBuiltinModule('node:crypto');
  const digest = createHash(info.hash.replace('-', '').toLowerCase()).update(value, 'ascii').digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}

function checkHashes(claims: Record<string, unknown>, alg: string | undefined, options: ValidateOptions, c: CheckRecorder): void {
  const { expect } = options;
  const judge = (id: 'id_token.at_hash' | 'id_token.c_hash', claim: string, value: string | undefined, required: boolean, what: string) => {
    const present = claims[claim];
    if (value === undefined) return void c.skip(id, `no ${what} to compare with`);
    if (present === undefined) {
      if (required) c.violation(id, `${claim} is required here and missing`);
      else c.skip(id, `${claim} absent (OPTIONAL for the authorization code flow)`);
      return;
    }
    const computed = alg ? leftHalfHash(value, alg) : undefined;
    if (!computed) return void c.skip(id, `cannot compute ${claim} without a known alg`);
    c.expect(id, present === computed, `${claim} matches the ${what}`, `${claim} is ${quote(present)}, but the ${what} hashes to "${computed}" with ${alg}`);
  };
  judge('id_token.at_hash', 'at_hash', expect.accessToken, false, 'access token');
  judge('id_token.c_hash', 'c_hash', expect.code, expect.requireCHash === true, 'authorization code');
}

function checkAccessTokenShape(claims: Record<string, unknown>, options: ValidateOptions, c: CheckRecorder): void {
  const missing = RFC9068_CLAIMS.filter((name) => claims[name] === undefined);
  c.expect('access_token.claims', missing.length === 0, 'iss, exp, aud, sub, client_id, iat and jti present', `missing ${missing.join(', ')}`);
  const aud = audiences(claims.aud) ?? [];
  const clientId = options.expect.clientId;
  if (clientId === undefined) c.skip('access_token.looks_like_id_token', 'client_id unknown');
  else c.expect('access_token.looks_like_id_token', !aud.includes(clientId), `aud ${quote(claims.aud)} is not the client`, `aud is the client_id ${quote(clientId)}: this looks like an ID token used as an access token`);
}

/** Every claim check for the prefix. The payload must be a JSON object (the caller checks). */
export function checkClaims(claims: Record<string, unknown>, alg: string | undefined, options: ValidateOptions, c: CheckRecorder): void {
  checkTimes(claims, options, c);
  checkParties(claims, options, c);
  if (options.prefix === 'id_token') checkHashes(claims, alg, options, c);
  if (options.prefix === 'access_token') checkAccessTokenShape(claims, options, c);
}
