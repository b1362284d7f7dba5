import { relativeTime } from '../util/duration.js';
import { cut } from '../util/show.js';
import { byValue, judgeJarSupported, judgeRequestObjectAlg, requestObjectAlg, requestObjectClaims, signRequestObject } from './jar.js';
import type { DiscoveredIssuer, Flow } from './login-context.js';
import { pushAuthorizationRequest, pushedReference } from './par.js';

/**
 * How a login's authorization request leaves the client: as built, as a signed request object
 * (RFC 9101), pushed (RFC 9126), or signed and then pushed (the request object inside the push,
 * RFC 9126 §3). Each is done when asked for (--request-object, --par) or when the IdP requires it.
 * What cannot be done stops the login before the browser (NotSent), its checks in the report.
 */
export async function securedRequest(flow: Flow, issuer: DiscoveredIssuer, url: URL): Promise<{ url: URL; pushed: boolean }> {
  const pushing = flow.settings.par === true || issuer.metadata.require_pushed_authorization_requests === true;
  const signed = await requestObjectIfWanted(flow, issuer, url, pushing);
  const pushed = await pushIfWanted(flow, issuer, signed ?? url);
  return { url: pushed ?? signed ?? url, pushed: pushed !== undefined };
}

/** The request was not sent: the login stops before the browser, with the reason. */
export class NotSent extends Error {}

/**
 * RFC 9101, with --request-object or when the IdP requires it (require_signed_request_object): the
 * parameters signed with the client's key (--request-object-key, else the private_key_jwt key).
 */
async function requestObjectIfWanted(flow: Flow, issuer: DiscoveredIssuer, url: URL, pushing: boolean): Promise<URL | undefined> {
  const { settings, checks, deps: { ui } } = flow;
  const required = issuer.metadata.require_signed_request_object === true;
  if (!settings.requestObject && !required) return undefined;
  const key = settings.requestObjectKey ?? settings.client.privateKey;
  if (!key) {
    checks.violation('jar.required', `${required ? 'the IdP requires signed request objects (require_signed_request_object)' : '--request-object'}, and this client has no key to sign one`, { hint: 'Pass --request-object-key FILE (the private key whose public half is registered with the IdP), or --private-key for a private_key_jwt client.' });
    throw new NotSent('no key to sign the request object the IdP requires (jar.required)');
  }
  checks.pass('jar.required', required ? 'required by the IdP (require_signed_request_object), and used' : 'used (--request-object); the IdP does not require it');
  judgeJarSupported(issuer.metadata, pushing, checks);
  const supported = issuer.metadata.request_object_signing_alg_values_supported;
  const choice = requestObjectAlg(key, supported);
  judgeRequestObjectAlg(choice, supported, key.key.asymmetricKeyType, checks);
  const now = Math.floor((flow.deps.now?.() ?? Date.now() / 1000));
  const claims = requestObjectClaims(url.searchParams, { client_id: settings.client.client_id, issuer: issuer.issuer, now });
  const request = await signRequestObject(claims, { key, alg: choice.alg });
  ui.step(`Request object (RFC 9101): the parameters signed ${choice.alg}${key.kid ? `, kid ${key.kid}` : ''}, typ oauth-authz-req+jwt`);
  for (const name of ['iss', 'aud']) ui.detail(`${name.padEnd(21)} ${String(claims[name])}`);
  for (const name of ['nbf', 'exp']) ui.detail(`${name.padEnd(21)} ${String(claims[name])} (${relativeTime(claims[name] as number, now)})`);
  ui.detail(`${'(claims)'.padEnd(21)} ${Object.keys(claims).filter((name) => !['iss', 'aud', 'iat', 'nbf', 'exp', 'jti'].includes(name)).join(', ')}`);
  ui.explain('Signed with the client\'s key, the request cannot be altered on its way through the browser, and the IdP knows this client sent it.');
  return byValue(issuer.authorization_endpoint, settings.client.client_id, request);
}

/**
 * RFC 9126, with --par or when the IdP requires it (require_pushed_authorization_requests): the
 * parameters are pushed, client-authenticated, and the browser carries client_id and request_uri only.
 * A push that gives no request_uri ends the login before the browser.
 */
async function pushIfWanted(flow: Flow, issuer: DiscoveredIssuer, url: URL): Promise<URL | undefined> {
  const { settings, checks, deps: { ui, http } } = flow;
  const required = issuer.metadata.require_pushed_authorization_requests === true;
  if (!settings.par && !required) return undefined;
  const endpoint = issuer.metadata.pushed_authorization_request_endpoint;
  if (typeof endpoint !== 'string') {
    checks.violation('par.required', `${required ? 'the IdP requires pushed authorization requests' : '--par'}, but discovery names no pushed_authorization_request_endpoint`);
    throw new NotSent('no pushed_authorization_request_endpoint to push the request to (par.required)');
  }
  checks.pass('par.required', required ? 'required by the IdP (require_pushed_authorization_requests), and used' : 'used (--par); the IdP does not require it');
  ui.step(`Pushed authorization request (RFC 9126): POST ${endpoint}`);
  for (const [name, value] of url.searchParams) ui.detail(`${name.padEnd(21)} ${name === 'request' ? `${cut(value, 24)} (${value.length} characters, the request object)` : value}`);
  ui.explain('The parameters go to the IdP directly, with client authentication, instead of through the browser: nobody can read or alter them on the way.');
  const push = await pushAuthorizationRequest(http, { endpoint, params: url.searchParams, client: issuer.client, issuer: issuer.issuer });
  ui.detail(`← HTTP ${push.status}${push.expires_in ? `, request_uri valid ${push.expires_in} s` : ''}`);
  checks.merge(push.checks);
  if (!push.request_uri) throw new NotSent('the pushed authorization request gave no request_uri (par.*)');
  return pushedReference(issuer.authorization_endpoint, settings.client.client_id, push.request_uri);
}
