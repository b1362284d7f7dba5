import { describe, expect, it } from 'vitest';
import { maskBody, maskHeader, maskUrl, maskUrlsIn, secretsIssued, secretsSent } from '../../../src/http/mask.js';
import { formUrlEncode, redact, redactSecret } from '../../../src/util/redact.js';
import { SecretRegistry } from '../../../src/report/secrets.js';
import { printable } from '../../../src/util/terminal.js';

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

  it('keeps a member named "__proto__" (JSON.parse makes it an own member) and masks the secrets inside it', () => {
    const found = new Set<string>();
    const out = maskBody('{"__proto__":{"access_token":"at-in-proto-123"},"constructor":"x","token_type":"Bearer"}', found);
    expect(out).not.toContain('at-in-proto-123');
    expect(out).toContain('"__proto__": {\n    "access_token": "[redacted]"');
    expect(out).toContain('"constructor": "x"');
    expect([...found]).toEqual(['at-in-proto-123']);
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

describe('what a request sends and a response issues feeds the run-wide registry', () => {
  it('secretsSent: parameters by name in the URL and the body, the credential of Authorization', () => {
    const sent = secretsSent('https://idp/x?access_token=query-token-1', { authorization: 'Basic Y2xpZW50OnNlY3JldA==', accept: 'application/json' }, 'grant_type=refresh_token&refresh_token=rt-123456&client_assertion=eyJ.a.b');
    // The client's own credentials are secrets (no prefix ever shown); codes and tokens are tokens.
    expect(sent.secrets.sort()).toEqual(['Y2xpZW50OnNlY3JldA==', 'eyJ.a.b']);
    expect(sent.tokens.sort()).toEqual(['query-token-1', 'rt-123456']);
    expect(secretsSent('https://idp/userinfo', { authorization: 'Bearer at-123456789' }, undefined)).toEqual({ secrets: [], tokens: ['at-123456789'] });
  });

  it('secretsIssued: tokens, device_code and a registered client_secret, not an error body\'s members', () => {
    const issued = secretsIssued(JSON.stringify({ access_token: 'at-1', refresh_token: 'rt-1', id_token: 'it-1', token_type: 'Bearer', device_code: 'dc-1', client_secret: 'cs-1' }));
    expect(issued).toEqual({ secrets: ['cs-1'], tokens: ['at-1', 'rt-1', 'it-1', 'dc-1'] });
    expect(secretsIssued(JSON.stringify({ error: 'invalid_request', code: 'invalid_request_code' }))).toEqual({ secrets: [], tokens: [] });
    expect(secretsIssued('not json')).toEqual({ secrets: [], tokens: [] });
  });
});

describe('SecretRegistry.mask', () => {
  it('masks a secret as is, form-encoded, percent-encoded, JSON-escaped and XML-escaped, longest first', () => {
    const registry = new SecretRegistry();
    const secret = 'Sup3r/Secret+Value=42&x~"q\\z <y>';
    registry.add(secret);
    registry.add('short');
    for (const form of [secret, formUrlEncode(secret), encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1), secret.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')]) {
      expect(registry.mask(`before ${form} after`)).toBe('before [redacted] after');
    }
    // Five characters or fewer would mask ordinary words: not registered.
    expect(registry.mask('a short word')).toBe('a short word');
    registry.reveal = true;
    expect(registry.mask(secret)).toBe(secret);
  });
});

describe('redactSecret', () => {
  it('shows no character of a secret, where a token keeps a prefix', () => {
    expect(redactSecret('client-secret-value-123', false)).toBe('[redacted]');
    expect(redactSecret('client-secret-value-123', true)).toBe('client-secret-value-123');
    expect(redact('eyJhbGciOiJSUzI1NiJ9.payload.sig', false)).toMatch(/^eyJhbG…\[redacted \d+ chars\]$/);
  });
});

describe('SecretRegistry.mask after the terminal sanitiser', () => {
  it('masks a secret holding control characters in its printable form too (the human report escapes first)', () => {
    const registry = new SecretRegistry();
    const token = 'abcdefgh\u001b]52;c;aGk=\u0007';
    registry.add(token);
    expect(registry.mask(`echo: ${printable(token)}`)).toBe('echo: [redacted]');
  });
});
