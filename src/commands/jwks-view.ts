import type { JWK } from 'jose';
import { summarizeKeys, type KeySummary } from '../core/jwks.js';
import { PRIVATE_MEMBERS } from '../core/jwt/jwk.js';
import type { Section } from '../report/model.js';

/** The keys table and JSON rows shared by `jwks` and `discover`. */

const SECRET_MEMBERS: ReadonlySet<string> = new Set(PRIVATE_MEMBERS);

export interface KeyRow extends KeySummary {
  /** The published JWK, with private or symmetric members redacted unless --show-tokens. */
  jwk: Record<string, unknown>;
}

export async function keyRows(jwks: { keys: JWK[] } | undefined, showTokens: boolean): Promise<KeyRow[]> {
  if (!jwks) return [];
  const summaries = summarizeKeys(jwks);
  const objects = jwks.keys.filter((key) => key !== null && typeof key === 'object') as Array<Record<string, unknown>>;
  return summaries.map((summary, i) => {
    const jwk = Object.fromEntries(Object.entries(objects[i] ?? {}).map(([name, value]) => [name, !showTokens && SECRET_MEMBERS.has(name) ? '[redacted]' : value]));
    return { ...summary, jwk };
  });
}

export function keysSection(rows: KeyRow[], title = 'Keys'): Section {
  return {
    title,
    kind: 'table',
    columns: ['kid', 'kty', 'alg', 'use', 'size/curve', 'thumbprint (RFC 7638, SHA-256)'],
    rows: rows.map((row) => [row.kid ?? '(none)', row.kty ?? '?', row.alg ?? '-', row.use ?? '-', row.size ?? '?', row.thumbprint ?? '(malformed key)']),
  };
}

/** The JSON `keys` member: summaries plus the (redacted) JWK. */
export function keysJson(rows: KeyRow[]): Array<Record<string, unknown>> {
  return rows.map((row) => ({ kid: row.kid ?? null, kty: row.kty ?? null, alg: row.alg ?? null, use: row.use ?? null, size: row.size ?? null, thumbprint: row.thumbprint ?? null, jwk: row.jwk }));
}
