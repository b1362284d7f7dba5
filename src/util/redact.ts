/**
 * Tokens and secrets never reach stdout, stderr or a report unless the user asked (`--show-tokens`).
 * A redacted token keeps a short prefix so two tokens can still be told apart.
 */
export function redact(value: string, show: boolean): string {
  if (show) return value;
  if (value.length <= 12) return '[redacted]';
  return `${value.slice(0, 6)}…[redacted ${value.length} chars]`;
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
