import { CheckRecorder } from '../checks/recorder.js';
import type { CheckResult } from '../checks/types.js';
import { cut, listed } from '../util/show.js';
import { parseJwt, readClaims } from './jwt/parse.js';
import type { KeySource, ParsedJwt } from './jwt/types.js';
import { validateParsed } from './jwt/validate.js';

/**
 * JWT Secured Authorization Response Mode (JARM): the IdP puts every authorization response parameter
 * (code, state, or error) into one signed JWT, sent as `response`. Its signature, iss, aud and exp are
 * judged here (OAuth JARM §2.4) before anything inside it is used: only a verified response gives the
 * flow a code and a state to judge (authorization.ts judgeCallback).
 */

/**
 * The JWT response modes a loopback listener can receive. fragment.jwt is not one: a browser never
 * sends the fragment to a server (login refuses it with the reason).
 */
export const JWT_RESPONSE_MODES = ['jwt', 'query.jwt', 'form_post.jwt'] as const;
export type JwtResponseMode = (typeof JWT_RESPONSE_MODES)[number];

export const isJwtResponseMode = (mode: string | undefined): mode is JwtResponseMode => (JWT_RESPONSE_MODES as readonly string[]).includes(mode ?? '');

/**
 * The state a JWT response carries, for the loopback listener to tell the response from a stray request
 * (loopback.ts `stateOf`). Read WITHOUT verification: it only decides which request is taken, as a plain
 * state parameter does; nothing in the JWT is used before verifyJarmResponse. An error the IdP could
 * not wrap in a JWT comes as plain parameters: its plain state is taken then.
 */
export function jarmState(params: Array<[string, string]>): string | undefined {
  const response = params.find(([name]) => name === 'response')?.[1];
  const state = readClaims(response)?.state;
  if (typeof state === 'string') return state;
  return params.find(([name]) => name === 'state')?.[1];
}

/** OAuth JARM §3: the mode asked for in response_modes_supported, and authorization_signing_alg_values_supported. */
export function judgeJarmMetadata(metadata: Record<string, unknown>, mode: JwtResponseMode, c: CheckRecorder): void {
  const modes = metadata.response_modes_supported;
  const algs = metadata.authorization_signing_alg_values_supported;
  const problems: string[] = [];
  if (Array.isArray(modes) && !modes.includes(mode)) problems.push(`response_modes_supported [${modes.join(', ')}] does not list ${mode}`);
  if (!Array.isArray(modes)) problems.push('no response_modes_supported (its default, query and fragment, has no JWT mode)');
  if (!Array.isArray(algs)) problems.push('no authorization_signing_alg_values_supported');
  if (problems.length) c.violation('jarm.advertised', `response_mode=${mode} is sent, but ${listed(problems, '; ')}`);
  else c.pass('jarm.advertised', `${mode} advertised; signing algorithms [${(algs as unknown[]).join(', ')}]`);
}

export interface JarmExpectations {
  issuer: string;
  client_id: string;
  /** jwks_uri's keys (refetched once on an unknown kid). */
  keys: KeySource;
  /** The client secret, for a response signed HS256 with it (OAuth JARM §2.2). */
  client_secret?: string | undefined;
  /** authorization_signing_alg_values_supported from discovery. */
  advertised: unknown;
  now: number;
  clockSkew: number;
}

export interface JarmOutcome {
  checks: CheckResult[];
  /** The response parameters inside the verified JWT, as a callback's; undefined unless every check passed. */
  params: Array<[string, string]> | undefined;
  /** The claims read (verified or not), for display; undefined when there is no JWS to read. */
  claims: Record<string, unknown> | undefined;
}

/** Claims of the JWT itself, not response parameters (iss stays: it is RFC 9207's iss, verified). */
const JWT_ONLY = new Set(['aud', 'exp', 'iat', 'nbf', 'jti']);
const JUDGED = ['jarm.alg', 'jarm.signature', 'jarm.iss', 'jarm.aud', 'jarm.exp'] as const;

/**
 * OAuth JARM §2.4: the `response` parameter verified with the IdP's published keys, its iss, aud and
 * exp judged. Pure but for the key source's refetch on an unknown kid.
 */
