import { CheckRecorder } from '../checks/recorder.js';
import { probeReuse } from '../core/refresh.js';
import { rotationExpected } from '../core/refresh-checks.js';
import type { Report, Section } from '../report/model.js';
import { redact } from '../report/redact.js';
import { cacheReportData } from '../store/cache-policy.js';
import { cacheFilePath, loadTokens, type TokenEntry } from '../store/cache.js';
import { withFileLock } from '../store/lock.js';
import { epochWithRelative } from '../util/duration.js';
import type { TokenSource } from '../util/token-input.js';
import type { Context } from './context.js';
import { cachedVerdict, openSession, refreshAndCache, tokenFrom, type CommandSession, type SessionFlags } from './session.js';

export interface RefreshOptions extends SessionFlags {
  refreshToken?: string;
  /** undefined: on for public clients (RFC 9700 §2.2.2), off for confidential ones. */
  expectRotation?: boolean;
  checkReuse?: boolean;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

const cell = (value: unknown) => (value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value));

export async function run(options: RefreshOptions, context: Context): Promise<Report> {
  const session = await openSession(options, context, { useCache: true, token: options.refreshToken });
  const { cached, client } = session;
  const { token: argument, source } = await tokenFrom(session, options.refreshToken, () => cached?.refresh_token, 'refresh token');
  if (source !== 'cache') return refreshAndReport(session, options, argument, source, cached && cached.refresh_token === argument ? cached : undefined);
  // Serialised with `token`, which may be refreshing the same login: re-read the cache under the lock.
  return withFileLock(cacheFilePath(client, session.store.env), async () => {
    const current = (await loadTokens(client, session.store)) ?? cached;
    return refreshAndReport(session, options, current?.refresh_token ?? argument, source, current);
  }, { warn: context.ui.warn });
}

async function refreshAndReport(session: CommandSession, options: RefreshOptions, oldRefresh: string, source: TokenSource, before: TokenEntry | undefined): Promise<Report> {
  const { context, client } = session;
  const show = context.globals.showTokens;
  session.issuer.http.addToken(oldRefresh);

  const c = new CheckRecorder();
  const { result, entry: after, cache } = await refreshAndCache(session, oldRefresh, before, c, { scope: options.scope, expectRotation: options.expectRotation, showsNewRefreshToken: context.globals.showTokens });
  const { originalClaims, refreshedClaims } = result;
  const sections: Section[] = [];
  const now = nowSeconds();
  const data: Record<string, unknown> = { issuer: client.issuer, client_id: client.client_id, refresh_token_source: source };
  const used = cachedVerdict(session, source);
  if (used) data.cache_entry = used;

  if (result.tokens && after) {
    if (cache) data.cache = cacheReportData(cache);
    data.rotation = { rotated: result.rotation === 'rotated', expected: rotationExpected(options.expectRotation, session.issuer.client.method) };
    const row = (name: string, a: string | undefined, b: string | undefined) => [name, a ? redact(a, show) : '', b ? redact(b, show) : '', a && b ? (a === b ? 'same' : 'new') : ''];
    sections.push({
      title: 'Tokens',
      kind: 'table',
      columns: ['', 'before', 'after', ''],
      rows: [
        row('access_token', before?.access_token, after.access_token),
        row('refresh_token', oldRefresh, result.tokens.refresh_token ?? '(none returned: old one kept)'),
        row('id_token', before?.id_token, result.tokens.id_token),
        ['expires_at', epochWithRelative(before?.expires_at, now), epochWithRelative(after.expires_at, now), ''],
        ['scope', before?.scope ?? '', after.scope ?? '', ''],
      ],
    });
    if (refreshedClaims) {
      const claims = ['iss', 'sub', 'aud', 'auth_time', 'iat', 'exp', 'nonce', 'at_hash'];
      sections.push({ title: 'ID token claims', kind: 'table', columns: ['claim', 'before', 'after'], rows: claims.map((name) => [name, cell(originalClaims?.[name]), cell(refreshedClaims[name])]).filter(([, a, b]) => a || b) });
    }
    data.before = before ? redactEntry(before, show) : { refresh_token: redact(oldRefresh, show) };
    data.after = redactEntry(after, show);
    if (originalClaims || refreshedClaims) data.id_token_claims = { before: originalClaims ?? null, after: refreshedClaims ?? null };

  } else data.error = result.error;
  await probeReuse(session.issuer, oldRefresh, result, { given: options.checkReuse === true, optIn: '--check-reuse' }, c);
  return { command: 'refresh', checks: c.results, data, sections };
}

export function redactEntry(entry: TokenEntry, show: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { ...entry };
  for (const name of ['access_token', 'refresh_token', 'id_token'] as const) if (entry[name]) out[name] = redact(entry[name]!, show);
  return out;
}
