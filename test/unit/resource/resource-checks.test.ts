import { describe, expect, it } from 'vitest';
import { CheckRecorder } from '../../../src/checks/recorder.js';
import { resourceMetadataUrl } from '../../../src/core/resource/protected-resource.js';
import { judgeAuthorizationServerPkce, judgeClientRegistration, judgeAuthorizationServers, judgeBearerMethods, judgeChallenge, judgeResourceMatch, judgeScopesSupported } from '../../../src/core/resource/resource-checks.js';
import { shellWord } from '../../../src/util/shell.js';
import { expiredTokenProblem } from '../../../src/core/resource/resource-probes.js';

const judged = (fn: (c: CheckRecorder) => unknown) => {
  const c = new CheckRecorder();
  fn(c);
  return c.results.map((r) => [r.id, r.status, r.message]);
};

describe('RFC 9728 §3.1: the well-known URL of a resource', () => {
  it('goes between the host and the path; a lone "/" is dropped; the query stays', () => {
    expect(resourceMetadataUrl('https://resource.example.com/resource1')).toBe('https://resource.example.com/.well-known/oauth-protected-resource/resource1');
    expect(resourceMetadataUrl('https://resource.example.com/')).toBe('https://resource.example.com/.well-known/oauth-protected-resource');
    expect(resourceMetadataUrl('https://resource.example.com')).toBe('https://resource.example.com/.well-known/oauth-protected-resource');
    expect(resourceMetadataUrl('http://127.0.0.1:8080/mcp?tenant=a')).toBe('http://127.0.0.1:8080/.well-known/oauth-protected-resource/mcp?tenant=a');
  });
});

describe('the challenge to a request without a token (RFC 6750 §3, RFC 9728 §5.1)', () => {
  const answer = (status: number, challengeHeader?: string) => ({ method: 'GET', status, challengeHeader });
  it('401 with a Bearer challenge naming the metadata passes both', () => {
    expect(judged((c) => judgeChallenge(answer(401, 'Bearer resource_metadata="https://api.example.com/.well-known/oauth-protected-resource"'), c)).map(([id, status]) => [id, status])).toEqual([
      ['resource.challenge', 'pass'],
      ['resource.challenge_metadata', 'pass'],
    ]);
  });
  it('401 without WWW-Authenticate fails; there is no challenge to read', () => {
    expect(judged((c) => judgeChallenge(answer(401), c))).toEqual([
      ['resource.challenge', 'fail', 'GET without a token: HTTP 401, but no WWW-Authenticate header'],
      ['resource.challenge_metadata', 'skip', 'no Bearer challenge to read'],
    ]);
  });
  it('a challenge without resource_metadata warns, and so does one that is no http(s) URL (the catalogue: a warning)', () => {
    expect(judged((c) => judgeChallenge(answer(401, 'Bearer realm="api"'), c))[1]).toEqual(['resource.challenge_metadata', 'warn', 'the Bearer challenge has no resource_metadata: the metadata URL must be guessed (RFC 9728 §3.1 well-known)']);
    expect(judged((c) => judgeChallenge(answer(401, 'Bearer resource_metadata="javascript:alert(1)"'), c))[1]).toEqual(['resource.challenge_metadata', 'warn', 'resource_metadata="javascript:alert(1)" is not an http(s) URL']);
  });
  it('an open URL warns; a 404 or a 403 without a token fails', () => {
    expect(judged((c) => judgeChallenge(answer(200), c))[0]?.[1]).toBe('warn');
    expect(judged((c) => judgeChallenge(answer(404), c))[0]).toEqual(['resource.challenge', 'fail', 'GET without a token: HTTP 404, not 401']);
    expect(judged((c) => judgeChallenge(answer(403, 'Bearer error="insufficient_scope"'), c))[0]?.[1]).toBe('fail');
  });
});

