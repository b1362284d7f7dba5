// Clear errors for the mistakes users make (issue 16): one line, the right exit code, and what to do.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasStackTrace, runCli } from '../support/cli.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oidc-mistakes-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const b64u = (value: string) => Buffer.from(value).toString('base64url');
const env = () => ({ XDG_CACHE_HOME: join(dir, 'cache'), XDG_CONFIG_HOME: join(dir, 'config'), OIDC_ISSUER: undefined, OIDC_CLIENT_ID: undefined, OIDC_CLIENT_SECRET: undefined });
const run = async (args: string[]) => {
  const result = await runCli(args, { env: env() });
  expect(hasStackTrace(result.stderr)).toBe(false);
  return result;
};

describe('mistakes users make', () => {
  it('check --policy with a name oidc-cli does not know: the names it knows (exit 2), before any request', async () => {
    const result = await run(['check', '--issuer', 'https://idp.invalid', '--client-id', 'x', '--policy', 'fapi2']);
    expect([result.code, result.stderr.trim()]).toEqual([2, 'oidc-cli: --policy fapi2: not a policy oidc-cli knows\n  hint: use fapi2-security, rfc9700, or oauth2.1']);
  });

  it('introspect, revoke or userinfo with a token but no issuer: names the flags to pass and the iss the token claims (exit 2), not "log in first"', async () => {
    const token = `${b64u('{"alg":"RS256"}')}.${b64u('{"iss":"https://idp.example.com","sub":"u"}')}.c2ln`;
    for (const args of [['introspect', token], ['revoke', token], ['userinfo', '--access-token', token]]) {
      const result = await run(args);
      expect([args[0], result.code]).toEqual([args[0], 2]);
      expect(result.stderr).toMatch(/no issuer for this token: pass --issuer URL and --client-id ID/);
      expect(result.stderr).toContain('hint: the token says it comes from "https://idp.example.com": --issuer https://idp.example.com');
      expect(result.stderr).not.toMatch(/log in first/);
    }
  });

  it('a file named where the token belongs: says how to read it (exit 2)', async () => {
    const file = join(dir, 'token.txt');
    await writeFile(file, 'eyJhbGciOiJub25lIn0.e30.\n');
    const result = await run(['decode', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`oidc-cli: "${file}" is a file, not a token\n  hint: to read the token from it: oidc-cli decode - < ${file}\n`);
  });

  it('a file that is not there: the words, then the code (exit 2)', async () => {
    const result = await run(['decode', '--jwks', join(dir, 'no-such-keys.json'), 'a.b.c']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/cannot read --jwks file .*no-such-keys\.json: no such file \(ENOENT\)/);
  });

  const token = `${b64u('{"alg":"RS256","kid":"k1"}')}.${b64u('{"sub":"u","iss":"https://idp.example.com"}')}.${b64u('s'.repeat(256))}`;

  it('a token pasted with its quotes, double or single, still decodes', async () => {
    for (const quoted of [`"${token}"`, `'${token}'`]) {
      const result = await run(['decode', '--json', quoted]);
      expect([quoted[0], result.json<{ payload: { sub: string } }>().payload.sub]).toEqual([quoted[0], 'u']);
    }
  });

  it('a token broken across lines (a wrapped terminal, an e-mail) is joined: as an argument and on stdin', async () => {
    const wrapped = token.match(/.{1,76}/g)!.join('\n');
    const argument = await run(['decode', '--json', wrapped]);
    expect(argument.json<{ payload: { sub: string } }>().payload.sub).toBe('u');
    // On stdin, lines that are each a piece of one token (none a token alone) are that one token.
    const piped = await runCli(['decode', '--json', '-'], { env: env(), stdin: `${wrapped}\n` });
    expect(piped.stderr).toMatch(/the token on stdin is broken across \d+ lines: read as one/);
    expect(piped.json<{ payload: { sub: string } }>().payload.sub).toBe('u');
    // Lines that are whole tokens stay a batch, one result a line.
    const batch = await runCli(['decode', '--json', '-'], { env: env(), stdin: `${token}\n${token}\n` });
    expect(batch.stdout.trim().split('\n')).toHaveLength(2);
  });

  it('a token cut short says so, with what a whole one looks like (exit 2)', async () => {
    for (const cut of [token.slice(0, token.indexOf('.') + 10), token.slice(0, 30)]) {
      const result = await run(['decode', cut]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/not a JWT: expected 3 dot-separated parts \(JWS\) or 5 \(JWE\), got [12]/);
      expect(result.stderr).toMatch(/hint: it starts like a JWT header \(eyJ…\) and stops short: copy the whole token, header\.payload\.signature/);
    }
  });

  it('a token cut inside its signature: too short for its alg (jwt.format fails, exit 1), or a length no encoder writes (exit 2); both say it was cut', async () => {
    // 256 bytes of RS256 signature is 342 characters: keep 200 of them.
    const inside = await run(['decode', token.slice(0, token.length - 142)]);
    expect(inside.code).toBe(1);
    expect(inside.stdout).toMatch(/✖ jwt\.format +the signature is 150 bytes; an RS256 signature is as long as the RSA key, at least 256 \(2048 bits\) and a whole number of 8-byte words: the token was cut short or altered/);
    expect(inside.stdout).toMatch(/hint: Copy the whole token, header\.payload\.signature/);
    // 342 % 4 = 2: dropping one character leaves 341, one past whole bytes.
    const oneLess = await run(['decode', token.slice(0, -1)]);
    expect(oneLess.code).toBe(2);
    expect(oneLess.stderr).toBe('oidc-cli: not a JWT: the signature is not base64url (its length is one character past whole bytes)\n  hint: the token looks cut short: copy the whole token (a terminal, a log or a form may have cut it)\n');
    // The whole token is well formed.
    expect((await run(['decode', token])).stdout).toMatch(/✔ jwt\.format +compact JWS, canonical base64url/);
  });
});
