/**
 * Finds member names that repeat within one JSON object. JSON.parse keeps the last duplicate
 * silently, while other parsers keep the first or refuse: a token that means different things to
 * different verifiers is an attack (RFC 7515 §5.2 step 4, RFC 8259 §4). The text must already be
 * valid JSON (call after JSON.parse succeeded); names are compared after unescaping ("a" = "\u0061").
 */
export function findDuplicateMembers(json: string): string[] {
  const duplicates: string[] = [];
  type Frame = { kind: 'object'; names: Set<string>; expectName: boolean; path: string; last: string } | { kind: 'array'; path: string };
  const stack: Frame[] = [];
  const top = () => stack[stack.length - 1];
  // Jump from one structural character to the next; string contents are skipped whole.
  const structural = /["{}[\],]/g;
  for (let match = structural.exec(json); match !== null; match = structural.exec(json)) {
    const i = match.index;
    const ch = json[i];
    if (ch === '"') {
      const end = closingQuote(json, i);
      const frame = top();
      if (frame?.kind === 'object' && frame.expectName) {
        const raw = json.slice(i + 1, end);
        const name = raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw; // unescape only when escaped
        if (frame.names.has(name)) duplicates.push(frame.path ? `${frame.path}.${name}` : name);
        frame.names.add(name);
        frame.expectName = false;
        frame.last = name;
      }
      structural.lastIndex = end + 1;
    } else if (ch === '{' || ch === '[') {
      const parent = top();
      const path = parent?.kind === 'object' ? (parent.path ? `${parent.path}.${parent.last}` : parent.last) : (parent?.path ?? '');
      stack.push(ch === '{' ? { kind: 'object', names: new Set(), expectName: true, path, last: '' } : { kind: 'array', path });
    } else if (ch === '}' || ch === ']') {
      stack.pop();
    } else {
      const frame = top();
      if (frame?.kind === 'object') frame.expectName = true;
    }
  }
  return duplicates;
}

/** Index of the quote that closes the string opening at `start` (one preceded by an even run of backslashes). */
function closingQuote(json: string, start: number): number {
  for (let end = json.indexOf('"', start + 1); ; end = json.indexOf('"', end + 1)) {
    let backslashes = 0;
    while (json[end - 1 - backslashes] === '\\') backslashes += 1;
    if (backslashes % 2 === 0) return end;
  }
}

/**
 * The same for text already parsed into `value`: when the text is exactly what JSON.stringify writes for
 * that value (as most token issuers write it), it cannot repeat a name, since a parsed object keeps one
 * member per name and JSON.stringify writes each once. Anything else is scanned.
 */
export function duplicateMembersOf(json: string, value: unknown): string[] {
  return JSON.stringify(value) === json ? [] : findDuplicateMembers(json);
}
