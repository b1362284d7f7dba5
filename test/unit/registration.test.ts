import { describe, expect, it } from 'vitest';
import { CheckRecorder } from '../../src/checks/recorder.js';
import { judgeRegistration, nativeClientMetadata } from '../../src/core/registration.js';

const asked = nativeClientMetadata({ redirect_uris: ['http://127.0.0.1/callback'] });
const judged = (status: number, client: Record<string, unknown> | undefined) => {
  const c = new CheckRecorder();
  judgeRegistration(status, client, asked, c);
  return Object.fromEntries(c.results.map((r) => [r.id, [r.status, r.message]]));
};
const echoed = { ...asked, client_id: 'c-1' };

describe('RFC 7591 §3.2: the answer to a registration', () => {
  it('201 with everything echoed passes; a public client has no secret to expire; RFC 7592 is optional', () => {
    expect(judged(201, echoed)).toEqual({
      'registration.status': ['pass', 'HTTP 201 Created with a JSON object'],
      'registration.client_id': ['pass', 'client_id "c-1"'],
      'registration.echo': ['pass', 'all 6 registered values returned as asked'],
      'registration.secret_expiry': ['skip', 'no client_secret issued (a public client)'],
      'registration.management': ['skip', 'no registration_access_token: the registration cannot be read or changed later (RFC 7592 is optional)'],
    });
  });

  it('200 instead of 201 warns; an error answer fails with its error and skips the rest', () => {
    expect(judged(200, echoed)['registration.status']![0]).toBe('warn');
    const refused = judged(400, { error: 'invalid_redirect_uri', error_description: 'http is not allowed' });
    expect(refused['registration.status']).toEqual(['fail', 'HTTP 400 invalid_redirect_uri ("http is not allowed"): not registered']);
    expect(refused['registration.client_id']![0]).toBe('skip');
    expect(judged(201, undefined)['registration.status']).toEqual(['fail', 'HTTP 201, but the body is not a JSON object']);
  });

  it('no client_id fails; a value not returned, or replaced, warns and names it', () => {
    expect(judged(201, { ...asked })['registration.client_id']![0]).toBe('fail');
    const { client_name: _dropped, ...withoutName } = echoed;
    expect(judged(201, withoutName)['registration.echo']).toEqual(['warn', 'not returned: client_name']);
    expect(judged(201, { ...echoed, redirect_uris: ['https://elsewhere.example/cb'] })['registration.echo']).toEqual(['warn', 'replaced by the server: redirect_uris ["http://127.0.0.1/callback"] → ["https://elsewhere.example/cb"]']);
  });

  it('a client_secret needs client_secret_expires_at (0 for never)', () => {
    expect(judged(201, { ...echoed, client_secret: 's3cr3t' })['registration.secret_expiry']).toEqual(['fail', 'a client_secret without a usable client_secret_expires_at (missing)']);
    expect(judged(201, { ...echoed, client_secret: 's3cr3t', client_secret_expires_at: 0 })['registration.secret_expiry']![0]).toBe('pass');
    expect(judged(201, { ...echoed, client_secret: 's3cr3t', client_secret_expires_at: 2000000000 })['registration.secret_expiry']![1]).toBe('the secret expires 2033-05-18T03:33:20.000Z');
  });

  it('the RFC 7592 pair comes together, and its URI is not plain http off loopback', () => {
    expect(judged(201, { ...echoed, registration_access_token: 't' })['registration.management']![0]).toBe('warn');
    expect(judged(201, { ...echoed, registration_access_token: 't', registration_client_uri: 'http://idp.example.com/reg/c-1' })['registration.management']![1]).toMatch(/is not https: the registration_access_token would travel in the clear$/);
    expect(judged(201, { ...echoed, registration_access_token: 't', registration_client_uri: 'https://idp.example.com/reg/c-1' })['registration.management']![0]).toBe('pass');
  });
});
