import type { CheckId } from '../../checks/catalogue.js';
import type { CheckRecorder } from '../../checks/recorder.js';
import type { HttpClient } from '../../http/types.js';
import type { ClientCredentials } from '../client-auth.js';
import { judgeAgreement } from '../introspection-checks.js';
import { introspect, judgeIntrospection, probeIntrospection, randomToken, type IntrospectionTarget } from '../introspection.js';
import { parseJwt } from '../jwt/parse.js';
import { judgeRefreshedIdToken, judgeReuse, judgeRotation, rotationExpected } from '../refresh-checks.js';
import { oauthError, refreshGrant } from '../refresh.js';
import { judgeRevocation, judgeRevokedInactive, judgeRevokedRefresh, judgeUnknownRevocation, revoke } from '../revocation.js';
import { bodyOf, type TokenSet } from '../token-endpoint.js';

/**
 * The token lifecycle after the login of `check`: refresh (rotation, OIDC Core §12.2), introspection
 * (RFC 7662 and its probes), and, only with --destructive, refresh-token replay and revocation
 * (RFC 7009), which end the grant. Reuses the judges of `refresh`, `introspect` and `revoke`.
 */
export interface LifecycleInput {
  http: HttpClient;
  issuer: string;
  metadata: Record<string, unknown>;
  client: ClientCredentials;
  tokens: TokenSet;
  destructive: boolean;
  expectRotation: boolean | undefined;
}

export const REFRESH_IDS: CheckId[] = ['refresh.grant', 'refresh.rotation', 'refresh.id_token.subject', 'refresh.id_token.auth_time', 'refresh.id_token.iat', 'refresh.id_token.nonce', 'refresh.reuse_rejected'];
export const INTROSPECTION_IDS: CheckId[] = ['introspection.status', 'introspection.active_boolean', 'introspection.active', 'introspection.requires_auth', 'introspection.unknown_token', 'introspection.token_type_hint'];
export const REVOCATION_IDS: CheckId[] = ['revocation.status', 'revocation.unknown_token', 'revocation.inactive', 'revocation.refresh_rejected'];
const OPT_IN = 'destructive (ends the grant): opt in with --destructive';

const payloadOf = (token: string | undefined) => {
  if (!token) return undefined;
  try {
    return parseJwt(token).payload;
  } catch {
    return undefined;
  }
};
const endpoint = (metadata: Record<string, unknown>, name: string) => (typeof metadata[name] === 'string' ? (metadata[name] as string) : undefined);

export async function checkLifecycle(input: LifecycleInput, c: CheckRecorder): Promise<void> {
  const { http, metadata, client } = input;
  let { access_token, refresh_token } = input.tokens;
  let replayable: string | undefined;
  const token_endpoint = endpoint(metadata, 'token_endpoint')!;

  // Refresh: non-destructive, our own grant.
  if (!refresh_token) {
    for (const id of REFRESH_IDS) c.skip(id, 'no refresh_token in the token response');
  } else {
    const exchange = await refreshGrant(http, { token_endpoint, client, refresh_token });
    const body = bodyOf(exchange.response);
    const fresh = exchange.response.status === 200 && typeof body?.access_token === 'string' ? body : undefined;
    if (!fresh) {
      c.violation('refresh.grant', `refused: ${oauthError(body) ?? `HTTP ${exchange.response.status}`}`);
      for (const id of REFRESH_IDS.slice(1)) c.skip(id, 'the refresh failed');
    } else {
      const newRefresh = typeof fresh.refresh_token === 'string' ? fresh.refresh_token : undefined;
      for (const token of [fresh.access_token as string, newRefresh]) if (token) http.addSecret(token);
      c.pass('refresh.grant', `HTTP 200, a new access token${typeof fresh.expires_in === 'number' ? ` (expires in ${fresh.expires_in} s)` : ''}`);
      const rotation = judgeRotation(refresh_token, newRefresh, rotationExpected(input.expectRotation, client.method), c);
      judgeRefreshedIdToken(payloadOf(input.tokens.id_token), payloadOf(typeof fresh.id_token === 'string' ? fresh.id_token : undefined), c);
      if (rotation === 'rotated') replayable = refresh_token;
      else c.skip('refresh.reuse_rejected', 'the refresh token was not rotated: there is no old token to replay');
      access_token = fresh.access_token as string;
      refresh_token = newRefresh ?? refresh_token;
    }
  }

  // Introspection of the newest access token, with its own probes.
  const introspection_endpoint = endpoint(metadata, 'introspection_endpoint');
  const target: IntrospectionTarget | undefined = introspection_endpoint ? { introspection_endpoint, client, issuer: input.issuer } : undefined;
  if (!target) for (const id of INTROSPECTION_IDS) c.skip(id, 'discovery lists no introspection_endpoint');
  else if (client.method === 'none') for (const id of INTROSPECTION_IDS) c.skip(id, 'a public client cannot authenticate to the introspection endpoint');
  else {
    const answer = await introspect(http, target, access_token, 'access_token');
    const active = judgeIntrospection(answer, c);
    if (active === true) c.pass('introspection.active', 'the IdP says the access token is active');
    else if (active === false) c.violation('introspection.active', 'the IdP says the access token it has just issued is inactive');
    else c.skip('introspection.active', 'no usable introspection answer');
    judgeAgreement(answer.body ?? {}, payloadOf(access_token), active, c);
    await probeIntrospection(http, target, access_token, 'access_token', active, c);
  }

  // Replay of the rotated refresh token: destructive (an IdP that detects reuse revokes the whole grant), so after introspection.
  if (replayable !== undefined) {
    if (!input.destructive) c.skip('refresh.reuse_rejected', OPT_IN);
    else {
      const replay = await refreshGrant(http, { token_endpoint, client, refresh_token: replayable });
      judgeReuse(replay.response.status, bodyOf(replay.response), c);
    }
  }

  // Revocation: destructive, opt-in.
  const revocation_endpoint = endpoint(metadata, 'revocation_endpoint');
  if (!input.destructive) for (const id of REVOCATION_IDS) c.skip(id, OPT_IN);
  else if (!revocation_endpoint) for (const id of REVOCATION_IDS) c.skip(id, 'discovery lists no revocation_endpoint');
  else {
    const revocationTarget = { revocation_endpoint, client, issuer: input.issuer };
    const token = refresh_token ?? access_token;
    const hint = refresh_token ? 'refresh_token' : 'access_token';
    const revoked = judgeRevocation(await revoke(http, revocationTarget, token, hint), c);
    judgeUnknownRevocation(await revoke(http, revocationTarget, randomToken(), hint), c);
    if (!revoked) {
      c.skip('revocation.inactive', 'revocation failed');
      c.skip('revocation.refresh_rejected', 'revocation failed');
      return;
    }
    if (target && client.method !== 'none') {
      const after = await introspect(http, target, token, hint);
      judgeRevokedInactive(after.status, after.body?.active, c);
    } else c.skip('revocation.inactive', 'no introspection to confirm with');
    if (refresh_token) {
      const again = await refreshGrant(http, { token_endpoint, client, refresh_token });
      judgeRevokedRefresh(again.response.status, bodyOf(again.response)?.error, c);
    } else c.skip('revocation.refresh_rejected', 'no refresh token was revoked');
  }
}
