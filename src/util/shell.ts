/**
 * One word of a POSIX shell command line, for the commands a report suggests ("run this next"). Values
 * in them come from servers (an issuer, a scope): anything beyond plain URL characters is single-quoted,
 * so pasting the line can never run something a server chose.
 */
export function shellWord(value: string): string {
  if (value !== '' && /^[A-Za-z0-9._~:/@%+=,-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
