import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../../src/util/sha256.js';

describe('sha256Hex (the token cache file names, without loading node:crypto)', () => {
  it('equals node:crypto for the FIPS examples, every length across block boundaries, and non-ASCII text', () => {
    const texts = ['', 'abc', 'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq', 'https://idp.example.com\nmy-cli', 'é€😀 \u0000\n'];
    for (let length = 0; length <= 200; length++) texts.push(randomBytes(length).toString('latin1').slice(0, length));
    for (const text of texts) expect(sha256Hex(text), JSON.stringify(text)).toBe(createHash('sha256').update(text, 'utf8').digest('hex'));
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
