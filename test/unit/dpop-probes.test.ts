// dpop.iat_checked against a small userinfo on loopback with one fault: it checks a DPoP proof's htm,
// htu, jti and ath, but not its age. oidc-provider (check-flow.test.ts) refuses the stale proof.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckRecorder } from '../../src/checks/recorder.js';
import { createDpopKey } from '../../src/core/dpop.js';
import { probeDpop } from '../../src/core/dpop-probes.js';
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
