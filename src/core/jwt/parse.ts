import { cut } from '../../util/show.js';
import { inputError } from '../../errors.js';
import { MAX_JSON_DEPTH, nestedDeeperThan } from '../../util/json-depth.js';
import { duplicateMembersOf } from './json-members.js';
import type { ParsedJwt } from './types.js';

/** Tokens larger than this are refused as unreadable input rather than parsed (memory, not spec). */
export const MAX_TOKEN_BYTES = 1024 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true });
// Characters some decoders tolerate (standard alphabet, padding); anything else is not base64 at all.
const TOLERATED = /^[A-Za-z0-9_\-+/]*={0,2}$/;

const JWE_PARTS = ['encrypted key', 'initialization vector', 'ciphertext', 'authentication tag'] as const;

interface DecodedPart {
  bytes: Buffer;
  canonical: boolean;
}

// The value of each base64url character; -1 for the standard alphabet's + and /, which are not canonical.
const BASE64URL_VALUE = new Map([...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'].map((ch, i) => [ch.charCodeAt(0), i]));

function decodePart(part: string, name: string): DecodedPart {
  if (!TOLERATED.test(part)) throw inputError(`not a JWT: the ${name} is not base64url`);
  const padded = part.endsWith('=');
  // One character past whole bytes: no encoder writes that; a copy that lost the token's end does.
  if ((padded ? part.replace(/=+$/, '') : part).length % 4 === 1) throw inputError(`not a JWT: the ${name} is not base64url (its length is one character past whole bytes)`, 'the token looks cut short: copy the whole token (a terminal, a log or a form may have cut it)');
  const bytes = Buffer.from(part, 'base64url');
  return { bytes, canonical: !padded && isCanonicalBase64url(part) };
}

/**
 * Canonical (RFC 7515 §2): the URL alphabet, no padding, and no stray bits: the last character of a part
 * whose length is not a multiple of 4 carries 4 (length % 4 == 2) or 2 (== 3) bits beyond the bytes, all
 * zero. What re-encoding the bytes and comparing would say, without the re-encoding.
 */
function isCanonicalBase64url(part: string): boolean {
  if (part.includes('+') || part.includes('/')) return false;
  const spare = part.length % 4;
  if (spare === 0) return true;
  const last = BASE64URL_VALUE.get(part.charCodeAt(part.length - 1))!;
  return (last & (spare === 2 ? 0b1111 : 0b11)) === 0;
}

function decodeJsonObject(bytes: Buffer, name: string): { value: Record<string, unknown>; text: string } {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw inputError(`not a JWT: the ${name} is not UTF-8`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw inputError(`not a JWT: the ${name} is not JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw inputError(`not a JWT: the ${name} is not a JSON object`);
  if (nestedDeeperThan(value)) throw inputError(`not a JWT: the ${name} is JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
  return { value: value as Record<string, unknown>, text };
}

/**
 * Removes what people paste around a token: whitespace, double or single quotes, an "Authorization:
 * Bearer " prefix; and joins a token broken across lines (a wrapped terminal or e-mail): a compact JWS
 * or JWE never holds whitespace, so where everything else is base64url and dots, the breaks were not
 * part of it.
 */
export function cleanTokenInput(input: string): string {
  // Only base64url and dots (a token as it should come, and every line of a batch): nothing to remove.
  if (isTokenText(input)) return input;
  const token = input
    .trim()
    .replace(/^authorization:\s*/i, '')
    .replace(/^bearer\s+/i, '')
    .replace(/^"(.*)"$/s, '$1')
    .replace(/^'(.*)'$/s, '$1')
    .trim();
  return /\s/.test(token) && isTokenText(token.replace(/\s+/g, '')) ? token.replace(/\s+/g, '') : token;
}

/** Only what a compact JWS or JWE is made of: base64url and dots (padding tolerated, judged later). */
export function isTokenText(text: string): boolean {
  return /^[A-Za-z0-9_\-.=]+$/.test(text);
}

/** A compact JWS has 3 dot-separated parts, a JWE 5. */
export function isCompactShape(text: string): boolean {
  const dots = text.split('.').length - 1;
  return dots === 2 || dots === 4;
}

/**
 * The claims of a JWS read without verification, for display and for comparing with a token already
 * judged; undefined for anything else (absent, opaque, a JWE, not parseable). Never a verdict.
 */
export function readClaims(token: string | undefined): Record<string, unknown> | undefined {
  if (!token) return undefined;
  try {
    return parseJwt(token).payload;
  } catch {
    return undefined;
  }
}

/**
 * Splits a compact JWS (3 parts) or JWE (5 parts) and decodes what can be decoded without keys.
 * Throws CliError INPUT (exit 2) for anything that is not a token at all; everything that is a token
 * but a bad one is left for the checks to judge.
 */
export function parseJwt(raw: string): ParsedJwt {
  const token = cleanTokenInput(raw);
  if (token === '') throw inputError('no token given');
  if (token.length > MAX_TOKEN_BYTES) throw inputError(`token is ${token.length} bytes; refusing more than ${MAX_TOKEN_BYTES}`);
  const parts = token.split('.');
  if (parts.length !== 3 && parts.length !== 5) {
    // "eyJ" is base64url of '{"': a header that starts right and stops short is a token cut in the copy.
    const cutShort = parts.length < 3 && token.startsWith('eyJ');
    throw inputError(
      `not a JWT: expected 3 dot-separated parts (JWS) or 5 (JWE), got ${parts.length}`,
      cutShort ? 'it starts like a JWT header (eyJ…) and stops short: copy the whole token, header.payload.signature (a terminal, a log or a form may have cut it)' : undefined,
    );
  }
  const kind = parts.length === 3 ? 'jws' : 'jwe';
  const nonCanonicalParts: string[] = [];
  const headerPart = decodePart(parts[0]!, 'header');
  if (!headerPart.canonical) nonCanonicalParts.push('header');
  const header = decodeJsonObject(headerPart.bytes, 'header');
  const parsed: ParsedJwt = {
    kind,
    parts,
    header: header.value,
    payload: undefined,
    payloadText: undefined,
    duplicateMembers: { header: duplicateMembersOf(header.text, header.value), payload: [] },
    nonCanonicalParts,
    signatureBytes: undefined,
  };
  if (kind === 'jwe') {
    // RFC 7516 §7.1: the other four parts are base64url too (the encrypted key is empty for "dir").
    JWE_PARTS.forEach((name, i) => {
      if (!decodePart(parts[i + 1]!, name).canonical) nonCanonicalParts.push(name);
    });
    return parsed;
  }

  const payloadPart = decodePart(parts[1]!, 'payload');
  if (!payloadPart.canonical) nonCanonicalParts.push('payload');
  const signaturePart = decodePart(parts[2]!, 'signature');
  if (!signaturePart.canonical) nonCanonicalParts.push('signature');
  parsed.signatureBytes = signaturePart.bytes;
  let text: string | undefined;
  try {
    text = utf8.decode(payloadPart.bytes);
  } catch {
    parsed.payloadText = `(${payloadPart.bytes.length} bytes of binary data, base64url ${cut(parts[1]!)})`;
    return parsed;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // Not JSON: a JWS may sign any content (RFC 7515); shown as text below.
  }
  if (nestedDeeperThan(value)) throw inputError(`not a JWT: the payload is JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    parsed.payload = value as Record<string, unknown>;
    parsed.duplicateMembers.payload = duplicateMembersOf(text, value);
    return parsed;
  }
  parsed.payloadText = text;
  return parsed;
}
