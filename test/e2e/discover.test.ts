import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LEAKY_SECRET, startBadIdp, type BadIdp } from '../support/bad-idp.js';
import { hasStackTrace, runCli } from '../support/cli.js';
import { makeCertificate, type TestCertificate } from '../support/tls.js';

/**
 * `discover` through the real binary against a misbehaving IdP on loopback: one fault per test, each
 * asserting the exit code, the exact check id and that the output names the problem.
 */
const NO_PROXY_ENV = { HTTP_PROXY: undefined, HTTPS_PROXY: undefined, http_proxy: undefined, https_proxy: undefined, NODE_EXTRA_CA_CERTS: undefined, OIDC_ISSUER: undefined };
const run = (args: string[], env: Record<string, string | undefined> = {}) => runCli(args, { env: { ...NO_PROXY_ENV, ...env } });

type Check = { id: string; status: string; message: string; hint?: string };
const byId = (json: { checks: Check[] }, id: string): Check => {
  const found = json.checks.find((c) => c.id === id);
  if (!found) throw new Error(`no check ${id}`);
  return found;
};

let idp: BadIdp;
beforeAll(async () => {
  idp = await startBadIdp();
});
afterAll(async () => idp.close());

describe('discover against a sound IdP', () => {
  it('exits 0 with metadata, keys and passing checks', async () => {
    idp.setFaults();
    const result = await run(['discover', '--issuer', idp.issuer, '--json']);
    expect(result.code).toBe(0);
    const json = result.json();
    expect(json).toMatchObject({ command: 'discover', ok: true, used_fallback: false, metadata: { issuer: idp.issuer, jwks_uri: `${idp.issuer}/jwks` } });
    expect(json.keys.map((k: { kid: string }) => k.kid)).toEqual(['rsa-1', 'ec-1']);
    expect(json.checks.filter((c: Check) => c.status === 'fail' || c.status === 'warn')).toEqual([]);
  });

  it('prints a human report with sections and checks', async () => {
    idp.setFaults();
    const result = await run(['discover', '--issuer', idp.issuer]);
    expect(result.code).toBe(0);
    for (const heading of ['Issuer', 'Endpoints', 'Capabilities', 'Keys', 'Checks']) expect(result.stdout).toMatch(new RegExp(`^${heading}`, 'm'));
    expect(result.stdout).toContain('✔ discovery.issuer_match');
    expect(result.stdout).toMatch(/^OK {2}\d+ passed, 0 failed/m);
    expect(result.stderr).toContain('→ Discovery for');
  });
});

describe('discover catches each fault of the document', () => {
  it.each([
    ['issuer_mismatch', 'discovery.issuer_match', 'fail', 1, 'trailing slash in the document only'],
    ['missing_required', 'discovery.required_members', 'fail', 1, 'jwks_uri missing; subject_types_supported missing'],
    ['alg_none', 'discovery.alg_none', 'warn', 0, 'lists "none"'],
    ['no_s256', 'discovery.pkce_s256', 'warn', 0, 'without "S256"'],
    ['implicit', 'discovery.implicit_or_password', 'warn', 0, 'grant type "password"'],
    ['foreign_host', 'discovery.endpoint_host_vouched', 'warn', 0, 'token_endpoint on tokens.elsewhere.example'],
    ['no_openid_config', 'discovery.fallback', 'warn', 0, 'used the RFC 8414 metadata'],
    ['redirect', 'discovery.redirect', 'fail', 1, '302 with a redirect to'],
    ['private_key', 'jwks.private_material', 'fail', 1, 'publishes d, p, q, dp, dq, qi'],
  ] as const)('%s → %s %s', async (fault, id, status, code, words) => {
    idp.setFaults(fault);
    const result = await run(['discover', '--issuer', idp.issuer, '--json']);
    expect(result.code).toBe(code);
    const check = byId(result.json(), id);
    expect(check.status).toBe(status);
    expect(check.message).toContain(words);
    // and the human report names it too
    const human = await run(['discover', '--issuer', idp.issuer]);
    expect(human.stdout).toContain(`${status === 'fail' ? '✖' : '!'} ${id}`);
    expect(human.stdout).toContain(words);
  });

  it('without a document every other check id is still reported, as a skip', async () => {
    idp.setFaults('redirect');
    const json = (await run(['discover', '--issuer', idp.issuer, '--json'])).json();
    // the same-origin redirect is followed, and its target answers 404
    expect(json.checks.filter((c: Check) => c.status !== 'skip').map((c: Check) => c.id)).toEqual(['discovery.redirect', 'discovery.document']);
    expect(byId(json, 'discovery.document').message).toContain('/elsewhere/.well-known/openid-configuration answered 404');
    expect(json.checks.map((c: Check) => c.id)).toEqual(expect.arrayContaining(['discovery.issuer_match', 'discovery.pkce_s256', 'jwks.document']));
  });

  it('a same-origin redirect to a trailing slash: discovery.redirect fails, and the rest is judged (exit 1, full report)', async () => {
    idp.setFaults('redirect_slash');
    const result = await run(['discover', '--issuer', idp.issuer, '--json']);
    expect(result.code, result.stderr).toBe(1);
    const json = result.json();
    expect(json.checks.filter((c: Check) => c.status === 'fail').map((c: Check) => c.id)).toEqual(['discovery.redirect']);
    expect(byId(json, 'discovery.redirect').message).toContain('answered 301 with a redirect to /.well-known/openid-configuration/');
    expect(byId(json, 'discovery.redirect').message).toContain('followed on the same origin');
    expect(byId(json, 'discovery.issuer_match').status).toBe('pass');
    expect(byId(json, 'jwks.document').status).toBe('pass');
  });

  it('a redirect to another origin is never followed', async () => {
    idp.setFaults('redirect_cross_origin');
    const result = await run(['discover', '--issuer', idp.issuer, '--json']);
    expect(result.code).toBe(1);
    const json = result.json();
    expect(byId(json, 'discovery.redirect').message).toContain('not followed: another origin');
    expect(byId(json, 'discovery.issuer_match').status).toBe('skip');
  });

  it('warnings fail the run under --strict', async () => {
    idp.setFaults('alg_none');
    expect((await run(['--strict', 'discover', '--issuer', idp.issuer])).code).toBe(1);
  });

  it('missing members: the JWKS is not fetched and says why', async () => {
    idp.setFaults('missing_required');
    const json = (await run(['discover', '--issuer', idp.issuer, '--json'])).json();
    expect(byId(json, 'jwks.document')).toMatchObject({ status: 'skip', message: 'the metadata has no usable jwks_uri' });
  });
});

