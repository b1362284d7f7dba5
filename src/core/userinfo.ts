import { DEFAULT_CLOCK_SKEW_SECONDS } from '../util/duration.js';
import type { CheckRecorder } from '../checks/recorder.js';
import { CliError } from '../errors.js';
import type { HttpClient, HttpResponse } from '../http/types.js';
import type { KeySource } from './jwt/types.js';
import { validateJwt } from './jwt/validate.js';
import { judgeRefusal } from './diagnose/refused-token.js';
import { withDpop, type DpopKey } from './dpop.js';

/** The userinfo endpoint (OIDC Core §5.3) as a request/process pair. */
export async function requestUserinfo(http: HttpClient, userinfo_endpoint: string, access_token: string, token_type = 'Bearer', timeoutMs?: number, dpop?: DpopKey): Promise<HttpResponse> {
  const send = (headers: Record<string, string>) =>
    http.request({ url: userinfo_endpoint, headers: { ...headers, accept: 'application/json, application/jwt' }, tokens: [access_token], ...(timeoutMs === undefined ? {} : { timeoutMs }) });
  // RFC 9449 §7: a DPoP-bound token goes with a proof of the key, when the key is at hand.
  if (dpop && /^dpop$/i.test(token_type)) return withDpop(dpop, { method: 'GET', url: userinfo_endpoint, accessToken: access_token }, send);
  // RFC 6750 §2.1: the header form; the scheme is the token_type (Bearer or DPoP), Bearer by default.
  const scheme = /^dpop$/i.test(token_type) ? 'DPoP' : 'Bearer';
  return send({ authorization: `${scheme} ${access_token}` });
}

export interface UserinfoExpectations {
  /** sub of the ID token; undefined when there was none (no openid). */
  sub: string | undefined;
  issuer: string;
  client_id: string;
  /** The issuer's JWKS, for a signed response. */
  keys: KeySource | undefined;
  /** The token that was sent and the endpoint: read for clues when the answer is a refusal. */
  refused?: { access_token: string; endpoint: string; diagnose: boolean };
}

/** Judges a userinfo response; returns the claims when there are any. */
export async function judgeUserinfo(response: HttpResponse, expect: UserinfoExpectations, checks: CheckRecorder): Promise<Record<string, unknown> | undefined> {
  const type = (response.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (response.status !== 200) {
    const challenge = response.headers['www-authenticate'];
    checks.violation('userinfo.status', `HTTP ${response.status}${challenge ? ` (WWW-Authenticate: ${challenge})` : ''}`);
    if (expect.refused?.diagnose && (response.status === 401 || response.status === 403)) {
      const date = Date.parse(response.headers.date ?? '');
      judgeRefusal({
        access_token: expect.refused.access_token,
        challenge: typeof challenge === 'string' ? challenge : undefined,
        client_id: expect.client_id,
        resource: expect.refused.endpoint,
        now: Math.floor(Date.now() / 1000),
        serverNow: Number.isFinite(date) ? Math.floor(date / 1000) : undefined,
      }, checks);
    }
    return undefined;
  }
  let claims: Record<string, unknown> | undefined;
  if (type === 'application/jwt') {
    claims = await judgeSigned(response.text().trim(), expect, checks);
    if (!claims) return undefined;
    checks.pass('userinfo.status', `HTTP 200 application/jwt in ${response.elapsedMs} ms`);
  } else {
    let body: unknown;
    try {
      body = response.json();
    } catch (error) {
      if (!(error instanceof CliError)) throw error;
      checks.violation('userinfo.status', `HTTP 200 with ${type || 'no content type'}, neither JSON nor a JWT`);
      return undefined;
    }
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      checks.violation('userinfo.status', 'HTTP 200, but the JSON is not an object');
      return undefined;
    }
    claims = body as Record<string, unknown>;
    checks.pass('userinfo.status', `HTTP 200 ${type} in ${response.elapsedMs} ms`);
    checks.skip('userinfo.signed', 'plain JSON response (no signed userinfo negotiated)');
  }
  const sub = claims.sub;
  if (typeof sub !== 'string') checks.violation('userinfo.sub', `no sub string in the userinfo response${expect.sub ? `; the ID token says "${expect.sub}"` : ''}`);
  else if (expect.sub === undefined) checks.skip('userinfo.sub', `sub "${sub}": no ID token to compare with`);
  else if (sub !== expect.sub) checks.violation('userinfo.sub', `expected the ID token's sub "${expect.sub}", got "${sub}"`);
  else checks.pass('userinfo.sub', `"${sub}" equals the ID token's sub`);
  return claims;
}

/** The parts of the shared validator that OIDC Core §5.3.2 asks of signed userinfo: structure, signature, iss, aud. */
const SIGNED_USERINFO_CHECKS = ['jwt.format', 'jwt.jwe', 'jwt.alg', 'jwt.crit', 'jwt.key', 'jwt.signature', 'jwt.iss', 'jwt.aud'];

async function judgeSigned(jwt: string, expect: UserinfoExpectations, checks: CheckRecorder): Promise<Record<string, unknown> | undefined> {
  if (!expect.keys) {
    checks.violation('userinfo.signed', 'signed userinfo but no keys from jwks_uri to verify it');
    return undefined;
  }
  let result: Awaited<ReturnType<typeof validateJwt>>;
  try {
    // The same validator and key selection as every token: a forgeable key or a JWE never verifies.
    result = await validateJwt(jwt, { prefix: 'jwt', keys: expect.keys, expect: { issuer: expect.issuer, audience: expect.client_id }, clockSkew: DEFAULT_CLOCK_SKEW_SECONDS, now: Date.now() / 1000 });
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    checks.violation('userinfo.signed', `signed userinfo rejected: ${error.message}`);
    return undefined;
  }
  const failures = result.checks.filter((check) => SIGNED_USERINFO_CHECKS.includes(check.id) && check.status === 'fail');
  if (!result.signature.verified || failures.length || !result.parsed.payload) {
    const why = failures.map((check) => `${check.id}: ${check.message}`).join('; ') || result.signature.reason || 'the payload is not a JSON claims set';
    checks.violation('userinfo.signed', `signed userinfo rejected: ${why}`);
    return undefined;
  }
  checks.pass('userinfo.signed', `${result.signature.alg} signature verified with the issuer's keys; iss and aud right`);
  return result.parsed.payload;
}
