import { usageError } from '../errors.js';

const UNITS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };

/**
 * Parses a duration flag into seconds: a bare number is seconds ("30"), or a number with a unit
 * ("500ms", "30s", "5m", "1h", "2d"). Throws a usage error naming the flag otherwise.
 */
export function parseDuration(value: string, flag: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/i.exec(value);
  if (!match) throw usageError(`${flag}: "${value}" is not a duration (use seconds like 30, or 30s, 5m, 1h)`);
  const seconds = Number(match[1]) * UNITS[(match[2] ?? 's').toLowerCase()]!;
  if (!Number.isFinite(seconds)) throw usageError(`${flag}: "${value}" is out of range`);
  return seconds;
}

/** "4m 12s", "3h 5m", "2d 1h": two most significant units, for humans. */
export function humanDuration(totalSeconds: number): string {
  let s = Math.round(Math.abs(totalSeconds));
  const parts: string[] = [];
  for (const [unit, size] of [['d', 86400], ['h', 3600], ['m', 60], ['s', 1]] as const) {
    if (s >= size || (unit === 's' && parts.length === 0)) {
      parts.push(`${Math.floor(s / size)}${unit}`);
      s %= size;
    }
    if (parts.length === 2) break;
  }
  return parts.join(' ');
}

/** "in 4m 12s" / "3h 5m ago", relative to `now` (both in seconds since the epoch). */
export function relativeTime(epochSeconds: number, nowSeconds: number): string {
  const delta = epochSeconds - nowSeconds;
  if (Math.abs(delta) < 1) return 'just now';
  return delta >= 0 ? `in ${humanDuration(delta)}` : `${humanDuration(delta)} ago`;
}
