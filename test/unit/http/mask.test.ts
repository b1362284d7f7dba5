import { describe, expect, it } from 'vitest';
import { maskBody, maskHeader, maskUrl, maskUrlsIn } from '../../../src/http/mask.js';

describe('masking for traces', () => {
  it('keeps the scheme of Authorization and hides cookies whole', () => {
    expect(maskHeader('Authorization', 'Basic Y2xpZW50OnNlY3JldA==')).toBe('Basic [redacted]');
    expect(maskHeader('authorization', 'Bearer eyJhbGciOi.x.y')).toBe('Bearer [redacted]');
    expect(maskHeader('set-cookie', 'sid=abc; HttpOnly')).toBe('[redacted]');
    expect(maskHeader('content-type', 'application/json')).toBe('application/json');
  });

  it('masks secret parameters in a form body and collects their values', () => {
    const found = new Set<string>();
    const out = maskBody('grant_type=authorization_code&code=SplxlOBeZQQYbYS6WxSbIA&code_verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk&client_secret=s3cr3t-value&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcb', found);
    expect(out).toBe('grant_type=authorization_code&code=[redacted]&code_verifier=[redacted]&client_secret=[redacted]&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcb');
    expect([...found]).toEqual(['SplxlOBeZQQYbYS6WxSbIA', 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk', 's3cr3t-value']);
  });

  it('masks secret members of JSON at any depth', () => {
    const out = maskBody(JSON.stringify({ access_token: 'at-123456', token_type: 'Bearer', nested: [{ refresh_token: 'rt-abcdef' }], device_code: 'dc-999999' }));
    expect(out).not.toMatch(/at-123456|rt-abcdef|dc-999999/);
    expect(JSON.parse(out)).toEqual({ access_token: '[redacted]', token_type: 'Bearer', nested: [{ refresh_token: '[redacted]' }], device_code: '[redacted]' });
  });

  it('masks secret query parameters of URLs, also inside a message', () => {
    expect(maskUrl('https://rp.example/cb?code=abc123456&state=xyz#frag')).toBe('https://rp.example/cb?code=[redacted]&state=xyz#frag');
    expect(maskUrl('https://alice:pa55word@idp.example/x')).toBe('https://[redacted]@idp.example/x');
    expect(maskUrlsIn('timed out reading https://idp/x?access_token=zzzzzzzz (after 5s)')).toBe('timed out reading https://idp/x?access_token=[redacted] (after 5s)');
  });

  it('leaves a body without secrets as it was', () => {
    expect(maskBody('hello world')).toBe('hello world');
    expect(maskBody('error=invalid_grant&error_description=bad')).toBe('error=invalid_grant&error_description=bad');
  });
});
