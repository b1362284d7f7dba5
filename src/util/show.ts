/**
 * A JSON value from outside, as text for a message: a string as it is, anything else as JSON. String()
 * and template literals throw on an object such as {"toString": null}, which any IdP or token can send.
 */
export function show(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
}

/**
 * JSON.parse's message, minus the text V8 quotes near the error (`Unexpected token 'q', "{"d": q7Lm"... is
 * not valid JSON`): a key or config file's content never reaches a message. Positions are kept.
 */
export function jsonParseProblem(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return /^Unexpected token .*is not valid JSON$/s.test(message) ? 'an unexpected character' : message;
}
