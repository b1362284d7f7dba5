import { describe, expect, it } from 'vitest';
import { leftHalfHash } from '../../../src/core/jwt/claims.js';
import { validateJwt } from '../../../src/core/jwt/validate.js';

// RFC 7515 Appendix A: the payload is {"iss":"joe",\r\n "exp":1300819380,...}; the header bytes contain
// a CRLF, so a verifier that re-serialises the header instead of using the bytes as sent fails here.
const PAYLOAD = 'eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ';
const BEFORE_EXP = 1300819380 - 100;

describe('RFC 7515 Appendix A vectors (fixed clock)', () => {
  it('A.1 HS256', async () => {
    const token = `eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.${PAYLOAD}.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk`;
    const k = Buffer.from('AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow', 'base64url');
    const result = await validateJwt(token, { prefix: 'jwt', secret: k, expect: { issuer: 'joe' }, clockSkew: 0, now: BEFORE_EXP });
    expect(result.signature.verified).toBe(true);
    expect(result.checks.find((c) => c.id === 'jwt.exp')!.status).toBe('pass');
    // The same token a second after exp.
    const later = await validateJwt(token, { prefix: 'jwt', secret: k, expect: {}, clockSkew: 0, now: 1300819381 });
    expect(later.checks.find((c) => c.id === 'jwt.exp')!.status).toBe('fail');
  });

  it('A.3 ES256', async () => {
    const token = `eyJhbGciOiJFUzI1NiJ9.${PAYLOAD}.DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q`;
    const jwk = { kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0' };
    const result = await validateJwt(token, { prefix: 'jwt', keys: { keys: [jwk], label: 'RFC 7515 A.3' }, expect: {}, clockSkew: 0, now: BEFORE_EXP });
    expect(result.signature.verified).toBe(true);
  });
});

describe('OIDC Core hash vectors', () => {
  it('at_hash and c_hash are the left half of SHA-256, base64url', () => {
    expect(leftHalfHash('jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y', 'RS256')).toBe('77QmUPtjPfzWtF2AnpK9RQ');
    expect(leftHalfHash('Qcb0Orv1zh30vL1MPRsbm-diHiMwcLyZvn1arpZv-Jxf_11jnpEX3Tgfvk', 'RS256')).toBe('LDktKdoQak3Pk0cnXxCltA');
  });
});
