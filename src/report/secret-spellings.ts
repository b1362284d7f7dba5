import { formUrlEncode } from '../util/redact.js';
import { printable } from '../util/terminal.js';

/** Very short values would mask half the output (ordinary words) and protect nothing. */
export const MIN_SECRET_LENGTH = 6;

/**
 * The whole-string spellings of one secret, computed once when it is registered: those a character-by-
 * character decoding (spelling-matcher.ts) cannot undo — base64 of it in either alphabet, padded or not,
 * also where it sits at any byte offset inside a longer base64 blob, and of its form-urlencoded spelling
 * (what a Basic credential carries, RFC 6749 §2.3.1); a secret that is itself base64 (the Basic
 * credential) respelled in the other alphabet and padding — plus the escapes our own outputs apply
 * (form and percent encoding, JSON, XML, the terminal's \xNN), so a secret that holds something looking
 * like an escape is still found as a whole.
 */
export function spellingsOf(value: string): string[] {
  const json = JSON.stringify(value).slice(1, -1);
  // JSON twice: an IdP's JSON body quoted in our --json (decoding both layers at once would also undo what merely looks like an escape in the value).
  const forms = new Set<string>([value, formUrlEncode(value), encodeURIComponent(value), json, JSON.stringify(json).slice(1, -1), xmlText(value), xmlAttribute(value), printable(value)]);
  for (const text of new Set([value, formUrlEncode(value)])) for (const form of base64Spellings(Buffer.from(text, 'utf8'))) forms.add(form);
  const bytes = asBase64(value);
  if (bytes) for (const form of wholeBase64(bytes)) forms.add(form);
  return [...forms].filter((form) => form.length >= MIN_SECRET_LENGTH);
}

/** As XML element text (junit.ts xmlText) and as an attribute value (xmlAttribute, quotes escaped too). */
const xmlText = (value: string) => value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const xmlAttribute = (value: string) => xmlText(value).replace(/"/g, '&quot;').replace(/'/g, '&apos;');

const toUrlAlphabet = (base64: string) => base64.replace(/\+/g, '-').replace(/\//g, '_');

/** base64 and base64url, padded and not. */
function wholeBase64(bytes: Buffer): string[] {
  const padded = bytes.toString('base64');
  const unpadded = padded.replace(/=+$/, '');
  return [padded, unpadded, toUrlAlphabet(padded), toUrlAlphabet(unpadded)];
}

/**
 * The bytes' base64 wherever they sit: inside a longer blob (a Basic credential, a base64 log line) they
 * start at byte offset 0, 1 or 2 of a 3-byte group, and each offset spells them differently. For each,
 * the characters that depend on these bytes alone (the first and last may share bits with neighbours).
 */
function base64Spellings(bytes: Buffer): string[] {
  const forms = wholeBase64(bytes);
  for (const offset of [0, 1, 2]) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    const total = offset + bytes.length;
    const clean = Math.floor(total / 3) * 4 + (total % 3);
    const core = encoded.slice([0, 2, 3][offset], clean);
    forms.push(core, toUrlAlphabet(core));
  }
  return forms;
}

/** The bytes a base64 or base64url value (padded or not) stands for, when it is one exactly. */
function asBase64(value: string): Buffer | undefined {
  if (value.length < 8 || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(value) || (/[+/]/.test(value) && /[-_]/.test(value))) return undefined;
  const bytes = Buffer.from(value, 'base64');
  const canonical = (text: string) => text.replace(/=+$/, '').replace(/-/g, '+').replace(/_/g, '/');
  return canonical(bytes.toString('base64')) === canonical(value) ? bytes : undefined;
}
