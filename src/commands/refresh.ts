import { CheckRecorder } from '../checks/recorder.js';
import { judgeReuse, judgeRotation, rotationExpected } from '../core/refresh-checks.js';
import { refreshGrant } from '../core/refresh.js';
import type { Report, Section } from '../report/model.js';
import { redact } from '../report/redact.js';
import { cacheFilePath, loadTokens, type TokenEntry } from '../store/cache.js';
import { withFileLock } from '../store/lock.js';
import { epochWithRelative } from '../util/duration.js';
import type { Context } from './context.js';
import { cachedVerdict, openSession, tokenArgument, type Session, type SessionFlags } from './lifecycle-session.js';
import { refreshJudgeAndCache } from './refresh-step.js';
import { cacheReportData } from '../store/cache-policy.js';

export interface RefreshOptions extends SessionFlags {
  refreshToken?: string;
  /** undefined: on for public clients (RFC 9700 §2.2.2), off for confidential ones. */
  expectRotation?: boolean;
  checkReuse?: boolean;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

const cell = (value: unknown) => (value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value));

export async function run(options: RefreshOptions, context: Context): Promise<Report> {
  const session = await openSession(options, context, { useCache: true });
  const { cached, client } = session;
  const { token: argument, source } = await tokenArgument(options.refreshToken, context, () => cached?.refresh_token, 'refresh token');
  if (source !== 'cache') return refreshAndReport(session, options, argument, source, cached && cached.refresh_token === argument ? cached : undefined);
  // Serialised with `token`, which may be refreshing the same login: re-read the cache under the lock.
  return withFileLock(cacheFilePath(client, session.store.env), async () => {
    const current = (await loadTokens(client, session.store)) ?? cached;
    const refreshToken = current?.refresh_token ?? argument;
    return refreshAndReport(session, options, refreshToken, source, current);
  });
}

async function refreshAndReport(session: Session, options: RefreshOptions, oldRefresh: string, source: string, before: TokenEntry | undefined): Promise<Report> {
  const { context, client } = session;
  const show = context.globals.showTokens;
  session.http.addSecret(oldRefresh);

  const c = new CheckRecorder();
  // Cached (with its verdict) only when it is the cached login's refresh token, not one passed for a look.
  const outcome = await refreshJudgeAndCache(session, oldRefresh, before, c, { scope: options.scope, cache: source === 'cache' || before !== undefined });
  const { originalClaims, refreshedClaims } = outcome;
  const sections: Section[] = [];
  const now = nowSeconds();
  const data: Record<string, unknown> = { issuer: client.issuer, client_id: client.client_id, refresh_token_source: source };
  const used = cachedVerdict(session, source);
  if (used) data.cache_entry = used;

  if (outcome.tokens && outcome.entry) {
    const after = outcome.entry;
    if (outcome.cache) data.cache = cacheReportData(outcome.cache);
    const expected = rotationExpected(options.expectRotation, session.credentials.method);
    const rotation = judgeRotation(oldRefresh, outcome.tokens.refresh_token, expected, c);
    data.rotation = { rotated: rotation === 'rotated', expected };

    const row = (name: string, a: string | undefined, b: string | undefined) => [name, a ? redact(a, show) : '', b ? redact(b, show) : '', a && b ? (a === b ? 'same' : 'new') : ''];
    sections.push({
      title: 'Tokens',
      kind: 'table',
      columns: ['', 'before', 'after', ''],
      rows: [
        row('access_token', before?.access_token, after.access_token),
        row('refresh_token', oldRefresh, outcome.tokens.refresh_token ?? '(none returned: old one kept)'),
        row('id_token', before?.id_token, outcome.tokens.id_token),
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

    if (options.checkReuse) await probeReuse(session, oldRefresh, rotation === 'rotated', c);
    else c.skip('refresh.reuse_rejected', 'not probed (opt in with --check-reuse)');
  } else {
    data.error = outcome.error;
    c.skip('refresh.rotation', 'the refresh failed');
  }
  return { command: 'refresh', checks: c.results, data, sections };
}

async function probeReuse(session: Session, oldRefresh: string, rotated: boolean, c: CheckRecorder): Promise<void> {
  if (!rotated) {
    c.skip('refresh.reuse_rejected', 'the refresh token was not rotated: there is no old token to replay');
    return;
  }
  session.context.ui.warn('--check-reuse: replaying the old refresh token. An IdP that detects reuse revokes the whole grant, so the new tokens may stop working too (log in again afterwards).');
  const replay = await refreshGrant(session.http, { token_endpoint: session.endpoint('token_endpoint'), client: session.credentials, refresh_token: oldRefresh });
  let body: unknown;
  try {
    body = replay.response.json();
  } catch {
    body = undefined;
  }
  judgeReuse(replay.response.status, body, c);
}

export function redactEntry(entry: TokenEntry, show: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { ...entry };
  for (const name of ['access_token', 'refresh_token', 'id_token'] as const) if (entry[name]) out[name] = redact(entry[name]!, show);
  return out;
}
