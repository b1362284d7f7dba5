import type { CheckRecorder } from '../../checks/recorder.js';
import type { HttpClient, HttpResponse } from '../../http/types.js';
import { basicAuthorization, basicCredentials, type ClientCredentials } from '../client-auth.js';

/**
 * `invalid_client` at the token endpoint, diagnosed the way a senior engineer would by hand, without
 * spending an authorization code: a refresh_token grant with a made-up refresh token, once per way of
 * presenting the secret. `invalid_client` means the client did not authenticate; `invalid_grant` (or
 * any other error) means it did, and only the made-up token was refused (RFC 6749 §5.2).
 */
export interface AuthAttempt {
  /** How the secret was presented, in the words the message uses. */
  variant: 'client_secret_basic' | 'client_secret_basic without form-urlencoding' | 'client_secret_post';
  /** Undefined when the answer does not tell (a 5xx, unsupported_grant_type, a body that is no OAuth error). */
  authenticated: boolean | undefined;
  answer: string;
}

const BOGUS_REFRESH_TOKEN = 'oidc-cli-diagnosis-not-a-refresh-token';

/** The request half: one POST per variant that can differ for this secret. */
export async function tryClientAuthentications(http: HttpClient, token_endpoint: string, client: ClientCredentials): Promise<AuthAttempt[]> {
  const { client_id, client_secret } = client;
  if (!client_secret) return [];
  const raw = `Basic ${Buffer.from(`${client_id}:${client_secret}`, 'utf8').toString('base64')}`;
  const correct = basicAuthorization(client_id, client_secret);
  const variants: Array<{ variant: AuthAttempt['variant']; authorization?: string; post?: boolean }> = [
    { variant: 'client_secret_basic', authorization: correct },
    // Only when form-urlencoding changes something: a secret with reserved characters (RFC 6749 Appendix B).
    ...(raw !== correct ? [{ variant: 'client_secret_basic without form-urlencoding' as const, authorization: raw }] : []),
    { variant: 'client_secret_post', post: true },
  ];
  const attempts: AuthAttempt[] = [];
  for (const { variant, authorization, post } of variants) {
    const form = new URLSearchParams([['grant_type', 'refresh_token'], ['refresh_token', BOGUS_REFRESH_TOKEN]]);
    if (post) {
      form.set('client_id', client_id);
      form.set('client_secret', client_secret);
    }
    const response = await http.request({
      url: token_endpoint,
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', ...(authorization ? { authorization } : {}) },
      body: form,
      secrets: [client_secret, ...basicCredentials(client_id, client_secret)],
    });
    attempts.push({ variant, ...judgeAttempt(response) });
  }
  return attempts;
}

export function judgeAttempt(response: HttpResponse): Omit<AuthAttempt, 'variant'> {
  let error: unknown;
  try {
    error = (response.json() as { error?: unknown } | null)?.error;
  } catch {
    error = undefined;
  }
  const answer = `HTTP ${response.status}${typeof error === 'string' ? ` ${error}` : ''}`;
  // A 401 without a body is a refusal of the client too (RFC 6749 §5.2 allows 401 for invalid_client).
  if (error === 'invalid_client' || response.status === 401) return { authenticated: false, answer };
  // Only the errors RFC 6749 §5.2 defines for an authenticated client prove it authenticated: the
  // made-up grant refused, or the grant not allowed for this client. Anything else says nothing.
  if (response.status >= 400 && response.status < 500 && (error === 'invalid_grant' || error === 'unauthorized_client' || error === 'invalid_scope')) return { authenticated: true, answer };
  return { authenticated: undefined, answer };
}

/** The pure half: what the attempts say about the method the login used. */
export function judgeClientAuthDiagnosis(used: ClientCredentials['method'], attempts: AuthAttempt[], c: CheckRecorder): void {
  const works = attempts.filter((a) => a.authenticated === true).map((a) => a.variant);
  const tried = attempts.map((a) => `${a.variant}: ${a.answer}`).join('; ');
  if (attempts.every((a) => a.authenticated === undefined)) {
    return void c.skip('diagnosis.client_auth', `the IdP's answers do not tell whether the client authenticated (${tried || 'no secret to try'}): no diagnosis`);
  }
  const correctBasic = attempts.find((a) => a.variant === 'client_secret_basic');
  const rawBasic = attempts.find((a) => a.variant === 'client_secret_basic without form-urlencoding');
  if (works.length === 0 && attempts.some((a) => a.authenticated === undefined)) {
    return void c.skip('diagnosis.client_auth', `some answers refuse the client and the others do not tell (${tried}): no diagnosis`);
  }
  if (works.length === 0) {
    return void c.violation('diagnosis.client_auth', `no way of sending this client_id and secret authenticates (${tried}): the secret is wrong, or the client is not registered as a confidential client`, {
      hint: 'Check the secret (a trailing newline in the file is removed, other whitespace is not) and that the client is confidential and allowed the authorization_code grant.',
    });
  }
  if (used === 'client_secret_basic' && correctBasic?.authenticated === false && rawBasic?.authenticated === true) {
    return void c.violation('diagnosis.client_auth', `this IdP does not form-urldecode client_secret_basic credentials (RFC 6749 §2.3.1): the secret sent encoded is refused, sent raw it is accepted${works.includes('client_secret_post') ? '; client_secret_post works' : ''} (${tried})`, {
      hint: 'Use --client-auth client_secret_post, or a client secret without reserved characters (letters, digits, "-", ".", "_", "~"), and report the bug to the IdP.',
    });
  }
  if (!works.includes(used as AuthAttempt['variant'])) {
    return void c.violation('diagnosis.client_auth', `the IdP refuses ${used} for this client but accepts ${works.join(' and ')} (${tried})`, {
      hint: `Pass --client-auth ${works.includes('client_secret_post') ? 'client_secret_post' : 'client_secret_basic'}, or register the client for ${used}.`,
    });
  }
  c.pass('diagnosis.client_auth', `the client authenticates with ${works.join(' and ')} outside the code exchange (${tried}): the invalid_client came from the code request itself`);
}
