import { MIN_SECRET_LENGTH, spellingsOf } from './secret-spellings.js';
import { SpellingMatcher } from './spelling-matcher.js';

export { MIN_SECRET_LENGTH };

const MASK = '[redacted]';

/**
 * Every value this run knows to be secret: the client secret and its Basic credential, the private_key_jwt
 * client assertion, codes and code_verifiers sent, tokens received (access, refresh, ID, device_code) and
 * tokens that arrived in the front channel. The one output gate (main.ts: stdout, the last error line, the
 * Ui's stderr writer, report files) passes every text through `mask`, so a value an IdP echoes back inside
 * an error_description is hidden wherever it is printed, without each message having to remember it.
 *
 * Each value is masked in every spelling an echo carries it in: as is, character-escaped in any mix
 * (percent-encoding in either case, form encoding, HTML and XML references, JSON and terminal escapes:
 * spelling-matcher.ts decodes them), and as base64 (secret-spellings.ts, computed once per value).
 */
export class SecretRegistry {
  private readonly values = new Set<string>();
  private readonly spellings = new Map<string, string[]>();
  private matcher: SpellingMatcher | undefined;
  /** --show-tokens: the user asked to see everything. */
  reveal = false;

  add(value: string | undefined): void {
    if (value === undefined || value.length < MIN_SECRET_LENGTH || this.values.has(value)) return;
    this.values.add(value);
    this.matcher = undefined;
  }

  has(value: string): boolean {
    return this.values.has(value);
  }

  mask(text: string): string {
    if (this.reveal || this.values.size === 0 || text === '') return text;
    this.matcher ??= new SpellingMatcher([...this.values].flatMap((value) => this.spellingsOf(value)));
    return this.matcher.replace(text, MASK);
  }

  private spellingsOf(value: string): string[] {
    let forms = this.spellings.get(value);
    if (!forms) this.spellings.set(value, (forms = spellingsOf(value)));
    return forms;
  }
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
