/**
 * Tokens and secrets never reach stdout, stderr or a report unless the user asked (`--show-tokens`).
 * A redacted token keeps a short prefix so two tokens can still be told apart.
 */
export function redact(value: string, show: boolean): string {
  return show ? value : redactedToken(value);
}

/**
 * How a redacted token is shown. The output gate (report/secrets.ts) masks this very text again when the
 * value is a secret or holds one (an IdP that hands the client secret back as access_token): a secret's
 * first characters are never shown, whichever path printed it.
 */
export function redactedToken(value: string): string {
  return value.length <= 12 ? '[redacted]' : `${value.slice(0, 6)}…[redacted ${value.length} chars]`;
}

/**
 * A secret (client secret, Basic credential, private key, code_verifier, client_assertion) shows no
 * character at all: a prefix of a token tells two tokens apart, a prefix of a secret only shortens a guess.
 */
export function redactSecret(value: string, show: boolean): string {
  return show ? value : '[redacted]';
}

/** RFC 6749 Appendix B / HTML form encoding of one value (space as "+"), as a form body carries it. */
export function formUrlEncode(value: string): string {
  return new URLSearchParams([['x', value]]).toString().slice(2);
}
