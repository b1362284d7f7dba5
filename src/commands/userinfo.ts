import { CheckRecorder } from '../checks/recorder.js';
import { readClaims } from '../core/jwt/parse.js';
import { judgeUserinfo, requestUserinfo } from '../core/userinfo.js';
import { dpopKeyFromJwk } from '../core/dpop.js';
import type { Report } from '../report/model.js';
import { redact } from '../util/redact.js';
import type { Context } from './context.js';
import { cachedVerdict, openSession, tokenFrom, warnIfExpired, type SessionFlags } from './session.js';

export interface UserinfoOptions extends SessionFlags {
  accessToken?: string;
}

export async function run(options: UserinfoOptions, context: Context): Promise<Report> {
  const session = await openSession(options, context, { useCache: true, token: options.accessToken });
  const { cached, client, issuer } = session;
  const { token, source } = await tokenFrom(session, options.accessToken, () => cached?.access_token, 'access token');
  issuer.http.addToken(token);
  warnIfExpired(session, source);
  const cacheEntry = cachedVerdict(session, source);
  const endpoint = issuer.endpoint('userinfo_endpoint');
  const show = context.globals.showTokens;

  context.ui.step('Userinfo (OIDC Core §5.3)');
  context.ui.explain('The access token is for APIs; userinfo is the IdP\'s own API. Its sub must be the ID token\'s sub, or the answers are about different people.');

  // A DPoP-bound cached login (login --dpop) proves its key; its key was cached with it.
  const dpop = source === 'cache' && cached?.dpop_jwk ? await dpopKeyFromJwk(cached.dpop_jwk) : undefined;
  context.ui.detail(`GET ${endpoint} with Authorization: ${dpop ? 'DPoP' : 'Bearer'} ${redact(token, show)}${dpop ? ' and a DPoP proof of the cached login\'s key' : ''}`);
  const response = await requestUserinfo(issuer.http, endpoint, token, source === 'cache' ? cached?.token_type : undefined, undefined, dpop);
  context.ui.detail(`← HTTP ${response.status} ${response.headers['content-type'] ?? ''}`);

  // The ID token to compare with: the cached one, when the access token is the cached login's. Read
  // without verification: it was judged when it was obtained (a failure there flags the entry, see cache_entry).
  const idTokenSub = source === 'cache' || cached?.access_token === token ? readClaims(cached?.id_token)?.sub : undefined;
  const sub = typeof idTokenSub === 'string' ? idTokenSub : undefined;
  const signed = (response.headers['content-type'] ?? '').toLowerCase().startsWith('application/jwt');
  const keys = signed ? await issuer.tokens.keys() : undefined;
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
