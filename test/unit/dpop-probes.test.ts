// dpop.iat_checked against a small userinfo on loopback with one fault: it checks a DPoP proof's htm,
// htu, jti and ath, but not its age. oidc-provider (check-flow.test.ts) refuses the stale proof.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckRecorder } from '../../src/checks/recorder.js';
import { createDpopKey } from '../../src/core/dpop.js';
import { probeDpop, probeRefreshBound } from '../../src/core/dpop-probes.js';
import { startBadLifecycleIdp } from '../support/lifecycle-bad-idp.js';
import { recordingUi, testHttp } from './flows/flow-deps.js';

const TOKEN = 'bound-access-token-0123456789';
let server: Server;
let url: string;
beforeAll(async () => {
  const seen = new Set<string>();
  server = createServer((req, res) => {
    const proof = String(req.headers.dpop ?? '');
    const ok = (() => {
      if (req.headers.authorization !== `DPoP ${TOKEN}` || !proof) return false;
      const claims = decodeJwt(proof);
      if (claims.htm !== req.method || claims.htu !== url || typeof claims.jti !== 'string' || seen.has(claims.jti)) return false;
      seen.add(claims.jti);
      return claims.ath === createHash('sha256').update(TOKEN).digest('base64url');
      // The fault: claims.iat is never looked at.
    })();
    res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json', ...(ok ? {} : { 'www-authenticate': 'DPoP error="invalid_token"' }) }).end(ok ? '{"sub":"u"}' : '{"error":"invalid_token"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/me`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('dpop.iat_checked', () => {
  it('a userinfo that never looks at iat takes an hour-old proof: the probe fails, the others pass', async () => {
    const http = testHttp(recordingUi());
    const c = new CheckRecorder();
    try {
      await probeDpop(http, { userinfo_endpoint: url, access_token: TOKEN, key: await createDpopKey() }, c);
    } finally {
      await http.close();
    }
    expect(c.results.map((r) => [r.id, r.status])).toEqual([
      ['dpop.bearer_refused', 'pass'],
      ['dpop.replay_refused', 'pass'],
      ['dpop.htu_checked', 'pass'],
      ['dpop.htm_checked', 'pass'],
      ['dpop.iat_checked', 'fail'],
    ]);
    expect(c.results.at(-1)?.message).toBe('a proof issued an hour ago (iat): accepted, HTTP 200 — a proof copied once works for ever');
  });
});

describe('dpop.refresh_bound', () => {
  it('an IdP that takes a public client\'s refresh token without a proof fails it, and hands back the rotated refresh token to go on with', async () => {
    // The lifecycle fixture binds nothing: its refresh grant takes any refresh token it issued.
    const lax = await startBadLifecycleIdp({});
    const http = testHttp(recordingUi());
    try {
      const issued = lax.issue('cli-public');
      const c = new CheckRecorder();
      const rotated = await probeRefreshBound(http, { token_endpoint: `${lax.issuer}/token`, client: { client_id: 'cli-public', method: 'none' }, tokens: { access_token: issued.access_token, refresh_token: issued.refresh_token, token_type: 'DPoP', expires_in: 300, id_token: undefined, scope: undefined, raw: {}, date: undefined }, key: await createDpopKey() }, c);
      expect(c.results.map((r) => [r.id, r.status, r.message])).toEqual([['dpop.refresh_bound', 'fail', 'the refresh token without a DPoP proof: accepted, HTTP 200 — a stolen refresh token works without the key']]);
      expect(rotated).toEqual(expect.any(String));
      expect(rotated).not.toBe(issued.refresh_token);
    } finally {
      await http.close();
      await lax.close();
    }
  });
});
