import { describe, expect, it } from 'vitest';
import { checkDefinition } from '../../src/checks/catalogue.js';
import type { CheckResult } from '../../src/checks/types.js';
import { auditDiscovery, describeIssuerDifference } from '../../src/core/discovery-audit.js';
import { discoveryUrls, processDiscoveryResponse } from '../../src/core/discovery.js';
import type { HttpResponse } from '../../src/http/types.js';
import { fakeResponse } from '../support/http-response.js';

const ISSUER = 'https://idp.example.com';

function good(): Record<string, unknown> {
  return {
    issuer: ISSUER,
    authorization_endpoint: `${ISSUER}/authorize`,
    token_endpoint: `${ISSUER}/token`,
    userinfo_endpoint: `${ISSUER}/userinfo`,
    jwks_uri: `${ISSUER}/jwks`,
    scopes_supported: ['openid', 'email'],
    response_types_supported: ['code'],
    grant_types_supported: ['authorization_code', 'refresh_token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256', 'ES256'],
    code_challenge_methods_supported: ['S256'],
    authorization_response_iss_parameter_supported: true,
  };
}

function check(checks: CheckResult[], id: string): CheckResult {
  const found = checks.find((c) => c.id === id);
  if (!found) throw new Error(`no ${id} in ${checks.map((c) => c.id).join(', ')}`);
  return found;
}

const judge = (patch: (m: Record<string, unknown>) => void, issuer = ISSUER) => {
  const metadata = good();
  patch(metadata);
  return auditDiscovery(issuer, metadata);
};

describe('auditDiscovery on a sound document', () => {
  it('passes every check', () => {
    const checks = auditDiscovery(ISSUER, good());
    // every endpoint on the issuer's host: no other host to vouch for
    expect(checks.filter((c) => c.status !== 'pass').map((c) => `${c.id} ${c.status}`)).toEqual(['discovery.endpoint_host_vouched skip']);
    expect(checks.map((c) => c.id)).toEqual(
      expect.arrayContaining([
        'discovery.issuer_match', 'discovery.issuer_url', 'discovery.required_members', 'discovery.scopes_openid', 'discovery.userinfo_endpoint',
        'discovery.https', 'discovery.endpoint_host', 'discovery.endpoint_host_vouched', 'discovery.alg_rs256', 'discovery.alg_none', 'discovery.pkce_s256', 'discovery.pkce_plain',
        'discovery.implicit_or_password', 'discovery.iss_parameter', 'discovery.response_types', 'discovery.registry_values',
      ]),
    );
  });
});