describe('discover: transport faults exit 3 with one line', () => {
  it.each([
    ['not_json', [], 'answered 200 with text/html, not JSON'],
    ['huge_body', [], 'larger than the 1 MiB limit'],
    ['stalled_body', ['--timeout', '1'], 'timed out after 1s waiting for the rest of the response body'],
  ] as const)('%s', async (fault, extra, words) => {
    idp.setFaults(fault);
    const result = await run([...extra, 'discover', '--issuer', idp.issuer]);
    expect(result.code).toBe(3);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(words);
    expect(hasStackTrace(result.stderr)).toBe(false);
  });

  it('a JWKS that is not JSON is reported as a failed jwks.document, after the metadata', async () => {
    idp.setFaults('jwks_not_json');
    const result = await run(['discover', '--issuer', idp.issuer, '--json']);
    expect(result.code).toBe(1);
    expect(byId(result.json(), 'jwks.document').message).toContain('answered 200 with text/plain, not JSON');
  });
});

describe('discover: usage', () => {
  it('refuses plain http off loopback with a hint (exit 2)', async () => {
    const result = await run(['discover', '--issuer', 'http://idp.example.com']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('refusing plain http to idp.example.com');
    expect(result.stderr).toContain('--insecure');
  });

  it('needs --issuer (exit 2)', async () => {
    const result = await run(['discover']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('discover needs --issuer');
  });

  it('a refused connection exits 3 and names the host', async () => {
    const closed = await startBadIdp();
    await closed.close();
    const result = await run(['discover', '--issuer', closed.issuer]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`connection refused by 127.0.0.1:${closed.port}`);
  });
});

describe('discover over TLS with a self-signed certificate', () => {
  let cert: TestCertificate;
  let tlsIdp: BadIdp;
  beforeAll(async () => {
    cert = await makeCertificate();
    tlsIdp = await startBadIdp({ tls: cert });
  });
  afterAll(async () => {
    await tlsIdp.close();
    cert.cleanup();
  });

  it('fails with exit 3 and the --ca-file hint', async () => {
    tlsIdp.setFaults();
    const result = await run(['discover', '--issuer', tlsIdp.issuer]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('is not trusted');
    expect(result.stderr).toContain('hint: trust the CA that issued it with --ca-file');
  });

  it('passes with --ca-file, and with NODE_EXTRA_CA_CERTS', async () => {
    tlsIdp.setFaults();
    expect((await run(['--ca-file', cert.caFile, 'discover', '--issuer', tlsIdp.issuer])).code).toBe(0);
    expect((await run(['discover', '--issuer', tlsIdp.issuer], { NODE_EXTRA_CA_CERTS: cert.caFile })).code).toBe(0);
  });

  it('--insecure passes and warns on stderr', async () => {
    tlsIdp.setFaults();
    const result = await run(['--insecure', 'discover', '--issuer', tlsIdp.issuer]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('warning: --insecure: TLS certificates are NOT verified');
  });

  it('http endpoints on an https issuer fail discovery.https', async () => {
    tlsIdp.setFaults('http_endpoints');
    const result = await run(['--ca-file', cert.caFile, 'discover', '--issuer', tlsIdp.issuer, '--json']);
    expect(result.code).toBe(1);
    const check = byId(result.json(), 'discovery.https');
    expect(check.status).toBe('fail');
    expect(check.message).toContain(`token_endpoint http://127.0.0.1:${tlsIdp.port}/token`);
  });
});

describe('discover -vv never shows secrets', () => {
  it('masks the cookie and a leaked token in traces and in the report', async () => {
    idp.setFaults('leaky');
    for (const format of [['--json'], []]) {
      const result = await run(['-vv', 'discover', '--issuer', idp.issuer, ...format]);
      expect(result.code).toBe(0);
      expect(result.stderr).toContain('> GET ');
      expect(result.stderr).toContain('< set-cookie: [redacted]');
      expect(result.stderr).toContain('"access_token": "[redacted]"');
      for (const secret of Object.values(LEAKY_SECRET)) {
        expect(result.stderr).not.toContain(secret);
        expect(result.stdout).not.toContain(secret);
      }
    }
  });
});
