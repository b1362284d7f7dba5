import { cut } from '../../util/show.js';
/**
 * The one rule for odd `kid` values, for the JWKS audit (jwks.kid_format) and every token header
 * (jwt.kid, id_token.kid, access_token.kid). RFC 7517 §4.5 gives kid no syntax: standard base64
 * digests carry "/" and "+", and opaque ids may hold anything printable. What is flagged is what can
 * hurt a naive key store (RFC 8725 §3.10): a ".." path segment, control characters, quotes or angle
 * brackets (query and markup injection), and values too long to be an id.
 */
const MAX_KID_LENGTH = 128;
const DOT_DOT_SEGMENT = /(^|[/\\])\.\.([/\\]|$)/;
// C0, DEL and C1 controls
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const QUOTE_OR_MARKUP = /["'`<>]/;

/** Why this kid is odd, in a few words, or undefined when it is an ordinary opaque id. */
export function kidProblem(kid: string): string | undefined {
  if (kid.length > MAX_KID_LENGTH) return `${kid.length} characters long`;
  if (CONTROL.test(kid)) return 'a control character';
  if (DOT_DOT_SEGMENT.test(kid)) return 'a ".." path segment';
  if (QUOTE_OR_MARKUP.test(kid)) return 'a quote or angle bracket';
  return undefined;
}

/** A kid as quoted in a message: JSON-escaped and cut at 40 characters. */
export const quotedKid = (kid: string) => JSON.stringify(cut(kid));
