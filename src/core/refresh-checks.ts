import type { CheckRecorder } from '../checks/recorder.js';

/** Whether rotation is required: the flag when given, else on for public clients (RFC 9700 §2.2.2). */
export function rotationExpected(flag: boolean | undefined, clientAuth: string): boolean {
  return flag ?? clientAuth === 'none';
}

/**
 * RFC 9700 §2.2.2: a public client's refresh token is rotated or sender-constrained. When rotation is
 * not expected (confidential client, or --no-expect-rotation for FAPI 2.0) the outcome is only reported.
 */
export function judgeRotation(
  oldToken: string,
  newToken: string | undefined,
  expected: boolean,
  c: CheckRecorder,
): 'rotated' | 'kept' {
  const rotated = newToken !== undefined && newToken !== oldToken;
  const what = newToken === undefined ? 'no new refresh_token in the response (the old one stays in use)' : rotated ? 'a new refresh_token was issued' : 'the same refresh_token was returned';
  if (rotated) c.pass('refresh.rotation', `rotated: ${what}`);
  else if (expected) c.violation('refresh.rotation', `expected rotation, got: ${what}`);
  else c.skip('refresh.rotation', `not rotated (${what}); rotation not required here (confidential client or --no-expect-rotation)`);
  return rotated ? 'rotated' : 'kept';
}

/** How old a freshly issued ID token's iat may look: clock skew plus a slow answer. */
const STALE_IAT_SECONDS = 120;

const show = (value: unknown) => (value === undefined ? '(absent)' : JSON.stringify(value));

function sameAudience(a: unknown, b: unknown): boolean {
  // JSON.stringify, not String(): an aud of {"toString": null} must not crash the judge.
  const text = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
  const list = (v: unknown) => (Array.isArray(v) ? [...v].map(text).sort() : v === undefined ? [] : [text(v)]);
  return JSON.stringify(list(a)) === JSON.stringify(list(b));
}

/** OIDC Core §12.2: what an ID token from a refresh must keep from the original, and what must change. */
export function judgeRefreshedIdToken(
  original: Record<string, unknown> | undefined,
  refreshed: Record<string, unknown> | undefined,
  c: CheckRecorder,
  now = Math.floor(Date.now() / 1000),
  /** Why there are no refreshed claims, when the caller knows better than "no id_token". */
  absent = 'no id_token in the refresh response (OIDC Core §12.2 makes it optional)',
): void {
  const ids = ['refresh.id_token.subject', 'refresh.id_token.auth_time', 'refresh.id_token.iat', 'refresh.id_token.nonce'] as const;
  if (!refreshed) {
    for (const id of ids) c.skip(id, absent);
    return;
  }
  if (!original) {
    for (const id of ids) c.skip(id, 'no original ID token to compare with (none cached)');
    return;
  }
  const changed = (['iss', 'sub'] as const).filter((claim) => original[claim] !== refreshed[claim]);
  if (!sameAudience(original.aud, refreshed.aud)) changed.push('aud' as never);
  const kept = `iss ${show(refreshed.iss)}, sub ${show(refreshed.sub)}, aud ${show(refreshed.aud)}`;
  if (changed.length === 0) c.pass('refresh.id_token.subject', `same ${kept}`);
  else c.violation('refresh.id_token.subject', changed.map((claim) => `${claim}: was ${show(original[claim])}, now ${show(refreshed[claim])}`).join('; '));

  if (original.auth_time === undefined && refreshed.auth_time === undefined) c.skip('refresh.id_token.auth_time', 'auth_time in neither ID token');
  else c.expect('refresh.id_token.auth_time', original.auth_time === refreshed.auth_time, `auth_time kept (${show(refreshed.auth_time)})`, `auth_time was ${show(original.auth_time)}, now ${show(refreshed.auth_time)}`);

  const oldIat = original.iat;
  const newIat = refreshed.iat;
  if (typeof newIat !== 'number') c.violation('refresh.id_token.iat', `iat is ${show(newIat)}, expected the issue time of the new ID token`);
  else if (typeof oldIat === 'number' && newIat < oldIat) c.violation('refresh.id_token.iat', `iat ${newIat} is before the original ID token's iat ${oldIat}`);
  // Equal is fine when the refresh came within the same second; a stale iat is the old token's time reused.
  else if (now - newIat > STALE_IAT_SECONDS) c.violation('refresh.id_token.iat', `iat ${newIat} is ${now - newIat} s old${newIat === oldIat ? ' (the original ID token\'s)' : ''}: expected the time the new ID token was issued`);
  else c.pass('refresh.id_token.iat', `new iat ${newIat} (original ${show(oldIat)})`);

  if (refreshed.nonce === undefined) c.pass('refresh.id_token.nonce', 'no nonce (as recommended)');
  else c.expect('refresh.id_token.nonce', refreshed.nonce === original.nonce, `nonce unchanged (${show(refreshed.nonce)})`, `nonce was ${show(original.nonce)}, now ${show(refreshed.nonce)}`);
}

/** RFC 9700 §4.14.2: the replayed old refresh token must be refused with invalid_grant. */
export function judgeReuse(status: number, body: unknown, c: CheckRecorder): void {
  const error = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).error : undefined;
  if (status === 200) c.violation('refresh.reuse_rejected', 'the old refresh token was accepted again (200): a stolen refresh token would go unnoticed');
  else c.expect('refresh.reuse_rejected', error === 'invalid_grant', `refused with ${status} invalid_grant`, `refused with ${status} ${show(error)}, expected invalid_grant`);
}
