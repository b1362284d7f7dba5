/**
 * One layer of character escapes undone, remembering where each character came from: spelling-matcher.ts
 * looks for secrets in a text and in its decoded layers, and masks the original span of a match.
 * Decoded: %XX (either case, UTF-8 sequences whole), &#xHH; &#DD; and the named references of ASCII
 * punctuation, \uXXXX, \xXX and JSON's one-character escapes.
 */

/** A text as code units, each with the span of the original text it stands for (undefined: itself). */
export interface Layer {
  codes: Uint16Array;
  starts: Int32Array | undefined;
  ends: Int32Array | undefined;
}

export function rawLayer(text: string): Layer {
  const codes = new Uint16Array(text.length);
  for (let i = 0; i < text.length; i += 1) codes[i] = text.charCodeAt(i);
  return { codes, starts: undefined, ends: undefined };
}

const PERCENT = 0x25;
const AMPERSAND = 0x26;
const BACKSLASH = 0x5c;

/** HTML's named references for the characters a secret or a token holds (ASCII punctuation), and XML's five. */
const NAMED = new Map<string, number>(
  Object.entries({
    amp: 0x26, lt: 0x3c, gt: 0x3e, quot: 0x22, apos: 0x27, sol: 0x2f, plus: 0x2b, equals: 0x3d, num: 0x23, excl: 0x21, dollar: 0x24,
    percnt: 0x25, lpar: 0x28, rpar: 0x29, ast: 0x2a, midast: 0x2a, comma: 0x2c, period: 0x2e, colon: 0x3a, semi: 0x3b, quest: 0x3f,
    commat: 0x40, lsqb: 0x5b, lbrack: 0x5b, bsol: 0x5c, rsqb: 0x5d, rbrack: 0x5d, Hat: 0x5e, lowbar: 0x5f, UnderBar: 0x5f, grave: 0x60,
    DiacriticalGrave: 0x60, lcub: 0x7b, lbrace: 0x7b, verbar: 0x7c, vert: 0x7c, VerticalLine: 0x7c, rcub: 0x7d, rbrace: 0x7d,
  }),
);

/** JSON's and JavaScript's one-character escapes. */
const SHORT_ESCAPES = new Map<number, number>([[0x22, 0x22], [0x27, 0x27], [0x2f, 0x2f], [0x5c, 0x5c], [0x62, 0x08], [0x66, 0x0c], [0x6e, 0x0a], [0x72, 0x0d], [0x74, 0x09]]);

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  const lower = code | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}

/** The number written by `count` hex digits at `at`, or -1. */
function hexAt(codes: Uint16Array, at: number, count: number): number {
  if (at + count > codes.length) return -1;
  let value = 0;
  for (let k = 0; k < count; k += 1) {
    const digit = hexValue(codes[at + k]!);
    if (digit < 0) return -1;
    value = value * 16 + digit;
  }
  return value;
}

/** One escape at `at`: the code point it stands for and how many units it spans, or undefined. */
interface Escape {
  codePoint: number;
  length: number;
}

/** %XX, a UTF-8 sequence of them included: "%C3%A9" is one "é". */
function percentAt(codes: Uint16Array, at: number): Escape | undefined {
  const lead = hexAt(codes, at + 1, 2);
  if (lead < 0) return undefined;
  if (lead < 0x80) return { codePoint: lead, length: 3 };
  const more = lead >= 0xf0 ? 3 : lead >= 0xe0 ? 2 : lead >= 0xc0 ? 1 : -1;
  if (more < 0) return undefined;
  let codePoint = lead & (0x3f >> more);
  for (let k = 1; k <= more; k += 1) {
    const byte = codes[at + 3 * k] === PERCENT ? hexAt(codes, at + 3 * k + 1, 2) : -1;
    if (byte < 0x80 || byte > 0xbf) return undefined;
    codePoint = (codePoint << 6) | (byte & 0x3f);
  }
  return { codePoint, length: 3 * (more + 1) };
}

