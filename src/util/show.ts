/**
 * A JSON value from outside, as text for a message: a string as it is, anything else as JSON. String()
 * and template literals throw on an object such as {"toString": null}, which any IdP or token can send.
 */
export function show(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
}
