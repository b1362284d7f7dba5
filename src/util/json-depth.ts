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

/** What stands in for a subtree cut by pruneDeeperThan. */
export const PRUNED = `(nested deeper than ${MAX_JSON_DEPTH} levels: not kept)`;

/**
 * A copy of `value` with every object or array below `limit` levels replaced by PRUNED: the shallow
 * members of an answer stay usable (a token response's refresh_token) while nothing deep is walked later.
 * Iterative, like nestedDeeperThan.
 */
export function pruneDeeperThan(value: unknown, limit = MAX_JSON_DEPTH): unknown {
  const wrap = { value } as Record<string, unknown>;
  const stack: Array<[Record<string, unknown>, number]> = [[wrap, 0]];
  while (stack.length > 0) {
    const [holder, depth] = stack.pop()!;
    for (const [key, child] of Object.entries(holder)) {
      if (child === null || typeof child !== 'object') continue;
      if (depth + 1 > limit) holder[key] = PRUNED;
      else {
        const copy = (Array.isArray(child) ? [...child] : { ...child }) as Record<string, unknown>;
        holder[key] = copy;
        stack.push([copy, depth + 1]);
      }
    }
  }
  return wrap.value;
}