describe('the metadata document (RFC 9728 §2, §3.3)', () => {
  it('resource: identical passes, a parent of the URL warns, another resource fails', () => {
    expect(judged((c) => judgeResourceMatch({ resource: 'https://api.example.com/mcp' }, 'https://api.example.com/mcp', c))[0]?.[1]).toBe('pass');
    expect(judged((c) => judgeResourceMatch({ resource: 'https://api.example.com/' }, 'https://api.example.com/v1/me', c))[0]?.[1]).toBe('warn');
    expect(judged((c) => judgeResourceMatch({ resource: 'https://api.example.com/v1' }, 'https://api.example.com/v10', c))[0]?.[1]).toBe('fail');
    expect(judged((c) => judgeResourceMatch({ resource: 'https://evil.example/mcp' }, 'https://api.example.com/mcp', c))[0]).toEqual([
      'resource.resource_match',
      'fail',
      'the metadata is about "https://evil.example/mcp", not "https://api.example.com/mcp": a client must not use it (RFC 9728 §7.3)',
    ]);
    expect(judged((c) => judgeResourceMatch({}, 'https://api.example.com/mcp', c))[0]?.[1]).toBe('fail');
  });

  it('authorization_servers: https passes, http on loopback passes with a note, plain http elsewhere or no list fails', () => {
    expect(judged((c) => judgeAuthorizationServers({ authorization_servers: ['https://as.example.com'] }, c))[0]?.[1]).toBe('pass');
    expect(judged((c) => judgeAuthorizationServers({ authorization_servers: ['http://127.0.0.1:8080'] }, c))[0]?.[2]).toMatch(/http on loopback: development only/);
    expect(judged((c) => judgeAuthorizationServers({ authorization_servers: ['http://as.example.com'] }, c))[0]).toEqual(['resource.authorization_servers', 'fail', 'http://as.example.com is http, not https']);
    expect(judged((c) => judgeAuthorizationServers({ authorization_servers: ['https://as.example.com?tenant=1'] }, c))[0]?.[1]).toBe('fail');
    expect(judged((c) => judgeAuthorizationServers({}, c))[0]?.[1]).toBe('fail');
    expect(judged((c) => judgeAuthorizationServers({ authorization_servers: [] }, c))[0]?.[1]).toBe('fail');
    const c = new CheckRecorder();
    expect(judgeAuthorizationServers({ authorization_servers: ['https://a.example', 'ftp://b.example'] }, c)).toEqual(['https://a.example']);
  });

  it('bearer_methods_supported: the query string or a malformed value warns; absent or header passes', () => {
    expect(judged((c) => judgeBearerMethods({}, c))[0]?.[1]).toBe('pass');
    expect(judged((c) => judgeBearerMethods({ bearer_methods_supported: ['header'] }, c))[0]?.[1]).toBe('pass');
    expect(judged((c) => judgeBearerMethods({ bearer_methods_supported: ['header', 'query'] }, c))[0]).toEqual(['resource.bearer_methods', 'warn', 'bearer_methods_supported ["header","query"] offers the query string']);
    expect(judged((c) => judgeBearerMethods({ bearer_methods_supported: 'header' }, c))[0]?.[1]).toBe('warn');
  });

  it('scopes_supported: optional; when present, scope strings', () => {
    expect(judged((c) => judgeScopesSupported({}, c))[0]?.[1]).toBe('skip');
    expect(judged((c) => judgeScopesSupported({ scopes_supported: ['mcp:tools'] }, c))[0]?.[1]).toBe('pass');
    expect(judged((c) => judgeScopesSupported({ scopes_supported: ['two words'] }, c))[0]?.[1]).toBe('warn');
  });

  it('the authorization server must advertise PKCE S256 (MCP)', () => {
    expect(judged((c) => judgeAuthorizationServerPkce('https://as', { code_challenge_methods_supported: ['S256'] }, c))[0]?.[1]).toBe('pass');
    expect(judged((c) => judgeAuthorizationServerPkce('https://as', {}, c))[0]).toEqual(['resource.authorization_server_pkce', 'fail', 'https://as publishes no code_challenge_methods_supported: an MCP client must refuse to go on']);
    expect(judged((c) => judgeAuthorizationServerPkce('https://as', { code_challenge_methods_supported: ['plain'] }, c))[0]?.[1]).toBe('fail');
  });

  it('a client that is not registered yet has a way in: a metadata document, dynamic registration, or a warning', () => {
    const both = { client_id_metadata_document_supported: true, registration_endpoint: 'https://as/reg' };
    expect(judged((c) => judgeClientRegistration('https://as', both, 'app', c))[0]).toEqual(['resource.client_registration', 'pass', 'https://as offers Client ID Metadata Documents and dynamic registration at https://as/reg; this run uses the registered client app']);
    expect(judged((c) => judgeClientRegistration('https://as', {}, 'app', c))[0]).toEqual(['resource.client_registration', 'warn', 'https://as offers neither Client ID Metadata Documents nor dynamic registration: only clients registered by hand (like app) can connect']);
    // A URL client_id needs the first way, whatever else the server offers.
    expect(judged((c) => judgeClientRegistration('https://as', { registration_endpoint: 'https://as/reg' }, 'https://app.example/c.json', c))[0]?.[1]).toBe('warn');
    expect(judged((c) => judgeClientRegistration('https://as', both, 'https://app.example/c.json', c))[0]?.[2]).toMatch(/this run uses the metadata document https:\/\/app\.example\/c\.json$/);
  });
});

describe('a suggested command line is safe to paste', () => {
  it('plain URL words stay; anything else is single-quoted', () => {
    expect(shellWord('https://as.example.com/realms/a')).toBe('https://as.example.com/realms/a');
    expect(shellWord('api:read mcp:tools')).toBe("'api:read mcp:tools'");
    expect(shellWord("x'; rm -rf ~ #")).toBe("'x'\\''; rm -rf ~ #'");
    expect(shellWord('$(id)')).toBe("'$(id)'");
    expect(shellWord('')).toBe("''");
  });
});

describe('--expired-token: only a token that can show that exp is checked is sent', () => {
  const jwt = (claims: Record<string, unknown>) => `eyJhbGciOiJSUzI1NiJ9.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.c2ln`;
  const API = 'https://api.example.com/mcp';
  const now = 2_000_000_000;
  it('an expired JWT for this resource, or an opaque token, is sent; anything else is skipped with the reason', () => {
    expect(expiredTokenProblem(jwt({ aud: API, exp: now - 10 }), API, now)).toBeUndefined();
    expect(expiredTokenProblem(jwt({ aud: ['x', API], exp: now - 10 }), API, now)).toBeUndefined();
    expect(expiredTokenProblem('opaque-token-value', API, now)).toBeUndefined();
    expect(expiredTokenProblem(undefined, API, now)).toMatch(/^no expired token to send: pass --expired-token FILE/);
    expect(expiredTokenProblem(jwt({ aud: API, exp: now + 10 }), API, now)).toBe('the --expired-token is not expired yet (exp 2033-05-18T03:33:30.000Z)');
    expect(expiredTokenProblem(jwt({ aud: 'https://other.example.com/', exp: now - 10 }), API, now)).toBe(`the --expired-token's aud (https://other.example.com/) is not ${API}: a refusal would not show that exp is checked`);
    expect(expiredTokenProblem(jwt({ aud: API, exp: '1' }), API, now)).toBe('the --expired-token has no numeric exp: it cannot show that exp is checked');
  });
});
