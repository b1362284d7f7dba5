import { describe, expect, it } from 'vitest';
import { codeChallengeS256, createPkce, isValidCodeVerifier } from '../../src/core/pkce.js';

describe('PKCE (RFC 7636)', () => {
  it('matches the S256 example of Appendix B', () => {
    // The 32 random octets of App. B, and the verifier and challenge derived from them there.
    const octets = [116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212, 37, 77, 105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121];
    const code_verifier = Buffer.from(octets).toString('base64url');
    expect(code_verifier).toBe('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk');
    expect(codeChallengeS256(code_verifier)).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
    expect(createPkce(code_verifier)).toEqual({ code_verifier, code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' });
  });

  it('generates a fresh 43-character verifier from the unreserved set each time', () => {
    const a = createPkce();
    const b = createPkce();
    expect(a.code_verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.code_verifier).not.toBe(b.code_verifier);
    expect(a.code_challenge).toBe(codeChallengeS256(a.code_verifier));
  });

  it('enforces the 43-128 unreserved characters of §4.1', () => {
    expect(isValidCodeVerifier('a'.repeat(42))).toBe(false);
    expect(isValidCodeVerifier('a'.repeat(43))).toBe(true);
    expect(isValidCodeVerifier('a'.repeat(128))).toBe(true);
    expect(isValidCodeVerifier('a'.repeat(129))).toBe(false);
    expect(isValidCodeVerifier(`${'a'.repeat(42)}+`)).toBe(false);
    expect(() => createPkce('short')).toThrow(/43-128/);
  });
});