describe('auditDiscovery catches each fault', () => {
  it.each([
    ['trailing slash', `${ISSUER}/`, 'trailing slash in the document only'],
    ['scheme', 'http://idp.example.com', 'scheme https vs http'],
    ['host case', 'https://IdP.example.com', 'host case idp.example.com vs IdP.example.com'],
    ['port', 'https://idp.example.com:443', 'port (none) vs :443'],
  ])('issuer_match fails on %s and names it', (_, documentIssuer, words) => {
    const result = check(judge((m) => (m.issuer = documentIssuer)), 'discovery.issuer_match');
    expect(result.status).toBe('fail');
    expect(result.message).toContain(words);
    expect(result.message).toContain(`"${documentIssuer}"`);
  });

  it('issuer_match fails when the document has no issuer', () => {
    expect(check(judge((m) => delete m.issuer), 'discovery.issuer_match').status).toBe('fail');
  });

  it('issuer_url: http off loopback fails, query fails, loopback http passes with a note', () => {
    expect(check(judge((m) => (m.issuer = 'http://idp.example.com'), 'http://idp.example.com'), 'discovery.issuer_url').status).toBe('fail');
    expect(check(judge((m) => (m.issuer = `${ISSUER}?tenant=a`), `${ISSUER}?tenant=a`), 'discovery.issuer_url').status).toBe('fail');
    const loopback = check(judge((m) => (m.issuer = 'http://127.0.0.1:8080'), 'http://127.0.0.1:8080'), 'discovery.issuer_url');
    expect(loopback.status).toBe('pass');
    expect(loopback.message).toContain('development only');
  });

  it('required_members names every missing or mistyped member', () => {
    const result = check(judge((m) => {
      delete m.jwks_uri;
      m.subject_types_supported = 'public';
      m.token_endpoint = 'not a url';
    }), 'discovery.required_members');
    expect(result.status).toBe('fail');
    expect(result.message).toContain('jwks_uri missing');
    expect(result.message).toContain('subject_types_supported is not a non-empty array of strings');
    expect(result.message).toContain('token_endpoint is not a URL');
  });

  it('scopes_openid fails without openid, skips when scopes_supported is absent', () => {
    expect(check(judge((m) => (m.scopes_supported = ['email'])), 'discovery.scopes_openid').status).toBe('fail');
    expect(check(judge((m) => delete m.scopes_supported), 'discovery.scopes_openid').status).toBe('skip');
  });

  it('userinfo_endpoint missing warns', () => {
    expect(check(judge((m) => delete m.userinfo_endpoint), 'discovery.userinfo_endpoint').status).toBe('warn');
  });

  it('https fails on an http endpoint of an https issuer, even on loopback', () => {
    const result = check(judge((m) => (m.token_endpoint = 'http://127.0.0.1/token')), 'discovery.https');
    expect(result.status).toBe('fail');
    expect(result.message).toContain('token_endpoint http://127.0.0.1/token');
  });

  it('https passes for a loopback http issuer with loopback http endpoints', () => {
    const dev = 'http://127.0.0.1:9000';
    const result = check(judge((m) => {
      for (const name of ['issuer', 'authorization_endpoint', 'token_endpoint', 'userinfo_endpoint', 'jwks_uri']) m[name] = String(m[name]).replace(ISSUER, dev);
    }, dev), 'discovery.https');
    expect(result.status).toBe('pass');
  });

  it('endpoint_host: other hosts of an https issuer are a note that lists them, not a warning', () => {
    const result = check(judge((m) => {
      m.token_endpoint = 'https://api.idp-tokens.example/token';
      m.jwks_uri = 'https://keys.cdn.example/jwks';
    }), 'discovery.endpoint_host');
    expect(result.status).toBe('pass');
    expect(result.message).toContain('token_endpoint on api.idp-tokens.example');
    expect(result.message).toContain('jwks_uri on keys.cdn.example');
  });

  it('endpoint_host is a note in the catalogue (CHECKS.md: I) and never warns; the risky cases have their own id', () => {
    expect(checkDefinition('discovery.endpoint_host').severity).toBe('info');
    expect(checkDefinition('discovery.endpoint_host_vouched').severity).toBe('warning');
    const dev = 'http://127.0.0.1:9000';
    const documents = [
      judge((m) => (m.token_endpoint = 'https://203.0.113.7/token')),
      judge((m) => {
        for (const name of ['issuer', 'authorization_endpoint', 'userinfo_endpoint', 'jwks_uri']) m[name] = String(m[name]).replace(ISSUER, dev);
        m.token_endpoint = 'https://tokens.other.example/token';
      }, dev),
    ];
    for (const checks of documents) {
      expect(check(checks, 'discovery.endpoint_host').status).toBe('pass');
      expect(check(checks, 'discovery.endpoint_host_vouched').status).toBe('warn');
    }
  });

  it('auditDiscovery never reports a check above its catalogue severity', () => {
    const rank = { pass: 0, skip: 0, warn: 1, fail: 2 } as const;
    const allowed = { info: 0, warning: 1, error: 2 } as const;
    const documents = [
      auditDiscovery(ISSUER, good()),
      judge((m) => (m.token_endpoint = 'https://203.0.113.7/token')),
      judge((m) => (m.token_endpoint = 'http://tokens.other.example/token')),
      auditDiscovery(ISSUER, { ...good(), token_endpoint: 'https://tokens.other.example/token' }, { insecure: true }),
      judge((m) => {
        m.issuer = 'http://127.0.0.1:9000';
        m.code_challenge_methods_supported = ['plain'];
        m.id_token_signing_alg_values_supported = ['none'];
      }, 'http://127.0.0.1:9000'),
    ];
    for (const result of documents.flat()) expect({ id: result.id, over: rank[result.status] > allowed[checkDefinition(result.id).severity] }).toEqual({ id: result.id, over: false });
  });

  it('endpoint_host_vouched warns where nothing vouches for the other host: an IP literal, or a document without TLS', () => {
    const ip = check(judge((m) => (m.token_endpoint = 'https://203.0.113.7/token')), 'discovery.endpoint_host_vouched');
    expect(ip.status).toBe('warn');
    expect(ip.message).toContain('token_endpoint on 203.0.113.7: an IP address');
    const dev = 'http://127.0.0.1:9000';
    const plain = check(judge((m) => {
      for (const name of ['issuer', 'authorization_endpoint', 'userinfo_endpoint', 'jwks_uri']) m[name] = String(m[name]).replace(ISSUER, dev);
      m.token_endpoint = 'https://tokens.other.example/token';
    }, dev), 'discovery.endpoint_host_vouched');
    expect(plain.status).toBe('warn');
    expect(plain.message).toContain('over plain http');
  });

  it('endpoint_host_vouched passes for other hosts named by a document fetched over TLS with a verified certificate, skips when all are on the issuer host', () => {
    const vouched = check(judge((m) => (m.token_endpoint = 'https://api.idp-tokens.example/token')), 'discovery.endpoint_host_vouched');
    expect(vouched).toMatchObject({ status: 'pass', message: expect.stringContaining('certificate verified') });
    expect(vouched.message).toContain('token_endpoint on api.idp-tokens.example');
    expect(check(auditDiscovery(ISSUER, good()), 'discovery.endpoint_host_vouched').status).toBe('skip');
  });

  it('endpoint_host wording stays true under --insecure and for a plain http endpoint on another host', () => {
    const foreign = { ...good(), token_endpoint: 'https://api.idp-tokens.example/token' };
    // --insecure: TLS without a certificate check vouches for nothing, and no message claims it does
    const insecure = auditDiscovery(ISSUER, foreign, { insecure: true });
    const unchecked = check(insecure, 'discovery.endpoint_host_vouched');
    expect(unchecked.status).toBe('skip');
    expect(unchecked.message).toContain('--insecure');
    for (const result of insecure) expect(result.message).not.toMatch(/vouched for by|certificate verified/);
    // an http endpoint on another host: the document names it, but nothing protects the connection to it
    const http = judge((m) => (m.userinfo_endpoint = 'http://me.other.example/userinfo'));
    const named = check(http, 'discovery.endpoint_host_vouched');
    expect(named.message).toContain('userinfo_endpoint on me.other.example is plain http');
    expect(named.message).not.toMatch(/userinfo_endpoint on me\.other\.example[^;]*certificate verified/);
    expect(check(http, 'discovery.https').status).toBe('fail');
    expect(check(http, 'discovery.endpoint_host').message).toContain('userinfo_endpoint on me.other.example (plain http)');
  });

  it('an implicit-only provider may omit token_endpoint, and PKCE is skipped with the reason', () => {
    const implicitOnly = judge((m) => {
      m.response_types_supported = ['id_token', 'id_token token'];
      delete m.token_endpoint;
      delete m.code_challenge_methods_supported;
    });
    expect(check(implicitOnly, 'discovery.required_members').status).toBe('pass');
    expect(check(implicitOnly, 'discovery.required_members').message).toContain('only the implicit flow');
    expect(check(implicitOnly, 'discovery.pkce_s256')).toMatchObject({ status: 'skip', message: expect.stringContaining('no response type includes code') });
    // the implicit flow itself is still flagged by its own check
    expect(check(implicitOnly, 'discovery.implicit_or_password').status).toBe('warn');
    // with a code response type the token endpoint stays required
    const codeFlow = judge((m) => delete m.token_endpoint);
    expect(check(codeFlow, 'discovery.required_members')).toMatchObject({ status: 'fail', message: 'token_endpoint missing' });
  });

  it('response_types fails on grant types listed as response types, and passes registered combinations', () => {
    const wrong = check(judge((m) => (m.response_types_supported = ['code', 'refresh_token', 'client_credentials', 'code code'])), 'discovery.response_types');
    expect(wrong.status).toBe('fail');
    expect(wrong.message).toContain('["refresh_token","client_credentials","code code"]');
    const right = check(judge((m) => (m.response_types_supported = ['code', 'code id_token', 'id_token token code', 'none'])), 'discovery.response_types');
    expect(right.status).toBe('pass');
  });

  it('registry_values fails on values outside the algorithm and PKCE registries, naming each list and value', () => {
    const result = check(judge((m) => {
      m.code_challenge_methods_supported = ['S256', 'RS256', 'ES256'];
      m.id_token_signing_alg_values_supported = ['RS256', 'plain'];
      m.token_endpoint_auth_methods_supported = ['client_secret_basic', 'client_secret'];
      m.id_token_encryption_enc_values_supported = ['A128GCM', 'RSA-OAEP'];
    }), 'discovery.registry_values');
    expect(result.status).toBe('fail');
    expect(result.message).toContain('code_challenge_methods_supported ["RS256","ES256"]');
    expect(result.message).toContain('id_token_signing_alg_values_supported ["plain"]');
    expect(result.message).toContain('token_endpoint_auth_methods_supported ["client_secret"]');
    expect(result.message).toContain('id_token_encryption_enc_values_supported ["RSA-OAEP"]');
  });

  it('registry_values only warns on an extension in a descriptive registry (a response mode, an authentication method)', () => {
    const result = check(judge((m) => {
      m.response_modes_supported = ['query', 'web_message'];
      m.token_endpoint_auth_methods_supported = ['client_secret_basic', 'private_extension'];
      m.prompt_values_supported = ['none', 'login', 'consent', 'select_account', 'create', 'signup'];
      m.backchannel_token_delivery_modes_supported = ['poll', 'ping', 'pull'];
    }), 'discovery.registry_values');
    expect(result.status).toBe('warn');
    expect(result.message).toContain('response_modes_supported ["web_message"]');
    expect(result.message).toContain('prompt_values_supported ["signup"]');
    expect(result.message).toContain('backchannel_token_delivery_modes_supported ["pull"]');
  });

  it('an endpoint that is not a string fails discovery.https (an object where a URL belongs); null, a feature turned off, does not', () => {
    const broken = check(judge((m) => {
      m.userinfo_endpoint = { href: 'https://idp.example.com/userinfo' };
      m.introspection_endpoint = ['https://idp.example.com/introspect'];
    }), 'discovery.https');
    expect(broken.status).toBe('fail');
    expect(broken.message).toContain('userinfo_endpoint is {"href":"https://idp.example.com/userinf…, not a URL string');
    expect(broken.message).toContain('introspection_endpoint is ["https://idp.example.com/introspect"], not a URL string');
    expect(check(judge((m) => (m.revocation_endpoint = null)), 'discovery.https').status).toBe('pass');
  });

  it('registry_values accepts registered values and extension grant types named by URI', () => {
    const result = check(judge((m) => {
      m.grant_types_supported = ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code', 'urn:openid:params:grant-type:ciba'];
      m.token_endpoint_auth_methods_supported = ['private_key_jwt', 'tls_client_auth', 'none'];
      m.request_object_signing_alg_values_supported = ['none', 'RS256', 'PS256', 'EdDSA'];
      m.id_token_encryption_alg_values_supported = ['RSA-OAEP-256', 'ECDH-ES+A128KW'];
      m.response_modes_supported = ['query', 'fragment', 'form_post', 'jwt'];
    }), 'discovery.registry_values');
    expect(result.status).toBe('pass');
  });

  it('issuer_match names an upper-case scheme typed for the issuer, with the exact --issuer to pass', () => {
    const result = check(judge(() => undefined, 'HTTPS://idp.example.com'), 'discovery.issuer_match');
    expect(result.message).toContain('scheme case HTTPS vs https');
    expect(result.hint).toContain('--issuer https://idp.example.com');
  });

  it('issuer_match gives the exact --issuer to use when only the spelling differs, and none for another host', () => {
    const slash = check(judge((m) => (m.issuer = `${ISSUER}/`)), 'discovery.issuer_match');
    expect(slash.hint).toBe(`The IdP spells its issuer "${ISSUER}/": pass exactly that, --issuer ${ISSUER}/, and configure your client with the same string (every token's iss must equal it byte for byte).`);
    const elsewhere = check(judge((m) => (m.issuer = 'https://attacker.example')), 'discovery.issuer_match');
    expect(elsewhere.hint).not.toContain('--issuer');
  });

  it('issuer_match explains a multi-tenant issuer template and how to discover the tenant', () => {
    const result = check(judge((m) => (m.issuer = 'https://login.example.com/{tenantid}/v2.0'), 'https://login.example.com/common/v2.0'), 'discovery.issuer_match');
    expect(result.status).toBe('fail');
    expect(result.message).toContain('multi-tenant issuer template');
    expect(result.hint).toContain('{tenantid}');
  });

  it('alg_rs256 fails without RS256; alg_none warns on none', () => {
    expect(check(judge((m) => (m.id_token_signing_alg_values_supported = ['ES256'])), 'discovery.alg_rs256').status).toBe('fail');
    const none = check(judge((m) => (m.id_token_signing_alg_values_supported = ['RS256', 'none'])), 'discovery.alg_none');
    expect(none.status).toBe('warn');
    expect(none.message).toContain('"none"');
  });

  it('pkce_s256 warns when absent or without S256; pkce_plain notes plain', () => {
    expect(check(judge((m) => delete m.code_challenge_methods_supported), 'discovery.pkce_s256').status).toBe('warn');
    expect(check(judge((m) => (m.code_challenge_methods_supported = ['plain'])), 'discovery.pkce_s256').status).toBe('warn');
    const plain = check(judge((m) => (m.code_challenge_methods_supported = ['S256', 'plain'])), 'discovery.pkce_plain');
    // info severity: shown, but not a failure or a warning
    expect(plain.status).toBe('pass');
    expect(plain.message).toContain('"plain" is listed');
  });

  it('implicit_or_password warns on token response types and the password grant', () => {
    const result = check(judge((m) => {
      m.response_types_supported = ['code', 'id_token token'];
      m.grant_types_supported = ['password'];
    }), 'discovery.implicit_or_password');
    expect(result.status).toBe('warn');
    expect(result.message).toContain('response type "id_token token"');
    expect(result.message).toContain('grant type "password"');
    // "id_token" alone is not the implicit grant's access token
    expect(check(judge((m) => (m.response_types_supported = ['code', 'id_token'])), 'discovery.implicit_or_password').status).toBe('pass');
  });

  it('iss_parameter notes an absent RFC 9207 flag', () => {
    const result = check(judge((m) => delete m.authorization_response_iss_parameter_supported), 'discovery.iss_parameter');
    expect(result.status).toBe('pass');
    expect(result.message).toContain('absent');
  });
});

