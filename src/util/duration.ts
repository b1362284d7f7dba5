import { usageError } from '../errors.js';

const UNITS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };

const DAY = 86400;

/**
 * The largest value each duration flag takes, in seconds. Node's timers hold at most 2^31-1 ms (24.8
 * days) and fire at once beyond it, so a bound is what makes `--timeout 25d` an error instead of an
 * instant timeout; a day is more than any login or IdP call needs. max_age may reasonably be long.
 */
export const DURATION_LIMITS: Record<string, number> = {
  '--timeout': DAY,
  '--clock-skew': DAY,
  '--min-ttl': DAY,
  '--max-age': 366 * DAY,
};

/**
 * Parses a duration flag into seconds: a bare number is seconds ("30"), or a number with a unit
 * ("500ms", "30s", "5m", "1h", "2d"), at most the flag's limit (DURATION_LIMITS, else a day).
 * Throws a usage error naming the flag otherwise.
 */
export function parseDuration(value: string, flag: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/i.exec(value);
  if (!match) throw usageError(`${flag}: "${value}" is not a duration (use seconds like 30, or 30s, 5m, 1h)`);
  const seconds = Number(match[1]) * UNITS[(match[2] ?? 's').toLowerCase()]!;
  const max = DURATION_LIMITS[flag] ?? DAY;
  if (!Number.isFinite(seconds) || seconds > max) throw usageError(`${flag}: "${value}" is more than the maximum of ${humanDuration(max)}`);
  // A zero budget would time out before the first request; zero skew or max_age are meaningful.
  if (flag === '--timeout' && seconds <= 0) throw usageError(`${flag}: "${value}" must be more than 0`);
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

/**
 * The largest epoch second a Date can hold (ECMAScript: ±8.64e15 ms, year 275760). Beyond it
 * toISOString throws; a time from outside the process is therefore checked against it first.
 */
export const MAX_EPOCH_SECONDS = 8.64e12;

/** A number of seconds since the epoch that a Date can show: finite, 0 up to MAX_EPOCH_SECONDS. */
export const isEpochInRange = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= MAX_EPOCH_SECONDS;

/** ISO 8601 for an epoch in seconds; an out-of-range or non-numeric value as itself (never throws). */
export function epochIso(epochSeconds: unknown): string {
  if (!isEpochInRange(epochSeconds)) return JSON.stringify(epochSeconds) ?? String(epochSeconds);
  return Number.isInteger(epochSeconds) && epochSeconds < YEAR_10000 ? wholeSecondIso(epochSeconds) : new Date(epochSeconds * 1000).toISOString();
}

/** 10000-01-01T00:00:00Z: from there on toISOString writes a six-digit year. */
const YEAR_10000 = 253402300800;
const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

/**
 * What `new Date(s * 1000).toISOString()` gives for a whole second before the year 10000, without the
 * Date: batch decode writes two or three per token, and the Date costs more than the rest of the claims.
 * The civil date of a day number, counted in 400-year eras of 146097 days that start on 1 March.
 */
function wholeSecondIso(epochSeconds: number): string {
  const days = Math.floor(epochSeconds / 86400);
  const secondOfDay = epochSeconds - days * 86400;
  const shifted = days + 719468; // days since 0000-03-01
  const era = Math.floor(shifted / 146097);
  const dayOfEra = shifted - era * 146097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthFromMarch = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthFromMarch + 2) / 5) + 1;
  const month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  const hours = Math.floor(secondOfDay / 3600);
  const minutes = Math.floor((secondOfDay % 3600) / 60);
  return `${String(year).padStart(4, '0')}-${pad2(month)}-${pad2(day)}T${pad2(hours)}:${pad2(minutes)}:${pad2(secondOfDay % 60)}.000Z`;
}

/** "2026-12-04T03:00:00.000Z (in 5m)", or '' for undefined: for tables of cached times. */
export function epochWithRelative(epochSeconds: number | undefined, nowSeconds: number): string {
  if (epochSeconds === undefined) return '';
  return isEpochInRange(epochSeconds) ? `${epochIso(epochSeconds)} (${relativeTime(epochSeconds, nowSeconds)})` : `${epochIso(epochSeconds)} (out of range)`;
}

/** "in 4m 12s" / "3h 5m ago", relative to `now` (both in seconds since the epoch). */
export function relativeTime(epochSeconds: number, nowSeconds: number): string {
  const delta = epochSeconds - nowSeconds;
  if (Math.abs(delta) < 1) return 'just now';
  return delta >= 0 ? `in ${humanDuration(delta)}` : `${humanDuration(delta)} ago`;
}

/** Tolerance for exp/nbf/iat when no --clock-skew is given: one default for every command. */
export const DEFAULT_CLOCK_SKEW_SECONDS = 60;
