import type { CheckRecorder } from '../../checks/recorder.js';
import { bearerChallenge } from '../../http/www-authenticate.js';
import { parseJwt } from '../jwt/parse.js';
import { show } from '../../util/show.js';

/**
 * Why a protected resource (userinfo, or an API) refused an access token (issue 13): read what is
 * there without any request — the Bearer challenge (RFC 6750 §3), and the token itself when it is a
 * JWT (never trusted: only read for clues) — and name the likely causes.
 */
export interface RefusalClues {
  access_token: string;
  /** The WWW-Authenticate header of the refusal. */
  challenge: string | undefined;
  /** The client's id: an access token whose aud is it is an ID token in disguise. */
  client_id: string;
  /** Who the token was sent to (aud values a resource accepts look like it). */
  resource: string;
  now: number;
  /** The server's Date header, seconds, to tell an expired token from a skewed clock. */
  serverNow?: number | undefined;
  /** What the resource's RFC 9728 metadata says about itself, when it was found (`call`). */
  metadata?: { resource?: string | undefined; authorization_servers?: string[] | undefined } | undefined;
  /** The token_type the IdP gave with the token (the cached login's), when known: DPoP-bound tokens are no Bearer tokens. */
  tokenType?: string | undefined;
}

export function refusalCauses(clues: RefusalClues): string[] {
  const causes: string[] = [];
  const { challenge } = bearerChallenge(clues.challenge);
  const error = challenge?.params.error;
  if (error === 'insufficient_scope') causes.push(`the resource wants more scope${challenge?.params.scope ? ` (${challenge.params.scope})` : ''} than the token carries (RFC 6750 §3.1 insufficient_scope)`);
  // RFC 9470 step-up: the token is fine, the sign-in behind it is not strong or fresh enough.
  if (error === 'insufficient_user_authentication') {
    const wants = ['acr_values', 'max_age'].filter((name) => challenge?.params[name] !== undefined).map((name) => `${name}=${challenge!.params[name]}`);
    causes.push(`the resource wants a stronger or more recent sign-in${wants.length ? ` (${wants.join(', ')})` : ''} (RFC 9470 step-up): sign in again asking for it`);
  }
  if (clues.tokenType !== undefined && clues.tokenType.toLowerCase() === 'dpop') causes.push('the token is DPoP-bound (token_type DPoP, RFC 9449): it must be sent with a DPoP proof, not as a Bearer token');

  let payload: Record<string, unknown> | undefined;
  let header: Record<string, unknown> = {};
  try {
    const parsed = parseJwt(clues.access_token);
    payload = parsed.payload;
    header = parsed.header;
  } catch {
    // An opaque token: only the challenge can tell, and what the resource says it is. A resource that
    // names itself (RFC 9728) and cannot make sense of the token most often got one minted for nobody in particular.
    if (error === 'invalid_token' && clues.metadata?.resource !== undefined) {
      causes.push(`an opaque token that this resource (${clues.metadata.resource}) does not take: most likely it was not issued for it; ask for one with resource=${clues.metadata.resource} (RFC 8707)`);
    }
    return causes;
  }
  if (!payload) return causes;
  const aud = payload.aud;
  const audiences = Array.isArray(aud) ? aud.filter((a): a is string => typeof a === 'string') : typeof aud === 'string' ? [aud] : [];
  const looksLikeIdToken = audiences.includes(clues.client_id) || 'nonce' in payload || 'at_hash' in payload;
  if (looksLikeIdToken && !/at\+jwt/i.test(show(header.typ ?? ''))) {
    causes.push(`this looks like an ID token, not an access token (aud is the client_id${'nonce' in payload ? ', it carries a nonce' : ''}): send the access_token of the token response`);
  } else if (audiences.length && !audiences.some((a) => audienceCovers(a, clues.resource) || (clues.metadata?.resource !== undefined && audienceCovers(a, clues.metadata.resource)))) {
    causes.push(`the token's aud is ${JSON.stringify(audiences)}: it was minted for that resource (RFC 8707 resource, RFC 9068 §4), not for ${clues.metadata?.resource ?? clues.resource}`);
  }
  const servers = clues.metadata?.authorization_servers;
  if (servers?.length && typeof payload.iss === 'string' && !servers.includes(payload.iss)) {
    causes.push(`the token comes from ${JSON.stringify(payload.iss)}, and this resource takes tokens from ${JSON.stringify(servers)} (its RFC 9728 authorization_servers)`);
  }
  const exp = typeof payload.exp === 'number' && Number.isFinite(payload.exp) ? payload.exp : undefined;
  if (exp !== undefined && exp <= clues.now) {
    const skewed = clues.serverNow !== undefined && exp > clues.serverNow;
    causes.push(skewed ? `the token expired by this machine's clock but not by the server's Date: the clocks disagree by ${Math.round(clues.now - clues.serverNow!)} s` : `the token expired ${Math.round(clues.now - exp)} s ago (exp)`);
  }
  const iat = typeof payload.iat === 'number' && Number.isFinite(payload.iat) ? payload.iat : undefined;
  const reference = clues.serverNow ?? clues.now;
  if (iat !== undefined && iat > reference + 60) causes.push(`the token was issued ${Math.round(iat - reference)} s in the future of the ${clues.serverNow !== undefined ? "server's" : "machine's"} clock (iat): a skewed clock at the IdP`);
  const scope = typeof payload.scope === 'string' ? payload.scope.split(' ') : undefined;
  if (scope && error === 'insufficient_scope') causes.push(`the token's scope is "${scope.join(' ')}"`);
  return causes;
}

/** diagnosis.token_refused: fail with the causes found, skip when nothing explains the refusal. */
export function judgeRefusal(clues: RefusalClues, c: CheckRecorder): void {
  const causes = refusalCauses(clues);
  // What the resource says is quoted, but it is its word, not a cause found here.
  const description = bearerChallenge(clues.challenge).challenge?.params.error_description;
  const says = description ? `; the resource says: "${description}"` : '';
  if (causes.length) c.violation('diagnosis.token_refused', `likely cause: ${causes.join('; ')}${says}`);
  else c.skip('diagnosis.token_refused', `no cause found in the challenge or the token (an opaque token that is revoked or unknown to this resource looks the same)${says}`);
}

/** An aud value names the resource when it is the resource's URL or a prefix of it ("https://api.example.com/" covers "/v1/x"). */
function audienceCovers(aud: string, resource: string): boolean {
  const base = aud.replace(/\/+$/, '');
  // At a boundary: "https://api.example.com" does not cover "https://api.example.com.evil/".
  return resource === base || (resource.startsWith(base) && /^[/?#]/.test(resource.slice(base.length)));
}
