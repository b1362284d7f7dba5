import { describe, expect, it } from 'vitest';
import { CheckRecorder } from '../../../src/checks/recorder.js';
import { judgeDeviceAuthorization, pollForTokens } from '../../../src/core/device.js';
import { CliError } from '../../../src/errors.js';
import type { HttpClient, HttpRequest, HttpResponse } from '../../../src/http/types.js';
import { fakeResponse } from '../../support/http-response.js';

function response(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return fakeResponse({ url: 'http://127.0.0.1/token', status, body: JSON.stringify(body), headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers } });
}

function scripted(answers: HttpResponse[]): HttpClient & { requests: HttpRequest[] } {
  const requests: HttpRequest[] = [];
  return {
    requests,
    async request(request) {
      requests.push(request);
      const next = answers.shift();
      if (!next) throw new Error('no more answers');
      return next;
    },
    addSecret: () => undefined,
    addToken: () => undefined,
    close: async () => undefined,
  };
}

const pending = (error = 'authorization_pending', status = 400) => response(status, { error });
const ok = response(200, { access_token: 'at', token_type: 'Bearer', expires_in: 60 });

function poll(http: HttpClient, c: CheckRecorder, extra: { deadline?: number } = {}) {
  const waits: number[] = [];
  let clock = 0;
  const result = pollForTokens(
    http,
    {
      token_endpoint: 'http://127.0.0.1/token',
      client: { client_id: 'tv', method: 'none' },
      device_code: 'dc',
      interval: 5,
      deadline: extra.deadline ?? 600_000,
      signal: new AbortController().signal,
      sleep: async (ms) => {
        waits.push(ms);
        clock += ms;
      },
      now: () => clock,
    },
    c,
  );
  return { result, waits };
}

describe('device authorization response (RFC 8628 §3.2)', () => {
  it('reads the codes, defaults interval to 5 and notes verification_uri_complete', () => {
    const c = new CheckRecorder();
    const auth = judgeDeviceAuthorization(response(200, { device_code: 'dc', user_code: 'ABCD-EFGH', verification_uri: 'https://idp/device', expires_in: 600 }), c);
    expect(auth).toMatchObject({ interval: 5, user_code: 'ABCD-EFGH', verification_uri_complete: undefined });
    expect(c.results.map((r) => [r.id, r.status])).toEqual([
      ['device.authorization_response', 'pass'],
      ['device.verification_uri_https', 'pass'],
      ['device.verification_uri_complete', 'pass'],
    ]);
  });

  it('fails a response without user_code or expires_in, and a plain-http verification_uri', () => {
    const c = new CheckRecorder();
    expect(judgeDeviceAuthorization(response(200, { device_code: 'dc', verification_uri: 'https://idp/device' }), c)).toBeUndefined();
    expect(c.results[0]!.message).toBe('missing or mistyped: user_code, expires_in');
    const d = new CheckRecorder();
    judgeDeviceAuthorization(response(200, { device_code: 'dc', user_code: 'X', verification_uri: 'http://idp.example.com/device', expires_in: 60 }), d);
    expect(d.results.find((r) => r.id === 'device.verification_uri_https')!.status).toBe('fail');
  });
});

describe('polling (RFC 8628 §3.4-3.5)', () => {
  it('waits the interval, adds 5 s on each slow_down, and returns the tokens', async () => {
    const http = scripted([pending(), pending('slow_down'), pending(), ok]);
    const c = new CheckRecorder();
    const { result, waits } = poll(http, c);
    const outcome = await result;
    expect(outcome.exchange.response.status).toBe(200);
    expect(waits).toEqual([5000, 5000, 10000, 10000]);
    expect(outcome).toMatchObject({ polls: 4, slowDowns: 1 });
    expect(http.requests[0]!.body!.toString()).toBe('grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&device_code=dc&client_id=tv');
    expect(c.results[0]).toMatchObject({ id: 'device.poll_errors', status: 'pass' });
  });

  it('access_denied and expired_token end the login with exit 4', async () => {
    for (const error of ['access_denied', 'expired_token']) {
      const { result } = poll(scripted([pending(), pending(error)]), new CheckRecorder());
      const failure = await result.catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(CliError);
      expect((failure as CliError).exitCode).toBe(4);
      expect((failure as CliError).message).toContain(error);
    }
  });

  it('stops at the deadline without polling past it (exit 4)', async () => {
    const http = scripted([pending(), pending(), pending()]);
    const { result, waits } = poll(http, new CheckRecorder(), { deadline: 12_000 });
    const failure = (await result.catch((e: unknown) => e)) as CliError;
    expect(failure.exitCode).toBe(4);
    expect(waits).toEqual([5000, 5000]);
  });

  it('authorization_pending with HTTP 200 is flagged', async () => {
    const c = new CheckRecorder();
    await poll(scripted([pending('authorization_pending', 200), ok]), c).result;
    expect(c.results[0]).toMatchObject({ id: 'device.poll_errors', status: 'fail' });
  });

  it('another error (invalid_client) is returned for the token response judge', async () => {
    const { result } = poll(scripted([response(401, { error: 'invalid_client' }, { 'www-authenticate': 'Basic' })]), new CheckRecorder());
    expect((await result).exchange.response.status).toBe(401);
  });
});
