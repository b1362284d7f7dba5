import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyClientAuth, basicAuthorization, formUrlEncode, loadPrivateKey } from '../../src/core/client-auth.js';
import { CliError } from '../../src/errors.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oidc-cli-client-auth-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('client_secret_basic (RFC 6749 §2.3.1)', () => {
  it('form-urlencodes client_id and secret before the Basic encoding', () => {
    expect(formUrlEncode('a b+c:d/é~*')).toBe('a+b%2Bc%3Ad%2F%C3%A9%7E*');
    const header = basicAuthorization('my client', 'p@ss:w+rd');
    expect(header).toBe(`Basic ${Buffer.from('my+client:p%40ss%3Aw%2Brd').toString('base64')}`);
    // The colon that separates id and secret is the only raw one: a server splits on it safely.
    const decoded = Buffer.from(header.slice(6), 'base64').toString();
    expect(decoded.split(':')).toHaveLength(2);
    const [id, secret] = decoded.split(':').map((part) => new URLSearchParams(`x=${part}`).get('x'));
    expect([id, secret]).toEqual(['my client', 'p@ss:w+rd']);
  });

  it('sends the header and nothing in the form; post sends both in the form; none only client_id', async () => {
    const basic = new URLSearchParams([['grant_type', 'x']]);
    expect((await applyClientAuth({ client_id: 'c', method: 'client_secret_basic', client_secret: 's3cr3t' }, basic, 'aud')).headers.authorization).toMatch(/^Basic /);
    expect([...basic.keys()]).toEqual(['grant_type']);
    const post = new URLSearchParams();
    const applied = await applyClientAuth({ client_id: 'c', method: 'client_secret_post', client_secret: 's3cr3t' }, post, 'aud');
    expect(Object.fromEntries(post)).toEqual({ client_id: 'c', client_secret: 's3cr3t' });
    expect(applied).toEqual({ headers: {}, secrets: ['s3cr3t'] });
    const none = new URLSearchParams();
    await applyClientAuth({ client_id: 'c', method: 'none' }, none, 'aud');
    expect(Object.fromEntries(none)).toEqual({ client_id: 'c' });
  });

  it('refuses a secret method without a secret (usage error)', async () => {
    await expect(applyClientAuth({ client_id: 'c', method: 'client_secret_basic' }, new URLSearchParams(), 'a')).rejects.toThrow(/needs a client secret/);
  });
});

describe('private_key_jwt (RFC 7523, OIDC Core §9)', () => {
  it('signs a 60-second assertion with iss = sub = client_id and aud = the endpoint', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = join(dir, 'rsa.pem');
    await writeFile(pem, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const key = await loadPrivateKey(pem);
    expect(key.alg).toBe('RS256');
    const form = new URLSearchParams();
    await applyClientAuth({ client_id: 'cli-jwt', method: 'private_key_jwt', privateKey: key }, form, 'https://idp.example.com/token');
    expect(form.get('client_assertion_type')).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    const { payload } = await jwtVerify(form.get('client_assertion')!, publicKey, { issuer: 'cli-jwt', subject: 'cli-jwt', audience: 'https://idp.example.com/token' });
    expect(payload.exp! - payload.iat!).toBe(60);
    expect(typeof payload.jti).toBe('string');
  });

  it('reads EC PEM keys (ES256) and JWKs with their kid and alg', async () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = join(dir, 'ec.pem');
    await writeFile(pem, ec.privateKey.export({ type: 'sec1', format: 'pem' }));
    expect((await loadPrivateKey(pem)).alg).toBe('ES256');
    const jwkFile = join(dir, 'key.jwk');
    await writeFile(jwkFile, JSON.stringify({ ...ec.privateKey.export({ format: 'jwk' }), kid: 'k-1' }));
    const key = await loadPrivateKey(jwkFile);
    expect([key.alg, key.kid]).toEqual(['ES256', 'k-1']);
    const form = new URLSearchParams();
    await applyClientAuth({ client_id: 'c', method: 'private_key_jwt', privateKey: key }, form, 'aud');
    expect(decodeProtectedHeader(form.get('client_assertion')!)).toMatchObject({ alg: 'ES256', kid: 'k-1' });
    await jwtVerify(form.get('client_assertion')!, ec.publicKey, { audience: 'aud' });
  });

  it('a missing file, a public key or garbage is an input error (exit 2), not a stack trace', async () => {
    const garbage = join(dir, 'garbage.pem');
    await writeFile(garbage, 'not a key');
    const pub = join(dir, 'pub.jwk');
    await writeFile(pub, JSON.stringify(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' })));
    for (const file of [join(dir, 'missing.pem'), garbage, pub]) {
      const error = await loadPrivateKey(file).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CliError);
      expect((error as CliError).exitCode).toBe(2);
    }
  });
});
