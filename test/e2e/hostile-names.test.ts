// Names are values too (issue: "No internal error from anything a server sends"). A header alg, a
// JWK's kty or crv, a metadata value, a profile name: looked up in a table of known names, "constructor",
// "__proto__" or "toString" must not find Object.prototype's members instead of nothing. And a key set
// of 200 000 empty keys must not overflow the stack where its table is drawn. Each is a judged
// check (exit 1) or one clear error line, never "internal error", always through the real binary.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startBadIdp, type BadIdp } from '../support/bad-idp.js';
import { hasStackTrace, runCli, type CliOptions, type CliResult } from '../support/cli.js';
import { startBadLifecycleIdp, type BadLifecycleIdp, type LifecycleFaults } from '../support/lifecycle-bad-idp.js';
import { startScriptedIdp } from '../support/scripted-idp.js';
import { b64u, goodClaims, mint, nowSeconds, rsaKey } from '../support/tokens.js';

/** Members every plain object inherits: a lookup `TABLE[name]` finds them unless it asks for own members only. */
const PROTO_NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'] as const;
const BROWSER = 'node dist/test/support/scripted-idp.js browse';
/**
 * 200 000 × `{},` (600 KiB): past what a spread into one call can take (Math.max(...rows) overflowed the
 * stack at 130 000 already on Node 20; the tester's set was 333 000), at about half the cost of a 1 MiB set.
 */
const EMPTY_KEYS = 200_000;

