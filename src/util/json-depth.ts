/**
 * Nesting limit for JSON that comes from outside (IdP answers, token headers and payloads). JSON.parse
 * copes with any depth, but every later walk (redaction, JSON.stringify, rendering) recurses and would
 * overflow the stack; no protocol document is more than a few levels deep.
 */
export const MAX_JSON_DEPTH = 64;

/** True when `value` nests objects/arrays deeper than `limit` (iterative: safe on any input). */
export function nestedDeeperThan(value: unknown, limit = MAX_JSON_DEPTH): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (current === null || typeof current !== 'object') continue;
    if (depth > limit) return true;
    for (const child of Object.values(current)) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return false;
}
