import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { startIdp } from '../support/idp.js';
import type { Idp } from '../support/idp.js';
import { listenForCallback, pkcePair } from '../support/idp-flow.js';
import { chromiumUnavailable, signInWithChromium } from '../support/chromium.js';

const unavailable = await chromiumUnavailable();
if (unavailable) console.warn(`chromium.test.ts skipped: ${unavailable}`);

describe.skipIf(unavailable)(`sign-in through headless Chromium${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let idp: Idp;
  beforeAll(async () => { idp = await startIdp(); });
  afterAll(() => idp?.close());

  it.each(['query', 'form_post'])('the real login page, response_mode=%s, lands on the loopback callback with a code that redeems', async (mode) => {
    const metadata = await (await fetch(idp.url('/.well-known/openid-configuration'))).json() as Record<string, string>;
    const callback = await listenForCallback();
    try {
      const { code_verifier, code_challenge } = pkcePair();
      const url = new URL(metadata.authorization_endpoint!);
      url.search = new URLSearchParams({
        response_type: 'code',
        response_mode: mode,
        client_id: idp.clients.public.client_id,
        redirect_uri: callback.redirect_uri,
        scope: 'openid email',
        state: 'chromium-state',
        nonce: 'chromium-nonce',
        code_challenge,
        code_challenge_method: 'S256',
      }).toString();

      const result = await signInWithChromium(url.href, idp.users.demo);
      expect(result.pages).toEqual(['Sign in']);
      expect(result.landedOn.href.startsWith(callback.redirect_uri)).toBe(true);

      const { method, params } = await callback.received;
      expect(method).toBe(mode === 'form_post' ? 'POST' : 'GET');
      expect(params.get('state')).toBe('chromium-state');
      expect(params.get('iss')).toBe(idp.issuer);

      const response = await fetch(metadata.token_endpoint!, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code: params.get('code')!,
          redirect_uri: callback.redirect_uri,
          code_verifier,
          client_id: idp.clients.public.client_id,
        }).toString(),
      });
      const tokens = await response.json() as Record<string, string>;
      expect(response.status).toBe(200);
      const { payload } = await jwtVerify(tokens.id_token!, createRemoteJWKSet(new URL(metadata.jwks_uri!)), {
        issuer: idp.issuer, audience: idp.clients.public.client_id,
      });
      expect(payload).toMatchObject({ sub: idp.users.demo.sub, nonce: 'chromium-nonce' });
    } finally {
      await callback.close();
    }
  });
});

describe.skipIf(unavailable)('chromium-browser.mjs, the --browser-command twin of browser.mjs', () => {
  let idp: Idp;
  beforeAll(async () => { idp = await startIdp(); });
  afterAll(() => idp?.close());

  it('signs in on the real page and delivers the callback, exit 0', async () => {
    const callback = await listenForCallback();
    try {
      const url = new URL(idp.url('/auth'));
      url.search = new URLSearchParams({
        response_type: 'code', client_id: idp.clients.public.client_id, redirect_uri: callback.redirect_uri,
        scope: 'openid', state: 's1', code_challenge: pkcePair().code_challenge, code_challenge_method: 'S256',
      }).toString();
      const script = fileURLToPath(new URL('../support/chromium-browser.mjs', import.meta.url));
      const run = await new Promise<{ status: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [script, url.href], { stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (chunk: Buffer) => { stderr += chunk; });
        child.on('close', (status) => resolve({ status, stderr }));
      });
      expect(run).toEqual({ status: 0, stderr: '' });
      const { params } = await callback.received;
      expect(params.get('state')).toBe('s1');
      expect(params.get('code')).toBeTruthy();
    } finally {
      await callback.close();
    }
  });

  it('a wrong password: exit 1 with one line on stderr', async () => {
    const url = new URL(idp.url('/auth'));
    url.search = new URLSearchParams({
      response_type: 'code', client_id: idp.clients.public.client_id, redirect_uri: 'http://127.0.0.1:9/callback',
      scope: 'openid', code_challenge: pkcePair().code_challenge, code_challenge_method: 'S256',
    }).toString();
    const script = fileURLToPath(new URL('../support/chromium-browser.mjs', import.meta.url));
    const run = await new Promise<{ status: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [script, url.href], {
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...process.env, OIDC_TEST_PASSWORD: 'wrong', OIDC_TEST_BROWSER_TIMEOUT: '3' },
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => { stderr += chunk; });
      child.on('close', (status) => resolve({ status, stderr }));
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^chromium-browser\.mjs: sign-in rejected: Invalid username or password\.\n$/);
  });
});
