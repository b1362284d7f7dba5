import { readClaims } from '../core/jwt/parse.js';
import { inputError, usageError } from '../errors.js';
import { listEntries, loadTokens, type StoreContext, type TokenEntry } from './cache.js';
import { resolveClientPartial, type ClientFlags, type PartialClient, type StoreSide } from './profiles.js';

export const LOGIN_HINT = 'log in first: oidc-cli login --issuer URL --client-id ID (or --profile NAME)';

/** The client a lifecycle command acts for, and its cached login. */
export interface Picked {
  client: PartialClient & { issuer: string; client_id: string };
  cached: TokenEntry | undefined;
  store: StoreContext;
}

/**
 * Picks issuer and client: flags, env and profile first; else the one cached login that matches
 * (`oidc-cli userinfo` right after a login needs no flags). No network.
 */
/** `lookOnly`: read the cache without fixing or setting aside anything (StoreContext.lookOnly: the hot path). */
export async function pickClient(options: ClientFlags, context: StoreSide, useCache: boolean, token?: string, lookOnly = false): Promise<Picked> {
  const store: StoreContext = { env: context.env, warn: (line) => context.ui.warn(line), ...(lookOnly ? { lookOnly } : {}) };
  const partial = await resolveClientPartial(options, context);
  if (partial.issuer && partial.client_id) {
    const client = partial as Picked['client'];
    return { client, cached: useCache ? await loadTokens(client, store) : undefined, store };
  }
  if (!useCache) {
    if (!partial.issuer) throw usageError('no issuer: pass --issuer URL or set OIDC_ISSUER, or use --profile NAME');
    throw usageError('no client id: pass --client-id ID or set OIDC_CLIENT_ID, or use --profile NAME');
  }
  const matching = (await listEntries(store)).filter((e) => (!partial.issuer || e.issuer === partial.issuer) && (!partial.client_id || e.client_id === partial.client_id));
  // A token was given: it is the issuer and client to name, not a login to make.
  if (matching.length === 0 && token !== undefined && token !== '-') throw noClientFor(token, partial);
  if (matching.length === 0) throw inputError(`no cached login${partial.issuer ? ` for ${partial.issuer}` : ''}${partial.client_id ? ` and client ${partial.client_id}` : ''}`, LOGIN_HINT);
  if (matching.length > 1) {
    const list = matching.map((e) => `${e.issuer} (client ${e.client_id})`).join(', ');
    throw usageError(`several cached logins match: ${list}`, 'pick one with --issuer and --client-id, or --profile NAME');
  }
  const entry = matching[0]!;
  return { client: { ...partial, issuer: entry.issuer, client_id: entry.client_id }, cached: entry, store };
}

/** A token given without the issuer and client to ask about it: name them, from the token when it says. */
function noClientFor(token: string, partial: PartialClient) {
  const missing = [!partial.issuer && '--issuer URL', !partial.client_id && '--client-id ID'].filter(Boolean).join(' and ');
  const iss = readClaims(token)?.iss;
  return usageError(
    `no ${!partial.issuer ? 'issuer' : 'client id'} for this token: pass ${missing} (or OIDC_ISSUER / OIDC_CLIENT_ID, or --profile NAME)`,
    typeof iss === 'string' && !partial.issuer ? `the token says it comes from ${JSON.stringify(iss)}: --issuer ${iss}, with a client that issuer knows` : 'the IdP that issued the token answers for it, to a client it knows',
  );
}
