import { CheckRecorder } from '../checks/recorder.js';
import { parseJwt } from '../core/jwt/parse.js';
import { judgeUserinfo, requestUserinfo } from '../core/userinfo.js';
import type { Report } from '../report/model.js';
import { redact } from '../util/redact.js';
import type { Context } from './context.js';
import { cachedVerdict, openSession, tokenArgument, warnIfExpired, type SessionFlags } from './lifecycle-session.js';

export interface UserinfoOptions extends SessionFlags {
  accessToken?: string;
}

/** The sub of an ID token, read without verification: it was judged when it was obtained (a failure there flags the entry, see cache_entry). */
function idTokenSub(idToken: string | undefined): string | undefined {
  if (!idToken) return undefined;
  try {
    const sub = parseJwt(idToken).payload?.sub;
    return typeof sub === 'string' ? sub : undefined;
  } catch {
    return undefined;
  }
}

export async function run(options: UserinfoOptions, context: Context): Promise<Report> {
  const session = await openSession(options, context, { useCache: true });
  const { cached, client, http } = session;
  const { token, source } = await tokenArgument(options.accessToken, context, () => cached?.access_token, 'access token');
  http.addSecret(token);
  warnIfExpired(session, source);
  const cacheEntry = cachedVerdict(session, source);
  const endpoint = session.endpoint('userinfo_endpoint');
  const show = context.globals.showTokens;

  context.ui.step('Userinfo (OIDC Core §5.3)');
  context.ui.explain('The access token is for APIs; userinfo is the IdP\'s own API. Its sub must be the ID token\'s sub, or the answers are about different people.');
  context.ui.detail(`GET ${endpoint} with Authorization: Bearer ${redact(token, show)}`);
  const response = await requestUserinfo(http, endpoint, token, source === 'cache' ? cached?.token_type : undefined);
  context.ui.detail(`← HTTP ${response.status} ${response.headers['content-type'] ?? ''}`);

  // The ID token to compare with: the cached one, when the access token is the cached login's.
  const sub = source === 'cache' || cached?.access_token === token ? idTokenSub(cached?.id_token) : undefined;
  const signed = (response.headers['content-type'] ?? '').toLowerCase().startsWith('application/jwt');
  const keys = signed ? await session.keys() : undefined;
  const c = new CheckRecorder();
  const claims = await judgeUserinfo(response, { sub, issuer: client.issuer, client_id: client.client_id, keys, refused: { access_token: token, endpoint, diagnose: true } }, c);

  return {
    command: 'userinfo',
    checks: c.results,
    data: { issuer: client.issuer, client_id: client.client_id, endpoint, token_source: source, ...(cacheEntry ? { cache_entry: cacheEntry } : {}), id_token_sub: sub ?? null, signed, claims: claims ?? null },
    sections: [
      { title: 'Userinfo', kind: 'fields', fields: [['endpoint', endpoint], ['response', `HTTP ${response.status}${signed ? ' (signed JWT)' : ''}`], ['ID token sub', sub ?? '(no cached ID token)']] },
      ...(claims ? [{ title: 'Claims', kind: 'json' as const, value: claims }] : []),
    ],
  };
}
