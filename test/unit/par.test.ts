import { describe, expect, it } from 'vitest';
import { CheckRecorder } from '../../src/checks/recorder.js';
import { judgePushedRequest } from '../../src/core/par.js';

const judged = (status: number, body: Record<string, unknown> | undefined) => {
  const c = new CheckRecorder();
  const result = judgePushedRequest(status, body, c);
  return { result, checks: Object.fromEntries(c.results.map((r) => [r.id, [r.status, r.message]])) };
};

describe('RFC 9126 §2.2: the answer to a pushed authorization request', () => {
  it('201 with a request_uri and a short expires_in passes, and hands the request_uri on', () => {
    const { result, checks } = judged(201, { request_uri: 'urn:ietf:params:oauth:request_uri:abc', expires_in: 60 });
    expect(result).toEqual({ request_uri: 'urn:ietf:params:oauth:request_uri:abc', expires_in: 60 });
    expect(checks).toEqual({
      'par.status': ['pass', 'HTTP 201 Created with a JSON object'],
      'par.request_uri': ['pass', 'request_uri of 37 characters (urn:ietf:params:oauth:request_uri:…)'],
      'par.expires_in': ['pass', 'expires_in 60 s'],
    });
  });

  it('200 warns; no request_uri fails; a missing or long expires_in warns', () => {
    expect(judged(200, { request_uri: 'r', expires_in: 60 }).checks['par.status']![0]).toBe('warn');
    const none = judged(201, { expires_in: 60 });
    expect(none.result.request_uri).toBeUndefined();
    expect(none.checks['par.request_uri']).toEqual(['fail', 'no request_uri in the answer (missing)']);
    expect(judged(201, { request_uri: 'r' }).checks['par.expires_in']).toEqual(['warn', 'expires_in is missing']);
    expect(judged(201, { request_uri: 'r', expires_in: 86400 }).checks['par.expires_in']).toEqual(['warn', 'expires_in 86400 s: a one-time reference that lives longer than 10 minutes']);
  });

  it('an error answer fails with its error; the rest is skipped', () => {
    const { checks } = judged(400, { error: 'invalid_request', error_description: 'missing required parameter' });
    expect(checks['par.status']).toEqual(['fail', 'HTTP 400 invalid_request ("missing required parameter"): the request was not accepted']);
    expect(checks['par.request_uri']![0]).toBe('skip');
  });
});