describe('describeIssuerDifference', () => {
  it('names whitespace pasted around the issuer, with or without a port', () => {
    expect(describeIssuerDifference('https://idp.example.com ', 'https://idp.example.com')).toBe('whitespace around the issuer given (pasted with the URL?)');
    expect(describeIssuerDifference('http://127.0.0.1:8080\n', 'http://127.0.0.1:8080')).toBe('whitespace around the issuer given (pasted with the URL?)');
    expect(describeIssuerDifference('https://idp.example.com', 'https://idp.example.com ')).toBe('whitespace around the issuer in the document');
  });

  it('explains several differences at once', () => {
    expect(describeIssuerDifference('https://idp.example.com/t', 'http://IDP.example.com:8443/t/')).toBe(
      'scheme https vs http, host case idp.example.com vs IDP.example.com, port (none) vs :8443, trailing slash in the document only',
    );
  });
});

describe('discoveryUrls', () => {
  it('appends the OIDC suffix and inserts the RFC 8414 one before the path', () => {
    expect(discoveryUrls('https://idp.example.com')).toEqual({
      openid: 'https://idp.example.com/.well-known/openid-configuration',
      oauth: 'https://idp.example.com/.well-known/oauth-authorization-server',
    });
    expect(discoveryUrls('https://idp.example.com/tenant/a/')).toEqual({
      openid: 'https://idp.example.com/tenant/a/.well-known/openid-configuration',
      oauth: 'https://idp.example.com/.well-known/oauth-authorization-server/tenant/a',
    });
  });

  it('refuses a non-URL issuer with a usage error', () => {
    expect(() => discoveryUrls('idp.example.com')).toThrow(expect.objectContaining({ code: 'USAGE' }));
  });
});

