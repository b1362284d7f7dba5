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
export async function pickClient(options: ClientFlags, context: StoreSide, useCache: boolean): Promise<Picked> {
  const store: StoreContext = { env: context.env, warn: (line) => context.ui.warn(line) };
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
  if (matching.length === 0) throw inputError(`no cached login${partial.issuer ? ` for ${partial.issuer}` : ''}${partial.client_id ? ` and client ${partial.client_id}` : ''}`, LOGIN_HINT);
  if (matching.length > 1) {
    const list = matching.map((e) => `${e.issuer} (client ${e.client_id})`).join(', ');
    throw usageError(`several cached logins match: ${list}`, 'pick one with --issuer and --client-id, or --profile NAME');
  }
  const entry = matching[0]!;
  return { client: { ...partial, issuer: entry.issuer, client_id: entry.client_id }, cached: entry, store };
}
