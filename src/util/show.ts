/**
 * A JSON value from outside, as text for a message: a string as it is, anything else as JSON. String()
 * and template literals throw on an object such as {"toString": null}, which any IdP or token can send.
 */
export function show(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
}

/** The mark a cut value ends with: the output gate (report/secrets.ts) masks a secret's prefix before it. */
export const CUT_MARK = '…';

/**
 * The first `max` characters of a long value from outside, ending with CUT_MARK. Every cut goes through
 * here: the gate masks whole secrets, and a cut one is recognised only by the mark behind it.
 */
export function cut(text: string, max = 40): string {
  return text.length > max ? `${text.slice(0, max)}${CUT_MARK}` : text;
}

/**
 * The first `max` items joined, then how many more were left out: a message stays one readable line
 * (and linear to build) whatever the size of the list an IdP sends.
 */
export function listed(items: readonly string[], separator = '; ', max = 10): string {
  const shown = items.slice(0, max).join(separator);
  return items.length > max ? `${shown}${separator}… and ${items.length - max} more` : shown;
}

/** A JSON array from outside, for a message: as JSON.stringify spells it, the first 10 items only. */
export function shownList(items: readonly unknown[], max = 10): string {
  // Only the items shown are stringified: the rest is counted, so the cost does not grow with the list.
  const shown = items.slice(0, max).map((item) => JSON.stringify(item) ?? String(item));
  return `[${shown.join(',')}${items.length > max ? `,… and ${items.length - max} more` : ''}]`;
}

/**
 * JSON.parse's message, minus the text V8 quotes near the error (`Unexpected token 'q', "{"d": q7Lm"... is
 * not valid JSON`): a key or config file's content never reaches a message. Positions are kept.
 */
export function jsonParseProblem(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return /^Unexpected token .*is not valid JSON$/s.test(message) ? 'an unexpected character' : message;
}