function response(status: number, body: string, headers: Record<string, string> = {}): HttpResponse {
  return fakeResponse({ url: `${ISSUER}/.well-known/openid-configuration`, status, body, headers });
}

describe('processDiscoveryResponse', () => {
  it('classifies document, redirect, missing and invalid answers', () => {
    expect(processDiscoveryResponse(response(200, '{"issuer":"x"}'))).toEqual({ kind: 'document', metadata: { issuer: 'x' } });
    expect(processDiscoveryResponse(response(302, '', { location: 'https://elsewhere/' }))).toEqual({ kind: 'redirect', location: 'https://elsewhere/' });
    expect(processDiscoveryResponse(response(404, 'nope'))).toEqual({ kind: 'missing', status: 404 });
    expect(processDiscoveryResponse(response(200, '[1]'))).toMatchObject({ kind: 'invalid' });
  });

  it('throws PROTOCOL for a 200 that is not JSON', () => {
    expect(() => processDiscoveryResponse(response(200, '<html>'))).toThrow(expect.objectContaining({ code: 'PROTOCOL' }));
  });
});

describe('parseIssuer', () => {
  it('a metadata URL pasted as --issuer is a usage error that names the issuer it stands for', () => {
    expect(() => discoveryUrls('https://idp.example.com/realms/x/.well-known/openid-configuration')).toThrow(/is the metadata document's URL, not the issuer/);
    const error = (() => {
      try {
        discoveryUrls('https://idp.example.com/.well-known/oauth-authorization-server/tenant');
      } catch (caught) {
        return caught as { hint?: string; exitCode?: number };
      }
      return undefined;
    })();
    expect(error).toMatchObject({ exitCode: 2, hint: 'pass the issuer itself: --issuer https://idp.example.com/tenant (the document is found from it)' });
    expect(discoveryUrls('https://idp.example.com/realms/x').openid).toBe('https://idp.example.com/realms/x/.well-known/openid-configuration');
  });
});

describe('huge lists from the IdP', () => {
  it('a document of 100 000-entry arrays is audited in linear time, each message one short line', () => {
    const many = (make: (i: number) => string) => Array.from({ length: 100_000 }, (_, i) => make(i));
    const metadata = { ...good(), id_token_signing_alg_values_supported: many((i) => `X${i}`), response_types_supported: many(() => 'code token'), scopes_supported: many((i) => `s${i}`) };
    const started = performance.now();
    const checks = auditDiscovery(ISSUER, metadata);
    // Not a speed target (those are in npm run bench): quadratic work over 100 000 entries takes minutes,
    // linear work well under a second, so 10 s tells them apart even on a loaded CI machine.
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(check(checks, 'discovery.alg_rs256').message).toMatch(/^RS256 missing from id_token_signing_alg_values_supported \["X0","X1",.*,… and 99990 more\]$/);
    for (const result of checks) expect(result.message.length, result.id).toBeLessThan(600);
  });
});
