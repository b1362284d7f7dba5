/**
 * A per-IdP in-memory storage adapter for oidc-provider. Each startIdp() gets its own store, so
 * parallel test files never see each other's sessions or tokens, and oidc-provider does not print
 * its "development-only in-memory adapter" warning (that warning fires only for its built-in one).
 */

interface Entry {
  payload: Record<string, unknown>;
  expiresAt: number;
}

// Models whose records carry a grantId; revoking a grant (refresh token reuse, revocation of a
// refresh token) must take all of them down together.
const GRANTABLE = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
]);

export type AdapterFactory = (model: string) => Adapter;

export function createStore(): AdapterFactory {
  const records = new Map<string, Entry>();
  const index = new Map<string, string>(); // "sessionUid:X" / "userCode:X" → record key
  const grants = new Map<string, Set<string>>(); // grantId → record keys

  const live = (key: string): Entry | undefined => {
    const entry = records.get(key);
    if (entry && entry.expiresAt <= Date.now()) {
      records.delete(key);
      return undefined;
    }
    return entry;
  };

  return (model: string) => new Adapter(model, records, index, grants, live);
}

class Adapter {
  constructor(
    private readonly model: string,
    private readonly records: Map<string, Entry>,
    private readonly index: Map<string, string>,
    private readonly grants: Map<string, Set<string>>,
    private readonly live: (key: string) => Entry | undefined,
  ) {}

  private key(id: string): string {
    return `${this.model}:${id}`;
  }

  async upsert(id: string, payload: Record<string, unknown>, expiresIn?: number): Promise<void> {
    const key = this.key(id);
    const expiresAt = typeof expiresIn === 'number' ? Date.now() + expiresIn * 1000 : Infinity;
    this.records.set(key, { payload, expiresAt });
    if (this.model === 'Session' && typeof payload.uid === 'string') {
      this.index.set(`sessionUid:${payload.uid}`, key);
    }
    if (typeof payload.userCode === 'string') {
      this.index.set(`userCode:${payload.userCode}`, key);
    }
    if (GRANTABLE.has(this.model) && typeof payload.grantId === 'string') {
      const members = this.grants.get(payload.grantId) ?? new Set<string>();
      members.add(key);
      this.grants.set(payload.grantId, members);
    }
  }

  async find(id: string): Promise<Record<string, unknown> | undefined> {
    return this.live(this.key(id))?.payload;
  }

  async findByUid(uid: string): Promise<Record<string, unknown> | undefined> {
    const key = this.index.get(`sessionUid:${uid}`);
    return key ? this.live(key)?.payload : undefined;
  }

  async findByUserCode(userCode: string): Promise<Record<string, unknown> | undefined> {
    const key = this.index.get(`userCode:${userCode}`);
    return key ? this.live(key)?.payload : undefined;
  }

  async consume(id: string): Promise<void> {
    const entry = this.live(this.key(id));
    if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
  }

  async destroy(id: string): Promise<void> {
    this.records.delete(this.key(id));
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    for (const key of this.grants.get(grantId) ?? []) this.records.delete(key);
    this.grants.delete(grantId);
  }
}
