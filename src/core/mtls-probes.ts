import type { CheckRecorder } from '../checks/recorder.js';
import type { HttpClient, HttpResponse } from '../http/types.js';

/**
 * `check --cert`: a certificate-bound token (RFC 8705 §3) is worth its binding only if a resource refuses
 * it without the certificate. Userinfo is the resource the IdP itself runs: the token is sent once over
 * mTLS (the alias, the baseline) and once to the regular endpoint with no certificate, which must refuse it.
 */
export const MTLS_PROBE_IDS = ['mtls.bearer_refused'] as const;

const refused = (response: HttpResponse) => response.status === 401 || response.status === 403;

export async function probeMtls(http: HttpClient, input: { mtls_userinfo: string; plain_userinfo: string; access_token: string }, c: CheckRecorder): Promise<void> {
  const { access_token: token } = input;
  const get = (url: string, withoutClientCertificate: boolean) => http.request({ url, headers: { accept: 'application/json', authorization: `Bearer ${token}` }, tokens: [token], withoutClientCertificate });
  const baseline = await get(input.mtls_userinfo, false);
  if (refused(baseline) || baseline.status >= 400) return void c.skip('mtls.bearer_refused', `userinfo refuses the token even with the certificate (HTTP ${baseline.status} at ${input.mtls_userinfo}): nothing to compare`);
  const bare = await get(input.plain_userinfo, true);
  c.expect('mtls.bearer_refused', refused(bare), `the bound token without the certificate at ${input.plain_userinfo}: refused, HTTP ${bare.status}`, `the bound token without the certificate at ${input.plain_userinfo}: accepted, HTTP ${bare.status} (with it at ${input.mtls_userinfo}: HTTP ${baseline.status})`);
}
