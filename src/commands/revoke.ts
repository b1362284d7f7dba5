import { parseHint, stillActive, type TokenTypeHint } from '../core/introspection.js';
import { revokeToken } from '../core/revocation.js';
import { CheckRecorder } from '../checks/recorder.js';
import type { Report } from '../report/model.js';
import { redact } from '../util/redact.js';
import { cacheAfterRevocation } from '../store/cache-policy.js';
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

  if (result.revoked) {
    const done = await cacheAfterRevocation(cached, token, session.store, c, async (refresh_token) => stillActive(session.issuer, refresh_token, 'refresh_token'));
    if (done) context.ui.detail(done);
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
