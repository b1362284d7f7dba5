import { calculateJwkThumbprint, type JWK } from 'jose';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { soundJwks, startBadIdp, type BadIdp } from '../support/bad-idp.js';
import { hasStackTrace, runCli } from '../support/cli.js';

/** `jwks` through the real binary: from an issuer, a URL, a file; one key fault per test. */
const CLEAN_ENV = { HTTP_PROXY: undefined, HTTPS_PROXY: undefined, http_proxy: undefined, https_proxy: undefined, OIDC_ISSUER: undefined };
const run = (args: string[], env: Record<string, string | undefined> = {}) => runCli(args, { env: { ...CLEAN_ENV, ...env } });

type Check = { id: string; status: string; message: string };
const byId = (json: { checks: Check[] }, id: string): Check => {
  const found = json.checks.find((c) => c.id === id);
  if (!found) throw new Error(`no check ${id}`);
  return found;
};

let idp: BadIdp;
let dir: string;
beforeAll(async () => {
  idp = await startBadIdp();
  dir = mkdtempSync(join(tmpdir(), 'oidc-cli-jwks-'));
});
afterAll(async () => {
  await idp.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('jwks lists the keys', () => {
  it('as a table with kid, kty, alg, use, size and the RFC 7638 thumbprint', async () => {
    idp.setFaults();
    const result = await run(['jwks', '--issuer', idp.issuer]);
    expect(result.code).toBe(0);
    const [rsa, ec] = soundJwks().keys as [JWK, JWK];
    const header = result.stdout.split('\n').find((line) => line.includes('thumbprint'));
    expect(header).toMatch(/kid\s+kty\s+alg\s+use\s+size\/curve\s+thumbprint/);
    expect(result.stdout).toMatch(new RegExp(`rsa-1\\s+RSA\\s+RS256\\s+sig\\s+2048 bits\\s+${await calculateJwkThumbprint(rsa)}`));
    expect(result.stdout).toMatch(new RegExp(`ec-1\\s+EC\\s+ES256\\s+sig\\s+P-256\\s+${await calculateJwkThumbprint(ec)}`));
  });

  it('--json gives keys and checks; --jwks-uri reads the set directly', async () => {
    idp.setFaults();
    const result = await run(['jwks', '--jwks-uri', `${idp.issuer}/jwks`, '--json']);
    expect(result.code).toBe(0);
    const json = result.json();
    expect(json).toMatchObject({ command: 'jwks', ok: true, source: `jwks_uri ${idp.issuer}/jwks` });
    expect(json.keys[0]).toMatchObject({ kid: 'rsa-1', kty: 'RSA', alg: 'RS256', use: 'sig', size: '2048 bits', jwk: { kid: 'rsa-1', e: 'AQAB' } });
    expect(json.checks.filter((c: Check) => c.status === 'fail' || c.status === 'warn')).toEqual([]);
    // --jwks-uri needs no discovery at all
    expect(idp.requests.at(-1)).toBe('/jwks');
  });
});

describe('jwks catches each fault of the key set', () => {
  it.each([
    ['private_key', 'jwks.private_material', 'fail', 1, 'kid "rsa-1": publishes d, p, q, dp, dq, qi (private key material)'],
    ['symmetric_key', 'jwks.private_material', 'fail', 1, 'kid "hmac-1": publishes k (a symmetric secret)'],
    ['rsa_1024', 'jwks.rsa_size', 'fail', 1, 'kid "rsa-weak": n has 1024 bits (minimum 2048)'],
    ['duplicate_kid', 'jwks.duplicate_kid', 'fail', 1, 'kid repeated with the same kty/alg'],
    ['missing_kid', 'jwks.missing_kid', 'warn', 0, '2 of 2 keys have no kid'],
    ['use_key_ops', 'jwks.use_key_ops', 'fail', 1, 'use "sig" but key_ops ["encrypt"]'],
    ['crv_mismatch', 'jwks.crv_alg', 'fail', 1, 'alg ES384 needs crv P-384, not P-256'],
    ['jwks_redirect', 'jwks.document', 'fail', 1, 'answered 301 with a redirect to'],
  ] as const)('%s → %s %s', async (fault, id, status, code, words) => {
    idp.setFaults(fault);
    const result = await run(['jwks', '--issuer', idp.issuer, '--json']);
    expect(result.code).toBe(code);
    const check = byId(result.json(), id);
    expect(check.status).toBe(status);
    expect(check.message).toContain(words);
    const human = await run(['jwks', '--issuer', idp.issuer]);
    expect(human.stdout).toContain(`${status === 'fail' ? '✖' : '!'} ${id}`);
    expect(human.stdout).toContain(words);
  });

  it('redacts published private members in --json unless --show-tokens', async () => {
    idp.setFaults('private_key');
    const hidden = (await run(['jwks', '--issuer', idp.issuer, '--json'])).json();
    expect(hidden.keys[0].jwk.d).toBe('[redacted]');
    const shown = (await run(['--show-tokens', 'jwks', '--issuer', idp.issuer, '--json'])).json();
    expect(shown.keys[0].jwk.d).toMatch(/^[A-Za-z0-9_-]{100,}$/);
  });

  it('a JWKS that is not JSON exits 3 with one line', async () => {
    idp.setFaults('jwks_not_json');
    const result = await run(['jwks', '--issuer', idp.issuer]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`${idp.issuer}/jwks answered 200 with text/plain, not JSON`);
    expect(hasStackTrace(result.stderr)).toBe(false);
  });

  it('an issuer whose discovery is broken exits 3 naming it', async () => {
    idp.setFaults('redirect');
    const result = await run(['jwks', '--issuer', idp.issuer]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('discovery failed');
  });
});

describe('jwks --file', () => {
  it('audits a local set with no network', async () => {
    const file = join(dir, 'keys.json');
    const set = soundJwks();
    set.keys.push({ ...set.keys[0], kid: 'rsa-1' });
    writeFileSync(file, JSON.stringify(set));
    const result = await run(['jwks', '--file', file, '--json']);
    expect(result.code).toBe(1);
    expect(result.json().source).toBe(`file ${file}`);
    expect(byId(result.json(), 'jwks.duplicate_kid').status).toBe('fail');
  });

  it('accepts a single JWK', async () => {
    const file = join(dir, 'one.json');
    writeFileSync(file, JSON.stringify(soundJwks().keys[1]));
    const result = await run(['jwks', '--file', file, '--json']);
    expect(result.code).toBe(0);
    expect(result.json().keys).toHaveLength(1);
  });

  it('a file that is not JSON, or missing, exits 2', async () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, 'not json');
    const bad = await run(['jwks', '--file', file]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`--file ${file} is not JSON`);
    const missing = await run(['jwks', '--file', join(dir, 'nope.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cannot read --file');
  });

  it('needs exactly one source (exit 2); OIDC_ISSUER yields to --file', async () => {
    expect((await run(['jwks'])).code).toBe(2);
    expect((await run(['jwks', '--file', 'a.json', '--jwks-uri', 'https://x/jwks'])).stderr).toContain('give only one of');
    const file = join(dir, 'env.json');
    writeFileSync(file, JSON.stringify(soundJwks()));
    expect((await run(['jwks', '--file', file], { OIDC_ISSUER: 'https://idp.example.com' })).code).toBe(0);
  });
});