export async function verifyJarmResponse(params: Array<[string, string]>, expect: JarmExpectations): Promise<JarmOutcome> {
  const c = new CheckRecorder();
  const stop = (claims?: Record<string, unknown>) => ({ checks: c.results, params: undefined, claims });
  const responses = params.filter(([name]) => name === 'response').map(([, value]) => value);
  const outside = params.map(([name]) => name).filter((name) => name !== 'response');
  const skipRest = (why: string) => {
    for (const id of JUDGED) c.skip(id, why);
  };
  if (responses.length !== 1) {
    c.violation('jarm.response', responses.length === 0
      ? `no response parameter: the IdP answered in plain form (${outside.join(', ') || 'nothing'}), not with a JWT`
      : `the response parameter is repeated (${responses.length}×)`);
    skipRest('no single response JWT to verify');
    return stop();
  }
  let parsed: ParsedJwt;
  try {
    parsed = parseJwt(responses[0]!);
  } catch (error) {
    c.violation('jarm.response', `the response parameter is ${cut((error as Error).message, 120)}`);
    skipRest('the response parameter is not a JWT');
    return stop();
  }
  if (parsed.kind === 'jwe') {
    c.violation('jarm.response', `the response is an encrypted JWE (alg ${JSON.stringify(parsed.header.alg)}, enc ${JSON.stringify(parsed.header.enc)}): oidc-cli holds no key to decrypt it`);
    skipRest('the response JWT is encrypted');
    return stop();
  }

  const secret = expect.client_secret ? new TextEncoder().encode(expect.client_secret) : undefined;
  const judged = await validateParsed(parsed, { prefix: 'jwt', keys: expect.keys, ...(secret ? { secret } : {}), expect: { issuer: expect.issuer, audience: expect.client_id }, clockSkew: expect.clockSkew, now: expect.now });
  const generic = (suffix: string) => judged.checks.find((check) => check.id === `jwt.${suffix}`);
  const failing = (...suffixes: string[]) => suffixes.map(generic).find((check) => check !== undefined && check.status !== 'pass');

  const shape = failing('format', 'duplicate_members');
  const ignored = outside.length ? ` (outside it, ignored: ${outside.join(', ')})` : '';
  if (shape) c.violation('jarm.response', shape.message);
  else c.pass('jarm.response', `a compact JWS of ${responses[0]!.length} characters${ignored}`);

  const alg = judged.signature.alg;
  const badAlg = failing('alg');
  if (badAlg) c.violation('jarm.alg', badAlg.message);
  else if (Array.isArray(expect.advertised) && !expect.advertised.includes(alg)) c.warn('jarm.alg', `alg ${alg} is not in authorization_signing_alg_values_supported [${expect.advertised.join(', ')}]`);
  else c.pass('jarm.alg', `alg ${alg}${Array.isArray(expect.advertised) ? ', advertised' : ''}`);

  const crit = failing('crit');
  if (crit) c.violation('jarm.signature', crit.message);
  else if (judged.signature.verified) c.pass('jarm.signature', `${generic('signature')!.message} (${expect.keys.label})`);
  else c.violation('jarm.signature', `NOT verified: ${failing('signature', 'key')?.message ?? judged.signature.reason ?? 'unknown reason'}`);

  // Each claim check passes only on the generic judge's pass; anything else (absent included) is a failure.
  const claim = (id: 'jarm.iss' | 'jarm.aud' | 'jarm.exp', check: CheckResult | undefined) => {
    if (check?.status === 'pass') c.pass(id, check.message);
    else c.violation(id, check?.message ?? 'the payload is not a JSON claims set');
  };
  claim('jarm.iss', generic('iss'));
  claim('jarm.aud', generic('aud'));
  const time = failing('exp', 'nbf') ?? (generic('iat')?.status === 'fail' ? generic('iat') : undefined);
  if (time) c.violation('jarm.exp', time.message);
  else claim('jarm.exp', generic('exp'));

  const claims = parsed.payload;
  if (c.has('fail') || !claims) return stop(claims);
  const inside: Array<[string, string]> = Object.entries(claims)
    .filter(([name]) => !JWT_ONLY.has(name))
    .map(([name, value]) => [name, typeof value === 'string' ? value : JSON.stringify(value)]);
  return { checks: c.results, params: inside, claims };
}