type Check = { id: string; status: string; message: string };
const key = rsaKey('rsa-1');
let dir: string;
let badIdp: BadIdp;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oidc-cli-names-'));
  badIdp = await startBadIdp();
});
afterAll(async () => {
  await badIdp.close();
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => {
  badIdp.patchJwks(undefined);
  badIdp.patchMetadata(undefined);
});

/** Runs the CLI and asserts what holds for every input here: no internal error, no stack trace, a documented exit code. */
async function run(args: string[], options: CliOptions = {}): Promise<CliResult> {
  const result = await runCli(args, options);
  expect(result.stderr).not.toMatch(/internal error/);
  expect(hasStackTrace(result.stderr)).toBe(false);
  expect([0, 1, 2, 3], result.stderr).toContain(result.code);
  return result;
}

const checksOf = (result: CliResult) => result.json<{ checks: Check[] }>().checks;
const check = (result: CliResult, id: string) => checksOf(result).find((c) => c.id === id);
const failed = (result: CliResult) => checksOf(result).filter((c) => c.status === 'fail').map((c) => c.id);

let files = 0;
async function file(content: unknown): Promise<string> {
  const path = join(dir, `f${(files += 1)}.json`);
  await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

describe('decode: a header alg naming a prototype member is an unknown algorithm', () => {
  it.each(PROTO_NAMES)('alg %s fails jwt.alg and verifies nothing: exit 1', async (alg) => {
    const keys = await file({ keys: [key.jwk] });
    const token = mint({ ...goodClaims(), at_hash: 'xyz', c_hash: 'abc' }, key, { alg, kid: 'rsa-1' });
    const result = await run(['decode', '--json', '--jwks', keys, token]);
    expect(result.code).toBe(1);
    expect(check(result, 'jwt.alg')).toMatchObject({ status: 'fail', message: expect.stringMatching(/is not a JWS signature algorithm/) });
    expect(check(result, 'jwt.signature')?.status).toBe('fail');
    expect(result.json().signature.verified).toBe(false);
  });

  it('the human report of alg "constructor" with --secret says so too', async () => {
    const token = mint(goodClaims(), key, { alg: 'constructor' });
    const result = await run(['decode', '--secret', 'a'.repeat(64), token]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/✖ jwt\.alg\s+alg "constructor" is not a JWS signature algorithm/);
  });
});

describe('keys whose kty or crv names a prototype member fail jwks.key_shape and are never used', () => {
  it.each(PROTO_NAMES)('jwks --file with kty %s: jwks.key_shape and jwks.signing_key fail, exit 1', async (kty) => {
    const keys = await file({ keys: [{ kty, kid: 'evil' }] });
    const result = await run(['jwks', '--json', '--file', keys]);
    expect(result.code).toBe(1);
    expect(check(result, 'jwks.key_shape')).toMatchObject({ status: 'fail', message: expect.stringContaining(`kty "${kty}"`) });
    expect(check(result, 'jwks.signing_key')?.status).toBe('fail');
    expect(result.json().keys).toEqual([expect.objectContaining({ kty, thumbprint: null })]);
  });

  it('the human table of such a set renders: exit 1, "(malformed key)"', async () => {
    const keys = await file({ keys: PROTO_NAMES.map((kty) => ({ kty, kid: kty, crv: kty, n: 'AQAB', e: 'AQAB', k: 'AQAB' })) });
    const result = await run(['jwks', '--file', keys]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/hasOwnProperty\s+hasOwnProperty\s+-\s+-\s+hasOwnProperty\s+\(malformed key\)/);
  });

  it.each([
    ['EC', 'constructor'],
    ['EC', '__proto__'],
    ['OKP', 'toString'],
    ['OKP', 'hasOwnProperty'],
  ])('a %s key with crv %s fails jwks.key_shape: exit 1', async (kty, crv) => {
    const keys = await file({ keys: [key.jwk, { kty, crv, kid: 'odd', x: 'AAAA', y: 'AAAA' }] });
    const result = await run(['jwks', '--json', '--file', keys]);
    expect(result.code).toBe(1);
    expect(check(result, 'jwks.key_shape')).toMatchObject({ status: 'fail', message: expect.stringContaining(`crv "${crv}" is not a ${kty} curve`) });
  });

  it('decode --jwks FILE: the sound key verifies, a kid that only such a key carries fails jwt.key', async () => {
    const keys = await file({ keys: [{ kty: 'constructor', kid: 'rsa-1' }, key.jwk, { kty: 'toString', kid: 'evil', n: key.jwk.n, e: key.jwk.e }] });
    const sound = await run(['decode', '--json', '--jwks', keys, mint(goodClaims(), key)]);
    expect(check(sound, 'jwt.signature')?.status).toBe('pass');
    const evil = await run(['decode', '--json', '--jwks', keys, mint(goodClaims(), key, { kid: 'evil' })]);
    expect(evil.code).toBe(1);
    expect(check(evil, 'jwt.key')).toMatchObject({ status: 'fail', message: expect.stringContaining('no RSA key with kid "evil"') });
  });

  it('discover: a jwks_uri serving them beside sound keys fails jwks.key_shape, lists every key, exit 1', async () => {
    badIdp.patchJwks((jwks) => ({ keys: [...jwks.keys, ...PROTO_NAMES.map((kty) => ({ kty, kid: `evil-${kty}` }))] }));
    const result = await run(['discover', '--json', '--issuer', badIdp.issuer]);
    expect(result.code).toBe(1);
    expect(failed(result)).toEqual(['jwks.key_shape']);
    const keys = result.json<{ keys: Array<{ kid: string; thumbprint: string | null }> }>().keys;
    expect(keys.map((k) => [k.kid, k.thumbprint === null])).toEqual([['rsa-1', false], ['ec-1', false], ...PROTO_NAMES.map((kty) => [`evil-${kty}`, true])]);
    const human = await run(['discover', '--issuer', badIdp.issuer]);
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/✖ jwks\.key_shape/);
  });

  it('discover: metadata values naming prototype members are values outside their registry, judged: exit 1', async () => {
    badIdp.patchMetadata((metadata) => ({
      ...metadata,
      id_token_signing_alg_values_supported: ['RS256', ...PROTO_NAMES],
      token_endpoint_auth_methods_supported: ['client_secret_basic', ...PROTO_NAMES],
      code_challenge_methods_supported: ['S256', 'constructor'],
      response_types_supported: ['code', 'toString'],
      grant_types_supported: ['authorization_code', '__proto__'],
      constructor: { prototype: { polluted: true } },
    }));
    const result = await run(['discover', '--json', '--issuer', badIdp.issuer]);
    expect(result.code).toBe(1);
    expect(failed(result)).toEqual(['discovery.response_types', 'discovery.registry_values']);
    // An alg and a PKCE method outside their registries: an error (the closed registries), each name quoted.
    expect(check(result, 'discovery.registry_values')).toMatchObject({ status: 'fail', message: expect.stringContaining('"hasOwnProperty"') });
    expect(result.json().metadata.constructor).toEqual({ prototype: { polluted: true } });
  });
});

describe(`a key set of ${EMPTY_KEYS} empty keys (600 KiB) renders: no stack overflow`, { timeout: 120_000 }, () => {
  const emptyKeys = `{"keys":[${'{},'.repeat(EMPTY_KEYS - 1)}{}]}`;

  it('jwks --file: the table of every key and a failed jwks.key_shape, exit 1 (human and --json)', async () => {
    const keys = await file(emptyKeys);
    const human = await run(['jwks', '--file', keys], { timeoutMs: 60_000 });
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(new RegExp(`count\\s+${EMPTY_KEYS}\\n`));
    expect(human.stdout).toMatch(new RegExp(`✖ jwks\\.key_shape\\s+key #1: kty missing; key #2: kty missing;.*… and ${EMPTY_KEYS - 10} more`));
    const json = await run(['jwks', '--json', '--file', keys], { timeoutMs: 60_000 });
    expect(json.code).toBe(1);
    expect(json.json().keys).toHaveLength(EMPTY_KEYS);
  });

  it('discover through jwks_uri, and decode --issuer: exit 1, judged', async () => {
    badIdp.patchJwks(() => JSON.parse(emptyKeys));
    const discover = await run(['discover', '--issuer', badIdp.issuer], { timeoutMs: 60_000 });
    expect(discover.code).toBe(1);
    expect(discover.stdout).toMatch(new RegExp(`✖ jwks\\.signing_key\\s+none of the ${EMPTY_KEYS} keys`));
    const decode = await run(['decode', '--json', '--issuer', badIdp.issuer, mint(goodClaims({ iss: badIdp.issuer }), key)], { timeoutMs: 60_000 });
    expect(decode.code).toBe(1);
    expect(check(decode, 'jwt.key')?.status).toBe('fail');
  });
});

describe('decode\'s human report: a claim named like a prototype member', () => {
  it('gets no humanised-time note of Object.prototype ("function Object()")', async () => {
    const payload = `{"constructor":1,"toString":2,"__proto__":3,"valueOf":{},"exp":${nowSeconds() + 300}}`;
    const result = await run(['decode', `${b64u('{"alg":"RS256"}')}.${b64u(payload)}.c2ln`]);
    expect(result.stdout).not.toMatch(/native code|function/);
    expect(result.stdout).toMatch(/"constructor": 1,\n/);
    expect(result.stdout).toMatch(/"exp": \d+\s+\/\/ .*expires in/);
  });
});

describe('login, refresh and token: an ID token whose alg names a prototype member fails id_token.alg', { timeout: 60_000 }, () => {
  let cache: string;
  let lifecycle: BadLifecycleIdp | undefined;
  beforeAll(async () => {
    cache = await mkdtemp(join(dir, 'cache-'));
  });
  afterEach(async () => {
    await lifecycle?.close();
    lifecycle = undefined;
  });

  it.each(['toString', 'constructor', '__proto__'])('login: alg %s with an at_hash fails id_token.alg, exit 1', async (alg) => {
    const idp = await startScriptedIdp('none', { idTokenHeader: { alg }, idTokenClaims: { at_hash: 'xyz', c_hash: 'abc' } });
    try {
      const result = await run(['login', '--issuer', idp.issuer, '--client-id', idp.client_id, '--browser-command', BROWSER, '--timeout', '20', '--json'], { env: { XDG_CACHE_HOME: cache, BROWSER: undefined }, timeoutMs: 25_000 });
      expect(result.code).toBe(1);
      expect(check(result, 'id_token.alg')).toMatchObject({ status: 'fail', message: `alg "${alg}" is not a JWS signature algorithm oidc-cli can verify` });
      expect(check(result, 'id_token.at_hash')).toMatchObject({ status: 'skip', message: 'cannot compute at_hash without a known alg' });
      expect(check(result, 'id_token.signature')?.status).toBe('fail');
    } finally {
      await idp.close();
    }
  });

  async function cachedLogin(faults: LifecycleFaults, expires_at: number) {
    lifecycle = await startBadLifecycleIdp(faults);
    const xdg = await mkdtemp(join(dir, 'xdg-'));
    const env = { XDG_CACHE_HOME: xdg, XDG_CONFIG_HOME: xdg, OIDC_ISSUER: lifecycle.issuer, OIDC_CLIENT_ID: 'cli-public' };
    const { saveTokens } = await import('../../src/store/cache.js');
    await saveTokens({ issuer: lifecycle.issuer, client_id: 'cli-public', ...lifecycle.issue('cli-public'), token_type: 'Bearer', expires_at, scope: 'openid profile', obtained_at: nowSeconds() }, { env });
    return env;
  }

  it.each(['toString', 'constructor', '__proto__'])('refresh: alg %s fails id_token.alg, exit 1', async (alg) => {
    const env = await cachedLogin({ refreshIdTokenHeader: { alg }, refreshIdTokenClaims: { at_hash: 'xyz' } }, nowSeconds() + 300);
    const result = await run(['refresh', '--json'], { env });
    expect(result.code).toBe(1);
    expect(check(result, 'id_token.alg')?.status).toBe('fail');
  });

  it('token, refreshing an expired access token: alg "constructor" is flagged, not printed, exit 1', async () => {
    const env = await cachedLogin({ refreshIdTokenHeader: { alg: 'constructor' }, refreshIdTokenClaims: { at_hash: 'xyz' } }, nowSeconds() - 60);
    const result = await run(['token'], { env });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/id_token\.alg/);
  });
});

