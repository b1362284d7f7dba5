import { describe, expect, it } from 'vitest';
import { clientIdUrlProblems, isClientIdUrl, judgeClientMetadataDocument } from '../../src/core/client-metadata-document.js';
import type { HttpResponse } from '../../src/http/types.js';

const URL_ID = 'https://app.example.com/oauth/client.json';

function answer(status: number, body: unknown, extra: Partial<HttpResponse> = {}): HttpResponse {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return {
    url: URL_ID,
    status,
    headers: { 'content-type': 'application/json' },
    body: Buffer.from(text),
    date: undefined,
    location: undefined,
    elapsedMs: 1,
    text: () => text,
    json: () => JSON.parse(text),
    ...extra,
  };
}

const sound = { client_id: URL_ID, redirect_uris: ['http://127.0.0.1/callback'], token_endpoint_auth_method: 'none' };
const judge = (response: HttpResponse, askedRedirectUri?: string, serverMetadata: Record<string, unknown> = { client_id_metadata_document_supported: true }) =>
  judgeClientMetadataDocument({ client_id: URL_ID, response, serverMetadata, askedRedirectUri });
const statuses = (judged: ReturnType<typeof judge>) => Object.fromEntries(judged.checks.map((c) => [c.id, c.status]));
const message = (judged: ReturnType<typeof judge>, id: string) => judged.checks.find((c) => c.id === id)?.message;

describe('the client_id URL (Client Identifier rules)', () => {
  it('an https URL with a path is one; everything else is named', () => {
    expect(clientIdUrlProblems(URL_ID)).toEqual([]);
    expect(clientIdUrlProblems('https://app.example.com')).toEqual(['no path (the document needs one, e.g. /client.json)']);
    expect(clientIdUrlProblems('https://app.example.com/a/../client.json')).toEqual(['a "." or ".." path segment']);
    expect(clientIdUrlProblems('https://app.example.com/a/%2E%2e/c')).toEqual(['a "." or ".." path segment']);
    expect(clientIdUrlProblems('https://u:p@app.example.com/c#x')).toEqual(['a fragment', 'a user name or password']);
    expect(isClientIdUrl('HTTPS://app.example.com/c')).toBe(true);
    expect(isClientIdUrl('my-client')).toBe(false);
  });
});

describe('the document, judged', () => {
  it('a sound document passes every check and gives a listener on any port for a portless loopback URI', () => {
    const judged = judge(answer(200, sound));
    expect(statuses(judged)).toEqual({ 'cimd.client_id_url': 'pass', 'cimd.supported': 'pass', 'cimd.document': 'pass', 'cimd.client_id': 'pass', 'cimd.auth_method': 'pass', 'cimd.redirect_uri': 'pass' });
    expect(judged.redirect?.listener).toEqual({ host: '127.0.0.1', port: 0, path: '/callback' });
    expect(judged.method).toBe('none');
  });

  it('an IP literal is preferred to localhost; a fixed port is kept; [::1] binds ::1', () => {
    const judged = judge(answer(200, { ...sound, redirect_uris: ['http://localhost:9000/cb', 'http://127.0.0.1:8765/cb'] }));
    expect(judged.redirect?.listener).toEqual({ host: '127.0.0.1', port: 8765, path: '/cb' });
    expect(judge(answer(200, { ...sound, redirect_uris: ['http://[::1]/cb'] })).redirect?.listener).toEqual({ host: '::1', port: 0, path: '/cb' });
    expect(judge(answer(200, { ...sound, redirect_uris: ['http://localhost:9000/cb'] })).redirect?.listener).toEqual({ host: '127.0.0.1', port: 9000, path: '/cb', redirectHost: 'localhost' });
  });

  it('--redirect-uri must be one of the document\'s (any port only where the document leaves the port out)', () => {
    expect(statuses(judge(answer(200, sound), 'http://127.0.0.1:8765/callback'))['cimd.redirect_uri']).toBe('pass');
    const fixed = judge(answer(200, { ...sound, redirect_uris: ['http://127.0.0.1:8765/callback'] }), 'http://127.0.0.1:9999/callback');
    expect(message(fixed, 'cimd.redirect_uri')).toBe('--redirect-uri http://127.0.0.1:9999/callback is not among the document\'s redirect_uris (http://127.0.0.1:8765/callback)');
    expect(fixed.redirect).toBeUndefined();
  });

  it('each fault fails its own check: client_id, secrets, the default method, no loopback URI', () => {
    expect(message(judge(answer(200, { ...sound, client_id: `${URL_ID}/` })), 'cimd.client_id')).toBe(`the document says client_id "${URL_ID}/", not ${URL_ID}`);
    expect(message(judge(answer(200, { ...sound, client_id: undefined })), 'cimd.client_id')).toBe('the document has no client_id member');
    expect(message(judge(answer(200, { ...sound, client_secret: 'x' })), 'cimd.auth_method')).toBe('the document holds client_secret: a published document cannot keep a secret');
    expect(message(judge(answer(200, { ...sound, token_endpoint_auth_method: undefined })), 'cimd.auth_method')).toMatch(/^no token_endpoint_auth_method: the default, client_secret_basic/);
    expect(message(judge(answer(200, { ...sound, token_endpoint_auth_method: 'tls_client_auth' })), 'cimd.auth_method')).toMatch(/not a method oidc-cli can use here/);
    const web = judge(answer(200, { ...sound, redirect_uris: ['https://app.example.com/cb', 'http://127.0.0.1/cb?x=1'] }));
    expect(message(web, 'cimd.redirect_uri')).toBe('no loopback http redirect URI among https://app.example.com/cb, http://127.0.0.1/cb?x=1: a command-line login cannot receive the response');
  });

  it('no document: a redirect, an error status, or a body that is not an object fails cimd.document and skips the rest', () => {
    const moved = judge(answer(302, '', { location: 'https://cdn.example.com/client.json' }));
    expect(message(moved, 'cimd.document')).toBe('HTTP 302 to https://cdn.example.com/client.json: the document must be at the client_id URL itself');
    expect(statuses(moved)['cimd.client_id']).toBe('skip');
    expect(message(judge(answer(404, 'not found')), 'cimd.document')).toBe('HTTP 404: no document at the client_id URL');
    expect(message(judge(answer(200, '[1]')), 'cimd.document')).toBe('HTTP 200 with application/json, but the body is not a JSON object');
  });

  it('a server that does not announce documents is a warning, not a failure (some fetch them all the same)', () => {
    expect(statuses(judge(answer(200, sound), undefined, {}))['cimd.supported']).toBe('warn');
    expect(message(judge(answer(200, sound), undefined, { client_id_metadata_document_supported: 'yes' }), 'cimd.supported')).toBe('client_id_metadata_document_supported is "yes", not true');
  });
});
