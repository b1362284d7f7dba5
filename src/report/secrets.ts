import { redactedToken } from '../util/redact.js';
import { CUT_MARK } from '../util/show.js';
import { MIN_SECRET_LENGTH, spellingsOf } from './secret-spellings.js';
import { SpellingMatcher } from './spelling-matcher.js';

export { MIN_SECRET_LENGTH };

const MASK = '[redacted]';

/**
 * A token (code, access, refresh or ID token, device_code) is redacted with a short prefix so two can be
 * told apart; a secret (client secret, Basic credential, code_verifier, client assertion, a key) shows
 * no character at all (docs/security.md "No secret prefixes").
 */
export type SecretKind = 'secret' | 'token';

/**
 * Every value this run knows to be secret: the client secret and its Basic credential, the private_key_jwt
 * client assertion, codes and code_verifiers sent, tokens received (access, refresh, ID, device_code) and
 * tokens that arrived in the front channel. The one output gate (main.ts: stdout, the last error line, the
 * Ui's stderr writer, report files) passes every text through `mask`, so a value an IdP echoes back inside
 * an error_description is hidden wherever it is printed, without each message having to remember it.
 *
 * Each value is masked in every spelling an echo carries it in: as is, character-escaped in any mix
 * (percent-encoding in either case, form encoding, HTML and XML references, JSON and terminal escapes:
 * spelling-matcher.ts decodes them), and as base64 (secret-spellings.ts, computed once per value). A
 * value registered as a secret, or a token that equals or holds one, is also masked in the redacted form
 * a token is shown in (`Xy7/Ab…[redacted 24 chars]`): its first characters never reach an output.
 */
export class SecretRegistry {
  private readonly kinds = new Map<string, SecretKind>();
  private readonly spellings = new Map<string, string[]>();
  private matcher: SpellingMatcher | undefined;
  /** --show-tokens: the user asked to see everything. */
  reveal = false;

  /** A secret unless said otherwise: a value registered as both is a secret. */
  add(value: string | undefined, kind: SecretKind = 'secret'): void {
    if (value === undefined || value.length < MIN_SECRET_LENGTH) return;
    const known = this.kinds.get(value);
    if (known === kind || known === 'secret') return;
    this.kinds.set(value, kind);
    this.matcher = undefined;
  }

  has(value: string): boolean {
    return this.kinds.has(value);
  }

  /** The values and their kinds, for a registry of the same run on another thread (report/batch-line.ts). */
  entries(): Array<[string, SecretKind]> {
    return [...this.kinds];
  }

  mask(text: string): string {
    if (this.reveal || this.kinds.size === 0 || text === '') return text;
    this.matcher ??= new SpellingMatcher(this.patterns());
    return maskCutPrefixes(this.matcher.replace(text, MASK), this.kinds.keys());
  }

  private patterns(): string[] {
    const spellings = (value: string) => {
      let forms = this.spellings.get(value);
      if (!forms) this.spellings.set(value, (forms = spellingsOf(value)));
      return forms;
    };
    const secrets = [...this.kinds].filter(([, kind]) => kind === 'secret');
    // A token that holds a secret in any spelling (the client secret handed back as access_token) is one.
    const holdsSecret = new SpellingMatcher(secrets.flatMap(([value]) => spellings(value)));
    const patterns: string[] = [];
    for (const [value, kind] of this.kinds) {
      patterns.push(...spellings(value));
      const shown = redactedToken(value);
      if (shown !== MASK && (kind === 'secret' || holdsSecret.replace(value, MASK) !== value)) patterns.push(shown);
    }
    return patterns;
  }
}

/** A cut value's prefix shorter than this is not recognised (it would mask ordinary words). */
const MIN_CUT_PREFIX = 8;

/**
 * A value cut for a message (util/show.ts cut: its first characters, then CUT_MARK) cannot match whole:
 * where the text before a CUT_MARK ends with the first characters of a known value, those go too.
 * Cuts are rare, so this looks only at the few places that end with the mark.
 */
function maskCutPrefixes(text: string, values: Iterable<string>): string {
  if (!text.includes(CUT_MARK)) return text;
  const known = [...values];
  let out = '';
  let from = 0;
  for (let at = text.indexOf(CUT_MARK); at >= 0; at = text.indexOf(CUT_MARK, at + 1)) {
    let longest = 0;
    for (const value of known) {
      for (let length = Math.min(value.length, at - from); length >= MIN_CUT_PREFIX && length > longest; length -= 1) {
        if (text.startsWith(value.slice(0, length), at - length)) {
          longest = length;
          break;
        }
      }
    }
    if (longest > 0) {
      out += `${text.slice(from, at - longest)}${MASK}`;
      from = at;
    }
  }
  return out + text.slice(from);
}

const matchers = new WeakMap<Set<string>, { size: number; matcher: SpellingMatcher }>();

/**
 * The same masking for a set of values that is not the run's (the values a trace masked by name). The
 * set only grows: its matcher is rebuilt when it did, not on every line.
 */
export function maskValues(text: string, values: Set<string>): string {
  if (values.size === 0 || text === '') return text;
  let entry = matchers.get(values);
  if (entry?.size !== values.size) {
    entry = { size: values.size, matcher: new SpellingMatcher([...values].filter((value) => value.length >= MIN_SECRET_LENGTH).flatMap(spellingsOf)) };
    matchers.set(values, entry);
  }
  return entry.matcher.replace(text, MASK);
}
