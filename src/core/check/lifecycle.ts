import type { DpopKey } from '../dpop.js';
import type { CheckId } from '../../checks/catalogue.js';
import type { CheckRecorder } from '../../checks/recorder.js';
import { INTROSPECTION_PROBE_IDS, introspectToken, probeOtherClient, stillActive } from '../introspection.js';
import { probeReuse, refreshTokens, refreshVerdicts, type RefreshResult } from '../refresh.js';
import { revokeToken } from '../revocation.js';
import type { IssuerSession, SessionClient } from '../session.js';
import type { TokenSet } from '../token-endpoint.js';

/**
 * The token lifecycle after the grant of `check`: refresh, introspection and, only with --destructive,
 * refresh-token replay and revocation (RFC 7009), which end the grant. Each step is the module the
 * `refresh`, `introspect` and `revoke` commands run (core/refresh.ts, introspection.ts, revocation.ts);
 * this file only orders them and says why a step is skipped.
 */
export interface LifecycleInput {
  session: IssuerSession;
  tokens: TokenSet;
  destructive: boolean;
  expectRotation: boolean | undefined;
  /** A second client of the same IdP (check --other-client-id): it must not read this client's tokens. */
  otherClient?: SessionClient | undefined;
  /** The DPoP key the grant is bound to (check --dpop): the refresh proves it, as RFC 9449 §5 requires. */
  dpop?: DpopKey | undefined;
}

export const REFRESH_IDS: CheckId[] = ['refresh.grant', 'refresh.token_response', 'refresh.rotation', 'refresh.id_token_valid', 'refresh.id_token.subject', 'refresh.id_token.auth_time', 'refresh.id_token.iat', 'refresh.id_token.nonce', 'refresh.access_token_valid', 'refresh.reuse_rejected'];
export const INTROSPECTION_IDS: CheckId[] = ['introspection.status', 'introspection.active_boolean', 'introspection.active', ...INTROSPECTION_PROBE_IDS, 'introspection.refresh_token', 'introspection.other_client'];
export const REVOCATION_IDS: CheckId[] = ['revocation.status', 'revocation.unknown_token', 'revocation.inactive', 'revocation.refresh_rejected'];
const OPT_IN = 'destructive (ends the grant): opt in with --destructive';

export async function checkLifecycle(input: LifecycleInput, c: CheckRecorder): Promise<void> {
  const { session } = input;
  const { client } = session;
  let { access_token, refresh_token } = input.tokens;

  // Refresh: non-destructive, our own grant. Its token_response.*, id_token.* and access_token.* checks
  // would repeat the login's ids in this report: their verdicts are the refresh.* summary checks.
  let refreshed: RefreshResult | undefined;
  const oldRefreshToken = refresh_token;
  if (!refresh_token) for (const id of REFRESH_IDS) c.skip(id, 'no refresh_token in the token response');
  else {
    refreshed = await refreshTokens(session, { refresh_token, original_id_token: input.tokens.id_token, expectRotation: input.expectRotation, dpop: input.dpop });
    c.merge(refreshVerdicts(refreshed));
    if (refreshed.tokens) {
      access_token = refreshed.tokens.access_token;
      refresh_token = refreshed.tokens.refresh_token ?? refresh_token;
    }
  }

  // Introspection of the newest access token, with its probes.
  if (!session.optionalEndpoint('introspection_endpoint')) for (const id of INTROSPECTION_IDS) c.skip(id, 'discovery lists no introspection_endpoint');
  else if (client.method === 'none') for (const id of INTROSPECTION_IDS) c.skip(id, 'a public client cannot authenticate to the introspection endpoint');
  else {
    const own = await introspectToken(session, { token: access_token, hint: 'access_token', probes: true });
    c.merge(own.checks);
    // Only a token its own client sees as active tells anything when another client hears "inactive".
    if (!input.otherClient) c.skip('introspection.other_client', 'needs a second client of this IdP: --other-client-id ID --other-client-secret-file FILE');
    else if (input.otherClient.client_id === client.client_id) c.skip('introspection.other_client', `--other-client-id names this client (${client.client_id}): give a different client`);
    else if (own.active !== true) c.skip('introspection.other_client', 'the access token does not introspect as active for its own client: nothing to compare');
    else await probeOtherClient(session, access_token, input.otherClient, c);
    // The refresh token the refresh just used or issued works (refresh.grant): the IdP should say so.
    if (!refresh_token || !refreshed?.tokens) c.skip('introspection.refresh_token', refresh_token ? 'the refresh failed: no refresh token known to work' : 'no refresh token');
    else {
      const active = await stillActive(session, refresh_token, 'refresh_token');
      if (active === undefined) c.skip('introspection.refresh_token', 'introspection gave no usable answer for the refresh token');
      else c.expect('introspection.refresh_token', active, 'the refresh token in use (refresh.grant worked) introspects as active', 'the refresh token in use (refresh.grant has just worked with this grant) introspects as "active": false');
    }
  }

  // Replay of the rotated-out refresh token: destructive (an IdP that detects reuse revokes the whole
  // grant), so after introspection.
  if (refreshed && oldRefreshToken) await probeReuse(session, oldRefreshToken, refreshed, { given: input.destructive, optIn: '--destructive' }, c);

  // Revocation: destructive, opt-in. The refresh token when there is one: it ends the whole grant.
  if (!input.destructive) for (const id of REVOCATION_IDS) c.skip(id, OPT_IN);
  else if (!session.optionalEndpoint('revocation_endpoint')) for (const id of REVOCATION_IDS) c.skip(id, 'discovery lists no revocation_endpoint');
  else {
    const revocation = await revokeToken(session, { token: refresh_token ?? access_token, hint: refresh_token ? 'refresh_token' : 'access_token', probes: true });
    c.merge(revocation.checks);
  }
}