/** \uXXXX, \xXX (the terminal escaping of util/terminal.ts) and JSON's one-character escapes. */
function backslashAt(codes: Uint16Array, at: number): Escape | undefined {
  const kind = codes[at + 1];
  if (kind === undefined) return undefined;
  if (kind === 0x75) {
    const unit = hexAt(codes, at + 2, 4);
    return unit < 0 ? undefined : { codePoint: unit, length: 6 };
  }
  if (kind === 0x78) {
    const unit = hexAt(codes, at + 2, 2);
    return unit < 0 ? undefined : { codePoint: unit, length: 4 };
  }
  const short = SHORT_ESCAPES.get(kind);
  return short === undefined ? undefined : { codePoint: short, length: 2 };
}

/** &#xHH; &#DD; (the ";" optional, as browsers read them) and the named references above. */
function referenceAt(codes: Uint16Array, at: number): Escape | undefined {
  let k = at + 1;
  if (codes[k] === 0x23) {
    k += 1;
    const hex = (codes[k]! | 0x20) === 0x78;
    if (hex) k += 1;
    const first = k;
    // HTML allows any number of leading zeros (&#x000000053;): they do not count towards the bound on
    // significant digits, which keeps a hostile run of digits from growing past a code point.
    while (k < codes.length && codes[k] === 0x30) k += 1;
    const significant = k;
    let codePoint = 0;
    for (; k < codes.length && k - significant < 8; k += 1) {
      const digit = hex ? hexValue(codes[k]!) : codes[k]! >= 0x30 && codes[k]! <= 0x39 ? codes[k]! - 0x30 : -1;
      if (digit < 0) break;
      codePoint = codePoint * (hex ? 16 : 10) + digit;
    }
    if (k === first || codePoint > 0x10ffff) return undefined;
    return { codePoint, length: k - at + (codes[k] === 0x3b ? 1 : 0) };
  }
  let name = '';
  for (; k < codes.length && k - at <= 16; k += 1) {
    const code = codes[k]!;
    if (code === 0x3b) break;
    if (!((code | 0x20) >= 0x61 && (code | 0x20) <= 0x7a)) return undefined;
    name += String.fromCharCode(code);
  }
  const codePoint = codes[k] === 0x3b ? NAMED.get(name) : undefined;
  return codePoint === undefined ? undefined : { codePoint, length: k - at + 1 };
}

/** The layer with one layer of escapes decoded, or undefined when it holds none. */
export function decodeLayer(layer: Layer): Layer | undefined {
  const { codes, starts, ends } = layer;
  const length = codes.length;
  let first = 0;
  while (first < length && codes[first] !== PERCENT && codes[first] !== AMPERSAND && codes[first] !== BACKSLASH) first += 1;
  if (first === length) return undefined;
  const out = new Uint16Array(length);
  const outStarts = new Int32Array(length);
  const outEnds = new Int32Array(length);
  let n = 0;
  let decoded = false;
  for (let k = 0; k < length; ) {
    const code = codes[k]!;
    const escaped = k < first ? undefined : code === PERCENT ? percentAt(codes, k) : code === AMPERSAND ? referenceAt(codes, k) : code === BACKSLASH ? backslashAt(codes, k) : undefined;
    const span = escaped ? escaped.length : 1;
    const from = starts ? starts[k]! : k;
    const to = ends ? ends[k + span - 1]! : k + span;
    if (!escaped) out[n++] = code;
    else if (escaped.codePoint > 0xffff) {
      // Astral: two units, each standing for the whole escape.
      out[n] = 0xd800 + ((escaped.codePoint - 0x10000) >> 10);
      outStarts[n] = from;
      outEnds[n++] = to;
      out[n++] = 0xdc00 + ((escaped.codePoint - 0x10000) & 0x3ff);
    } else out[n++] = escaped.codePoint;
    outStarts[n - 1] = from;
    outEnds[n - 1] = to;
    decoded ||= escaped !== undefined;
    k += span;
  }
  return decoded ? { codes: out.subarray(0, n), starts: outStarts.subarray(0, n), ends: outEnds.subarray(0, n) } : undefined;
}
