import { CheckRecorder } from '../checks/recorder.js';
import { introspect, randomToken, type TokenTypeHint } from '../core/introspection.js';
import { oauthError, refreshGrant } from '../core/refresh.js';
import { judgeRevocation, judgeRevokedInactive, judgeRevokedRefresh, judgeUnknownRevocation, revoke } from '../core/revocation.js';
import { jsonObject } from '../core/client-request.js';
import type { Report } from '../report/model.js';
import { redact } from '../util/redact.js';
import { deleteTokens } from '../store/cache.js';
import type { Context } from './context.js';
import { parseHint } from './introspect.js';
import { cachedVerdict, openSession, tokenArgument, type SessionFlags } from './lifecycle-session.js';

export interface RevokeOptions extends SessionFlags {
  token?: string;
  tokenTypeHint?: string;
  probes?: boolean;
}

export async function run(options: RevokeOptions, context: Context): Promise<Report> {
  const asked = parseHint(options.tokenTypeHint);
  const session = await openSession(options, context, { useCache: true });
  const { cached, client, http } = session;
  // Revoking the refresh token ends the whole grant (RFC 7009 §2.1), so it is the default for a cached login.
  const cachedKind: TokenTypeHint = asked ?? (cached?.refresh_token ? 'refresh_token' : 'access_token');
  const { token, source } = await tokenArgument(options.token, context, () => cached?.[cachedKind], cachedKind.replace('_', ' '));
  http.addSecret(token);
  const cacheEntry = cachedVerdict(session, source);
  const hint = asked ?? (source === 'cache' ? cachedKind : undefined);
  const target = { revocation_endpoint: session.endpoint('revocation_endpoint'), client: session.credentials, issuer: client.issuer };
  const show = context.globals.showTokens;
  const c = new CheckRecorder();

  if (options.probes !== false) {
    context.ui.step('Probe: revoking a random token must still answer 200');
    judgeUnknownRevocation(await revoke(http, target, randomToken(), hint), c);
  } else c.skip('revocation.unknown_token', 'probes off (--no-probes)');

  context.ui.step('Revocation (RFC 7009)');
  context.ui.explain('Revocation tells the IdP to forget a token now, instead of waiting for it to expire.');
  context.ui.detail(`token=${redact(token, show)}${hint ? ` token_type_hint=${hint}` : ''}, client authentication ${session.credentials.method}`);
  const response = await revoke(http, target, token, hint);
  context.ui.detail(`← HTTP ${response.status}`);
  const revoked = judgeRevocation(response, c);

  let introspected: unknown = null;
  const introspectionEndpoint = session.metadata.introspection_endpoint;
  if (!revoked) c.skip('revocation.inactive', 'the revocation failed');
  else if (typeof introspectionEndpoint !== 'string') c.skip('revocation.inactive', 'the IdP advertises no introspection_endpoint to confirm with');
  else {
    context.ui.step('Confirm through introspection');
    const answer = await introspect(http, { introspection_endpoint: introspectionEndpoint, client: session.credentials, issuer: client.issuer }, token, hint);
    introspected = answer.body ?? null;
    judgeRevokedInactive(answer.status, answer.body?.active, c);
  }

  const isRefresh = hint === 'refresh_token';
  if (!revoked) c.skip('revocation.refresh_rejected', 'the revocation failed');
  else if (!isRefresh) c.skip('revocation.refresh_rejected', hint ? 'an access token was revoked' : 'token type unknown: pass --token-type-hint refresh_token to test refreshing with it');
  else {
    context.ui.step('Confirm: the revoked refresh token must not refresh');
    const exchange = await refreshGrant(http, { token_endpoint: session.endpoint('token_endpoint'), client: session.credentials, refresh_token: token });
    judgeRevokedRefresh(exchange.response.status, oauthError(jsonObject(exchange.response)), c);
  }

  // The cache must not keep offering a token the user has just revoked.
  if (revoked && cached?.refresh_token === token) {
    await deleteTokens(cached, session.store);
    context.ui.detail('removed the login from the token cache (its grant is revoked)');
  } else if (revoked && cached?.access_token === token) {
    const { access_token: _revoked, expires_at: _expiry, ...rest } = cached;
    // Some IdPs end the whole grant with its access token (oidc-provider does): keep the refresh token only if it is still alive.
    const alive = rest.refresh_token && typeof introspectionEndpoint === 'string'
      ? (await introspect(http, { introspection_endpoint: introspectionEndpoint, client: session.credentials, issuer: client.issuer }, rest.refresh_token, 'refresh_token')).body?.active !== false
      : Boolean(rest.refresh_token);
    if (alive) await session.save(rest, c);
    else {
      await deleteTokens(cached, session.store);
      context.ui.detail('removed the login from the token cache (its refresh token is no longer active either)');
    }
  }
  return {
    command: 'revoke',
    checks: c.results,
    data: { issuer: client.issuer, client_id: client.client_id, token: redact(token, show), token_type_hint: hint ?? null, token_source: source, ...(cacheEntry ? { cache_entry: cacheEntry } : {}), status: response.status, introspection: introspected },
    sections: [
      {
        title: 'Revocation',
        kind: 'fields',
        fields: [
          ['endpoint', target.revocation_endpoint],
          ['token', `${redact(token, show)} (${source}${hint ? `, ${hint}` : ''})`],
          ['answer', `HTTP ${response.status}`],
        ],
      },
    ],
  };
}
