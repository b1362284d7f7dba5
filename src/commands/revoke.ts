import { parseHint, stillActive, type TokenTypeHint } from '../core/introspection.js';
import { revokeToken } from '../core/revocation.js';
import { CheckRecorder } from '../checks/recorder.js';
import type { Report } from '../report/model.js';
import { redact } from '../util/redact.js';
import { deleteTokens, saveTokensChecked } from '../store/cache.js';
import type { Context } from './context.js';
import { cachedVerdict, openSession, tokenFrom, type SessionFlags } from './session.js';

export interface RevokeOptions extends SessionFlags {
  token?: string;
  tokenTypeHint?: string;
  probes?: boolean;
}

export async function run(options: RevokeOptions, context: Context): Promise<Report> {
  const asked = parseHint(options.tokenTypeHint);
  const session = await openSession(options, context, { useCache: true, token: options.token });
  const { cached, client } = session;
  // Revoking the refresh token ends the whole grant (RFC 7009 §2.1), so it is the default for a cached login.
  const cachedKind: TokenTypeHint = asked ?? (cached?.refresh_token ? 'refresh_token' : 'access_token');
  const { token, source } = await tokenFrom(session, options.token, () => cached?.[cachedKind], cachedKind.replace('_', ' '));
  session.issuer.http.addToken(token);
  const cacheEntry = cachedVerdict(session, source);
  const hint = asked ?? (source === 'cache' ? cachedKind : undefined);
  const show = context.globals.showTokens;

  const result = await revokeToken(session.issuer, { token, hint, probes: options.probes !== false });
  const c = new CheckRecorder();
  c.merge(result.checks);

  // The cache must not keep offering a token the user has just revoked.
  if (result.revoked && cached?.refresh_token === token) {
    await deleteTokens(cached, session.store);
    context.ui.detail('removed the login from the token cache (its grant is revoked)');
  } else if (result.revoked && cached?.access_token === token) {
    const { access_token: _revoked, expires_at: _expiry, ...rest } = cached;
    // Some IdPs end the whole grant with its access token (oidc-provider does): keep the refresh token only if it is still alive.
    const alive = rest.refresh_token ? (await stillActive(session.issuer, rest.refresh_token, 'refresh_token')) !== false : false;
    if (alive) {
      const saved = await saveTokensChecked(rest, session.store, c);
      if (saved.saved) context.ui.detail(`cached in ${saved.path}`);
    } else {
      await deleteTokens(cached, session.store);
      context.ui.detail('removed the login from the token cache (its refresh token is no longer active either)');
    }
  }
  return {
    command: 'revoke',
    checks: c.results,
    data: { issuer: client.issuer, client_id: client.client_id, token: redact(token, show), token_type_hint: hint ?? null, token_source: source, ...(cacheEntry ? { cache_entry: cacheEntry } : {}), status: result.response.status, introspection: result.introspection ?? null },
    sections: [
      {
        title: 'Revocation',
        kind: 'fields',
        fields: [
          ['endpoint', result.endpoint],
          ['token', `${redact(token, show)} (${source}${hint ? `, ${hint}` : ''})`],
          ['answer', `HTTP ${result.response.status}`],
        ],
      },
    ],
  };
}