describe('lifecycle: an endpoint in discovery that is not a URL string is the IdP\'s fault: exit 3', () => {
  let lifecycle: BadLifecycleIdp | undefined;
  afterEach(async () => {
    await lifecycle?.close();
    lifecycle = undefined;
  });

  it.each([
    ['userinfo', 'userinfo_endpoint', { url: 'https://idp.example/userinfo' }, 'an object'],
    ['introspect', 'introspection_endpoint', ['https://idp.example/introspect'], 'an array'],
    ['revoke', 'revocation_endpoint', 42, 'a number'],
    ['userinfo', 'userinfo_endpoint', '', 'an empty string'],
  ])('%s with %s %j: exit 3, one line naming the member', async (command, member, value, what) => {
    lifecycle = await startBadLifecycleIdp({ metadata: { [member]: value } });
    const xdg = await mkdtemp(join(dir, 'xdg-'));
    const env = { XDG_CACHE_HOME: xdg, XDG_CONFIG_HOME: xdg, OIDC_ISSUER: lifecycle.issuer, OIDC_CLIENT_ID: 'cli-public' };
    const { saveTokens } = await import('../../src/store/cache.js');
    await saveTokens({ issuer: lifecycle.issuer, client_id: 'cli-public', ...lifecycle.issue('cli-public'), token_type: 'Bearer', expires_at: nowSeconds() + 300, scope: 'openid profile', obtained_at: nowSeconds() }, { env });
    const result = await run([command], { env });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`oidc-cli: the discovery document of ${lifecycle.issuer} has a ${member} that is ${what}, not a URL`);
    expect(lifecycle.posts).toEqual([]);
  });
});

