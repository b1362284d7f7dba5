import { printable } from '../util/terminal.js';
import { formUrlEncode } from '../util/redact.js';

const MASK = '[redacted]';
/** Very short values would mask half the output (ordinary words) and protect nothing. */
export const MIN_SECRET_LENGTH = 6;

/**
 * Every value this run knows to be secret: the client secret and its Basic credential, the private_key_jwt
 * client assertion, codes and code_verifiers sent, tokens received (access, refresh, ID, device_code) and
 * tokens that arrived in the front channel. The one output gate (main.ts: stdout, the last error line, the
 * Ui's stderr writer, report files) passes every text through `mask`, so a value an IdP echoes back inside
 * an error_description is hidden wherever it is printed, without each message having to remember it.
 *
 * Each secret is masked in the forms an echo carries it in: as is, form-urlencoded (a quoted request
 * body), percent-encoded (a quoted URL), JSON-escaped (inside a JSON string), XML-escaped (JUnit) and
 * terminal-escaped (printable: the human report escapes control characters before the gate sees it).
 */
export class SecretRegistry {
  private readonly values = new Set<string>();
  private forms: string[] | undefined;
  /** --show-tokens: the user asked to see everything. */
  reveal = false;

  add(value: string | undefined): void {
    if (value === undefined || value.length < MIN_SECRET_LENGTH || this.values.has(value)) return;
    this.values.add(value);
    this.forms = undefined;
  }

  has(value: string): boolean {
    return this.values.has(value);
  }

  mask(text: string): string {
    if (this.reveal || this.values.size === 0 || text === '') return text;
    this.forms ??= formsOf(this.values);
    return replaceForms(text, this.forms);
  }
}

/** The same masking for a set of values that is not the run's (the values a trace masked by name). */
export function maskValues(text: string, values: Iterable<string>): string {
  return replaceForms(text, formsOf([...values].filter((value) => value.length >= MIN_SECRET_LENGTH)));
}

function replaceForms(text: string, forms: readonly string[]): string {
  let out = text;
  for (const form of forms) if (out.includes(form)) out = out.split(form).join(MASK);
  return out;
}

/** As XML element text (junit.ts xmlText) and as an attribute value (xmlAttribute, quotes escaped too). */
const xmlText = (value: string) => value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const xmlAttribute = (value: string) => xmlText(value).replace(/"/g, '&quot;').replace(/'/g, '&apos;');

/** Longest first, so a secret that contains another is masked whole. */
function formsOf(values: Iterable<string>): string[] {
  const forms = new Set<string>();
  for (const value of values) {
    for (const form of [value, formUrlEncode(value), encodeURIComponent(value), JSON.stringify(value).slice(1, -1), xmlText(value), xmlAttribute(value), printable(value)]) {
      if (form.length >= MIN_SECRET_LENGTH) forms.add(form);
    }
  }
  return [...forms].sort((a, b) => b.length - a.length);
}
