import { CheckRecorder } from '../checks/recorder.js';
import type { CheckResult } from '../checks/types.js';
import type { HttpClient } from '../http/types.js';
import { cut } from '../util/show.js';
import type { ClientCredentials } from './client-auth.js';
import { jsonObject, postForm } from './client-request.js';

/**
 * RFC 9126 pushed authorization requests: the authorization parameters go to the IdP by a
 * client-authenticated POST, and the browser carries only client_id and the request_uri it answers
 * with. The request and its judge live here; login-flow.ts decides when to push.
 */
export interface PushedRequest {
  request_uri: string | undefined;
  expires_in: number | undefined;
  status: number;
  checks: CheckResult[];
}

export async function pushAuthorizationRequest(http: HttpClient, input: { endpoint: string; params: URLSearchParams; client: ClientCredentials; issuer: string }): Promise<PushedRequest> {
  // Every authorization parameter, client_id included (RFC 9126 §2.1: a Basic-authenticated push still
  // names it in the body); client authentication is added as at the token endpoint.
  const response = await postForm(http, input.endpoint, [...input.params], input.client, { assertionAudience: input.issuer });
  const body = jsonObject(response);
  const c = new CheckRecorder();
  const pushed = judgePushedRequest(response.status, body, c);
  // Not masked: the request_uri travels in the front channel by design (the URL a person may open with
  // --no-browser), one-time and short-lived (RFC 9126 §7.1); it carries nothing secret.
  return { ...pushed, status: response.status, checks: c.results };
}

/** The answer to a push (pure). */
export function judgePushedRequest(status: number, body: Record<string, unknown> | undefined, c: CheckRecorder): { request_uri: string | undefined; expires_in: number | undefined } {
  const none = { request_uri: undefined, expires_in: undefined };
  if (status !== 201 && status !== 200) {
    const error = typeof body?.error === 'string' ? ` ${body.error}${typeof body.error_description === 'string' ? ` ("${cut(body.error_description, 120)}")` : ''}` : '';
    c.violation('par.status', `HTTP ${status}${error}: the request was not accepted`);
    for (const id of ['par.request_uri', 'par.expires_in'] as const) c.skip(id, 'the push was refused');
    return none;
  }
  if (!body) {
    c.violation('par.status', `HTTP ${status}, but the body is not a JSON object`);
    for (const id of ['par.request_uri', 'par.expires_in'] as const) c.skip(id, 'no answer to read');
    return none;
  }
  if (status === 201) c.pass('par.status', 'HTTP 201 Created with a JSON object');
  else c.warn('par.status', 'HTTP 200 with a JSON object: RFC 9126 §2.2 says 201 Created');
  const request_uri = typeof body.request_uri === 'string' && body.request_uri !== '' ? body.request_uri : undefined;
  c.expect('par.request_uri', request_uri !== undefined, `request_uri of ${request_uri?.length ?? 0} characters${request_uri?.startsWith('urn:ietf:params:oauth:request_uri:') ? ' (urn:ietf:params:oauth:request_uri:…)' : ''}`, `no request_uri in the answer (${body.request_uri === undefined ? 'missing' : 'not a string'})`);
  const expires = body.expires_in;
  const expires_in = typeof expires === 'number' && Number.isInteger(expires) && expires > 0 ? expires : undefined;
  if (expires_in === undefined) c.violation('par.expires_in', `expires_in is ${expires === undefined ? 'missing' : `not a positive integer (${cut(JSON.stringify(expires) ?? '', 40)})`}`);
  else if (expires_in > 600) c.violation('par.expires_in', `expires_in ${expires_in} s: a one-time reference that lives longer than 10 minutes`);
  else c.pass('par.expires_in', `expires_in ${expires_in} s`);
  return { request_uri, expires_in };
}

/**
 * What the browser is sent to after a push (RFC 9126 §4): the authorization endpoint as published (its
 * own query, a tenant parameter, kept) with client_id and the request_uri only.
 */
export function pushedReference(authorization_endpoint: string, client_id: string, request_uri: string): URL {
  const reference = new URL(authorization_endpoint);
  reference.searchParams.set('client_id', client_id);
  reference.searchParams.set('request_uri', request_uri);
  return reference;
}
