// parse.ts judges a part canonical (RFC 7515 §2) without re-encoding it: it must say exactly what
// re-encoding the decoded bytes and comparing would, for every part a decoder tolerates.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseJwt } from '../../../src/core/jwt/parse.js';

const header = Buffer.from('{"alg":"RS256"}').toString('base64url');
const payload = Buffer.from('{"sub":"x"}').toString('base64url');
const ALPHABET = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/'];

/** What re-encoding says: the bytes a lenient decoder reads, written back canonically, are the part. */
const canonicalByReencoding = (part: string) => Buffer.from(part, 'base64url').toString('base64url') === part;

describe('canonical base64url, judged without re-encoding', () => {
  it('agrees with re-encoding on every tolerated signature part (any length but one past whole bytes, padding, both alphabets)', () => {
    const part = fc
      .tuple(fc.array(fc.constantFrom(...ALPHABET), { maxLength: 90 }), fc.constantFrom('', '=', '=='))
      .map(([chars, padding]) => chars.join('') + padding)
      .filter((text) => text.replace(/=+$/, '').length % 4 !== 1);
    fc.assert(
      fc.property(part, (signature) => {
        const parsed = parseJwt(`${header}.${payload}.${signature}`);
        expect(parsed.nonCanonicalParts.includes('signature'), signature).toBe(!canonicalByReencoding(signature));
        expect(parsed.signatureBytes).toEqual(Buffer.from(signature, 'base64url'));
      }),
      { numRuns: 3000 },
    );
  });

  it('stray bits in the last character are not canonical (4 spare bits, then 2)', () => {
    expect(parseJwt(`${header}.${payload}.AB`).nonCanonicalParts).toEqual(['signature']);
    expect(parseJwt(`${header}.${payload}.AQ`).nonCanonicalParts).toEqual([]);
    expect(parseJwt(`${header}.${payload}.AAB`).nonCanonicalParts).toEqual(['signature']);
    expect(parseJwt(`${header}.${payload}.AAE`).nonCanonicalParts).toEqual([]);
  });
});
