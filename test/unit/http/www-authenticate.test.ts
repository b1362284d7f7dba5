import { describe, expect, it } from 'vitest';
import { bearerChallenge, parseWwwAuthenticate } from '../../../src/http/www-authenticate.js';

describe('parseWwwAuthenticate (RFC 9110 §11.6.1)', () => {
  it('reads several challenges with quoted and bare auth-params (the RFC 9110 example)', () => {
    const parsed = parseWwwAuthenticate('Newauth realm="apps", type=1, title="Login to \\"apps\\"", Basic realm="simple"');
    expect(parsed).toEqual({
      ok: true,
      challenges: [
        { scheme: 'Newauth', params: { realm: 'apps', type: '1', title: 'Login to "apps"' } },
        { scheme: 'Basic', params: { realm: 'simple' } },
      ],
    });
  });

  it('reads a Bearer challenge of RFC 6750 §3 and RFC 9728 §5.1, names lower-cased', () => {
    const parsed = parseWwwAuthenticate('Bearer Realm="example", error="invalid_token", error_description="The access token expired", resource_metadata="https://rs.example/.well-known/oauth-protected-resource"');
    expect(parsed.ok && parsed.challenges[0]!.params).toEqual({
      realm: 'example', error: 'invalid_token', error_description: 'The access token expired', resource_metadata: 'https://rs.example/.well-known/oauth-protected-resource',
    });
  });

  it('reads a scheme alone, a token68, and a challenge list with empty elements', () => {
    expect(parseWwwAuthenticate('Bearer')).toEqual({ ok: true, challenges: [{ scheme: 'Bearer', params: {} }] });
    expect(parseWwwAuthenticate('Negotiate YIIB0wYGKwYBBQUCoII=')).toEqual({ ok: true, challenges: [{ scheme: 'Negotiate', params: {}, token68: 'YIIB0wYGKwYBBQUCoII=' }] });
    expect(parseWwwAuthenticate('Basic realm="a", , Bearer')).toMatchObject({ ok: true, challenges: [{ scheme: 'Basic' }, { scheme: 'Bearer' }] });
  });

  it('reports malformed headers instead of guessing', () => {
    expect(parseWwwAuthenticate('')).toMatchObject({ ok: false });
    expect(parseWwwAuthenticate('Bearer error="invalid_token')).toMatchObject({ ok: false, reason: expect.stringContaining('unterminated') });
    expect(parseWwwAuthenticate('"Bearer"')).toMatchObject({ ok: false, reason: expect.stringContaining('auth-scheme') });
  });

  it('bearerChallenge finds Bearer in any case, or says what is wrong', () => {
    expect(bearerChallenge('Basic realm="x", bearer error="invalid_token"').challenge?.params.error).toBe('invalid_token');
    expect(bearerChallenge(undefined).problem).toBe('no WWW-Authenticate header');
    expect(bearerChallenge('Basic realm="x"').problem).toContain('no Bearer challenge (schemes: Basic)');
    expect(bearerChallenge('Bearer error="x').problem).toContain('malformed');
  });
});
