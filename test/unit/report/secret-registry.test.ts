import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { basicCredentials } from '../../../src/core/client-auth.js';
import { maskValues, SecretRegistry } from '../../../src/report/secrets.js';
import { SpellingMatcher } from '../../../src/report/spelling-matcher.js';
import { redact } from '../../../src/util/redact.js';
import { printable } from '../../../src/util/terminal.js';
import { cut } from '../../../src/util/show.js';
import { basicSpellings, echoSpellings } from '../../support/echo-spellings.js';

const SECRET = 'Xy7/AbC+dEf9=gHiJkLmNoPq';
const xml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
/** How our own outputs wrap a text: as is, in a --json/SARIF string, in a JUnit file, on a terminal, and twice JSON (a JSON body quoted in --json). */
const WRAPPINGS: Array<[string, (text: string) => string]> = [
  ['as is', (text) => text],
  ['JSON string', (text) => JSON.stringify(text)],
  ['JSON string twice', (text) => JSON.stringify(JSON.stringify(text))],
  ['XML text', xml],
  ['terminal', printable],
];

function registry(...values: string[]): SecretRegistry {
  const secrets = new SecretRegistry();
  for (const value of values) secrets.add(value);
  return secrets;
}

describe('SecretRegistry.mask: every spelling of a secret', () => {
  const secrets = registry(SECRET);
  for (const [label, spelled] of echoSpellings(SECRET)) {
    it(`${label}, in every wrapping of our outputs`, () => {
      for (const [wrapping, wrap] of WRAPPINGS) {
        const masked = secrets.mask(wrap(`before ${spelled} after`));
        // Base64 inside a longer blob keeps what it shares with its neighbours: 3 characters a side at most, and the padding.
        expect(masked, `${label} ${wrapping}`).toMatch(label.startsWith('base64-offset') ? /before [\w+/]{0,4}\[redacted\][\w+/]{0,4}={0,2} after/ : /before \[redacted\] after/);
      }
    });
  }

  it('the Basic credential as sent, unpadded, in base64url, and of the raw client_id:secret', () => {
    const secrets = registry(SECRET, ...basicCredentials('client-1', SECRET));
    const [sent] = basicCredentials('client-1', SECRET);
    for (const [label, spelled] of basicSpellings('client-1', SECRET, sent!)) expect(secrets.mask(`Authorization: Basic ${spelled}.`), label).toBe('Authorization: Basic [redacted].');
  });

  it('a secret holding what looks like an escape is found as it is, and JSON-escaped', () => {
    const odd = 'ab%41&amp;c\\u0041"d';
    const secrets = registry(odd);
    for (const [wrapping, wrap] of WRAPPINGS) expect(secrets.mask(wrap(`[${odd}]`)), wrapping).toBe(wrap('[[redacted]]'));
  });

  it('leaves text that holds no secret as it was, escapes and look-alikes included', () => {
    const secrets = registry(SECRET, 'short', 'tiny');
    const text = `%2F &#x2B; \\u003d &sol; Xy7/AbC+dEf9=gHiJkLmNoPQ ${Buffer.from('Xy7/AbC+dEf9=gHiJkLmNoP').toString('base64')} a short word`;
    expect(secrets.mask(text)).toBe(text);
    expect(secrets.mask('')).toBe('');
  });

  it('--show-tokens reveals everything', () => {
    const secrets = registry(SECRET);
    secrets.reveal = true;
    expect(secrets.mask(SECRET)).toBe(SECRET);
  });
});

describe('SecretRegistry: secrets show no character, tokens a short prefix', () => {
  const token = `eyJhbGciOiJSUzI1NiJ9.${randomBytes(40).toString('base64url')}.sig`;

  it('a token keeps the prefix redact() gives it; a secret in that form is masked whole', () => {
    const secrets = new SecretRegistry();
    secrets.add(token, 'token');
    secrets.add(SECRET, 'secret');
    expect(secrets.mask(`access_token ${redact(token, false)}`)).toBe(`access_token ${redact(token, false)}`);
    expect(secrets.mask(`access_token ${redact(SECRET, false)}`)).toBe('access_token [redacted]');
    expect(secrets.mask(JSON.stringify({ access_token: redact(SECRET, false) }))).toBe('{"access_token":"[redacted]"}');
  });

  it('a token that equals or holds a secret is redacted as a secret, whichever was registered first', () => {
    const holding = `rt.${SECRET}.tail`;
    for (const order of [['token', 'secret'], ['secret', 'token']] as const) {
      const secrets = new SecretRegistry();
      for (const kind of order) {
        if (kind === 'token') {
          secrets.add(holding, 'token');
          secrets.add(SECRET, 'token');
        } else secrets.add(SECRET, 'secret');
      }
      expect(secrets.mask(`refresh_token ${redact(holding, false)} access_token ${redact(SECRET, false)}`), order.join(' then ')).toBe('refresh_token [redacted] access_token [redacted]');
    }
  });

  it('so is a token that holds a secret in another spelling (base64url of it, as a JWT claim would)', () => {
    const secrets = new SecretRegistry();
    secrets.add(SECRET, 'secret');
    const claim = `${Buffer.from(`{"alg":"none"}`).toString('base64url')}.${Buffer.from(JSON.stringify({ leaked: SECRET })).toString('base64url')}.`;
    secrets.add(claim, 'token');
    secrets.add(token, 'token');
    expect(secrets.mask(`${redact(claim, false)} ${redact(token, false)}`)).toBe(`[redacted] ${redact(token, false)}`);
  });

  it('a value registered as a secret stays one when registered again as a token', () => {
    const secrets = new SecretRegistry();
    secrets.add(SECRET);
    secrets.add(SECRET, 'token');
    expect(secrets.mask(redact(SECRET, false))).toBe('[redacted]');
  });
});

