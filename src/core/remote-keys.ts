import type { JWK } from 'jose';
import type { HttpClient } from '../http/types.js';
import { fetchJwks } from './jwks.js';
import type { KeySource } from './jwt/types.js';

/** A key set is fetched again at most this often: batch input naming unknown kids must not refetch per token. */
export const REFETCH_COOLDOWN_MS = 30_000;

/**
 * The one remote key source (jwks_uri, `--jwks URL`), shared by decode, login, check and the lifecycle
 * commands. It owns its keys: on an unknown kid the validator asks it to `refetch` (key rotation, CHECKS.md
 * "JWKS"); concurrent asks share one request, and within the cooldown nothing is fetched at all, so 200
 * tokens naming unknown kids cost one extra fetch, not 200 (jose's createRemoteJWKSet is the model).
 */
export class RemoteKeySet implements KeySource {
  /** Published at a URL: readable by anyone, so a symmetric key in it is refused (jwt/jwk.ts). */
  readonly published = true;
  private inFlight: Promise<boolean> | undefined;
  private fetchedAt: number;

  constructor(
    private current: JWK[],
    readonly label: string,
    private readonly load: () => Promise<JWK[]>,
    private readonly clock: () => number = Date.now,
  ) {
    this.fetchedAt = clock();
  }

  get keys(): readonly JWK[] {
    return this.current;
  }

  /** Fetches the set again unless that was done within the cooldown; true when fresh keys are in. */
  refetch(): Promise<boolean> {
    if (this.inFlight) return this.inFlight;
    if (this.clock() - this.fetchedAt < REFETCH_COOLDOWN_MS) return Promise.resolve(false);
    this.fetchedAt = this.clock();
    this.inFlight = this.load()
      .then((keys) => {
        this.current = keys;
        return true;
      })
      .finally(() => {
        this.inFlight = undefined;
      });
    return this.inFlight;
  }
}

/** Fetches (and audits: an unusable set throws, see fetchJwks) the JWK Set at `url`. */
export async function remoteKeySet(http: HttpClient, url: string, label = `jwks_uri ${url}`): Promise<RemoteKeySet> {
  const load = async () => (await fetchJwks(http, url)).jwks.keys;
  return new RemoteKeySet(await load(), label, load);
}

/** The same, from keys just fetched by the caller (login's discovery step has them already). */
export function remoteKeySetFrom(http: HttpClient, url: string, keys: JWK[], label = `jwks_uri ${url}`): RemoteKeySet {
  return new RemoteKeySet(keys, label, async () => (await fetchJwks(http, url)).jwks.keys);
}
