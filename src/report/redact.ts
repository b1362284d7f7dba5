/**
 * Tokens and secrets never reach stdout, stderr or a report unless the user asked (`--show-tokens`).
 * A redacted value keeps a short prefix so two tokens can still be told apart.
 */
export function redact(value: string, show: boolean): string {
  if (show) return value;
  if (value.length <= 12) return '[redacted]';
  return `${value.slice(0, 6)}…[redacted ${value.length} chars]`;
}

/** Masks every occurrence of known secret values inside a text (traces, error messages). */
export function maskSecrets(text: string, secrets: Iterable<string>): string {
  let out = text;
  for (const secret of secrets) {
    // Very short values would mask half the output and protect nothing.
    if (secret.length >= 6) out = out.split(secret).join('[redacted]');
  }
  return out;
}