describe('masking cost', () => {
  it('is linear in the text, whatever the number of secrets: 1 MiB of escape-laden text with 100 secrets', () => {
    const line = (i: number) => `line ${i}: client_secret=${randomBytes(12).toString('base64')}&x=%2F%3d &amp;#x2B; \\u002b "q"\n`;
    const text = Array.from({ length: 12_000 }, (_, i) => line(i)).join('');
    const many = new SecretRegistry();
    for (let i = 0; i < 100; i += 1) many.add(randomBytes(24).toString('base64'), i % 2 ? 'token' : 'secret');
    many.mask('build once');
    const started = performance.now();
    expect(many.mask(text)).toBe(text);
    // A loaded 2-core CI machine takes well under a second; a pass per secret and spelling took many.
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('maskValues builds its matcher once per set size, not per line', () => {
    const found = new Set(['value-masked-by-name-1']);
    expect(maskValues('a value-masked-by-name-1 b', found)).toBe('a [redacted] b');
    found.add('value-masked-by-name-2');
    expect(maskValues('value-masked-by-name-2', found)).toBe('[redacted]');
  });
});

describe('SpellingMatcher', () => {
  it('masks overlapping and adjacent matches without losing the text between them', () => {
    const matcher = new SpellingMatcher(['abcdef', 'defghi', 'uvwxyz', 'UVWXYZ']);
    expect(matcher.replace('0abcdefghi1uvwxyzUVWXYZ2', '#')).toBe('0#1##2');
    expect(matcher.replace('ab%63def and ab&#99;def and ab\\u0063def', '#')).toBe('# and # and #');
  });

  it('finds patterns longer than its trie in full, and only in full', () => {
    const long = 'L/'.repeat(10) + randomBytes(40).toString('hex');
    const matcher = new SpellingMatcher([long]);
    expect(matcher.replace(`<${long}>`, '#')).toBe('<#>');
    expect(matcher.replace(`<${long.slice(0, -1)}>`, '#')).toBe(`<${long.slice(0, -1)}>`);
    expect(matcher.replace(`<${encodeURIComponent(long).replace(/%2F/g, '%2f')}>`, '#')).toBe('<#>');
  });
});

describe('a value cut for a message (util/show.ts cut) before the gate saw it', () => {
  it('the first characters of a secret or a token before the cut mark are masked; other cut text is left alone', () => {
    const secrets = registry(SECRET);
    const message = `sub ${JSON.stringify(cut(`xxxxxxxxxxxxxxxxxxxx${SECRET}é`))} is not 1-255 printable ASCII characters`;
    expect(message).toContain('Xy7/AbC+dEf9=gHiJkLm…');
    expect(secrets.mask(message)).toBe('sub "xxxxxxxxxxxxxxxxxxxx[redacted]…" is not 1-255 printable ASCII characters');
    expect(secrets.mask(`kid ${cut('an-ordinary-kid-that-is-very-long-indeed-and-more')}`)).toBe(`kid ${cut('an-ordinary-kid-that-is-very-long-indeed-and-more')}`);
  });
});

describe('HTML character references with leading zeros (valid HTML: any number of them)', () => {
  it('are decoded, so the secret they spell is masked', () => {
    const spell = (radix: 16 | 10) => [...SECRET].map((ch) => `&#${radix === 16 ? 'x' : ''}${'0'.repeat(9)}${ch.charCodeAt(0).toString(radix)};`).join('');
    const secrets = registry(SECRET);
    expect(secrets.mask(`rejected: ${spell(16)} end`)).toBe('rejected: [redacted] end');
    expect(secrets.mask(`rejected: ${spell(10)} end`)).toBe('rejected: [redacted] end');
  });
});
