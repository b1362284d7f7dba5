// JAR (RFC 9101) and JARM through the binary, where the binary is the point: the exit codes, the JSON
// document, and that the response JWT and the code inside it never reach stdout or stderr in full. The
// flows themselves, their faults and the probe are in-process: test/unit/flows/jar-jarm.test.ts.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasStackTrace, runCli } from '../support/cli.js';
import { BROWSER_SCRIPT } from '../support/idp-flow.js';
import { startIdp, type Idp } from '../support/idp.js';

let idp: Idp;
let dir: string;
beforeAll(async () => {
  idp = await startIdp({ requestObjects: true, jwtResponseModes: true });
  dir = await mkdtemp(join(tmpdir(), 'oidc-jar-'));
  await writeFile(join(dir, 'client.jwk'), JSON.stringify(idp.clients.privateKeyJwt.privateJwk), { mode: 0o600 });
});
afterAll(async () => {
  await idp?.close();
  await rm(dir, { recursive: true, force: true });
});

const env = () => ({ XDG_CACHE_HOME: join(dir, 'cache'), XDG_CONFIG_HOME: join(dir, 'config'), BROWSER: undefined, OIDC_CLIENT_SECRET: undefined, OIDC_ISSUER: undefined, OIDC_CLIENT_ID: undefined });
const login = (extra: string[]) => runCli(['login', '--issuer', idp.issuer, '--browser-command', `node ${BROWSER_SCRIPT}`, '--timeout', '30', ...extra], { env: env(), timeoutMs: 60_000 });

describe('login --request-object --response-mode jwt', () => {
  it('a signed request and a signed response: exit 0, jar.* and jarm.* pass, the response JWT and its code masked everywhere', async () => {
    const result = await login(['--client-id', idp.clients.privateKeyJwt.client_id, '--private-key', join(dir, 'client.jwk'), '--request-object', '--response-mode', 'jwt', '--json']);
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout) as { checks: Array<{ id: string; status: string }>; callback: { response: string }; jarm_response: { verified: boolean; claims: Record<string, string> } };
    expect(doc.checks.filter((c) => /^jarm?\./.test(c.id)).map((c) => c.status)).toEqual(Array(10).fill('pass'));
    expect(doc.callback.response).toMatch(/^eyJhbG…\[redacted \d+ chars\]$/);
    expect(doc.jarm_response).toMatchObject({ verified: true, claims: { iss: idp.issuer, code: expect.stringMatching(/…\[redacted \d+ chars\]$/) } });
    // The only whole JWT in either stream is the request object (in the authorization URL a person may
    // have to open): no response JWT, no ID token, nothing else.
    const jwts = `${result.stdout}\n${result.stderr}`.match(/eyJ[\w-]{10,}\.[\w-]{10,}\.[\w-]{10,}/g) ?? [];
    expect(jwts.length).toBeGreaterThan(0);
    for (const jwt of jwts) expect(JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString())).toMatchObject({ typ: 'oauth-authz-req+jwt' });
  }, 90_000);

  it('fragment.jwt: a usage error (exit 2) that says why, before any request', async () => {
    const result = await login(['--client-id', idp.clients.public.client_id, '--response-mode', 'fragment.jwt']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--response-mode fragment.jwt cannot reach a loopback listener: a browser never sends the URL fragment to a server');
    expect(hasStackTrace(result.stderr)).toBe(false);
  });

  it('--request-object without a key: a usage error (exit 2) naming the flags that give one', async () => {
    const result = await login(['--client-id', idp.clients.public.client_id, '--request-object']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--request-object needs a key to sign with');
    expect(result.stderr).toContain('--request-object-key FILE');
  });
});