describe('profile names are looked up among the profiles the file defines, and nowhere else', () => {
  let xdg: string;
  beforeAll(async () => {
    xdg = await mkdtemp(join(dir, 'config-'));
    await mkdir(join(xdg, 'oidc-cli'), { recursive: true, mode: 0o700 });
    const profiles = { p: { issuer: 'http://127.0.0.1:9/', client_id: 'app', client_secret_env: 'toString' } };
    await writeFile(join(xdg, 'oidc-cli', 'config.json'), JSON.stringify({ profiles }), { mode: 0o600 });
  });

  it.each(PROTO_NAMES)('--profile %s: no such profile, exit 2', async (name) => {
    const result = await run(['token', '--grant', 'client_credentials', '--profile', name], { env: { XDG_CONFIG_HOME: xdg, XDG_CACHE_HOME: xdg, OIDC_CLIENT_SECRET: undefined } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`oidc-cli: no profile "${name}" in ${join(xdg, 'oidc-cli', 'config.json')}`);
  });

  it('client_secret_env "toString" names a variable that is not set: exit 2', async () => {
    const result = await run(['token', '--grant', 'client_credentials', '--profile', 'p'], { env: { XDG_CONFIG_HOME: xdg, XDG_CACHE_HOME: xdg, OIDC_CLIENT_SECRET: undefined } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('oidc-cli: profile "p" reads the client secret from $toString, which is not set');
  });
});
