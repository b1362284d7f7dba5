import { describe, expect, it } from 'vitest';
import { epochIso, epochWithRelative, humanDuration, parseDuration, relativeTime } from '../../../src/util/duration.js';
import { CliError } from '../../../src/errors.js';

describe('durations', () => {
  it('parses seconds and units', () => {
    expect(parseDuration('30', '--timeout')).toBe(30);
    expect(parseDuration('30s', '--timeout')).toBe(30);
    expect(parseDuration('5m', '--timeout')).toBe(300);
    expect(parseDuration('1.5h', '--timeout')).toBe(5400);
    expect(parseDuration('500ms', '--timeout')).toBe(0.5);
  });

  it('refuses anything else with a usage error naming the flag', () => {
    for (const bad of ['', 'soon', '-5', '5 minutes', '1e3']) {
      expect(() => parseDuration(bad, '--max-age')).toThrow(CliError);
      expect(() => parseDuration(bad, '--max-age')).toThrow(/--max-age/);
    }
  });

  it('refuses what is over the flag\'s maximum (a timer holds at most 2^31-1 ms), and a zero --timeout', () => {
    expect(parseDuration('24h', '--timeout')).toBe(86400);
    expect(() => parseDuration('25d', '--timeout')).toThrow('--timeout: "25d" is more than the maximum of 1d');
    expect(() => parseDuration('86401', '--clock-skew')).toThrow(/maximum of 1d/);
    expect(() => parseDuration('9'.repeat(400), '--timeout')).toThrow(/maximum/);
    expect(() => parseDuration('0', '--timeout')).toThrow('--timeout: "0" must be more than 0');
    expect(parseDuration('0', '--clock-skew')).toBe(0);
    expect(parseDuration('366d', '--max-age')).toBe(366 * 86400);
    expect(() => parseDuration('367d', '--max-age')).toThrow(/maximum of 366d/);
  });

  it('shows epochs without ever throwing', () => {
    expect(epochIso(0)).toBe('1970-01-01T00:00:00.000Z');
    for (const odd of [1e300, -1, 8.64e12 + 1, Infinity, 'soon', { toString: null }]) expect(() => epochIso(odd)).not.toThrow();
    expect(epochWithRelative(1e300, 0)).toBe('1e+300 (out of range)');
    expect(epochWithRelative(undefined, 0)).toBe('');
  });

  it('writes the same ISO 8601 as Date does, without a Date for whole seconds', () => {
    // Leap days (2000, 2100 is none), the ends of years and centuries, the last second before year 10000
    // (six-digit years and fractions go through Date), and a spread of seconds in between.
    const edges = [0, 59, 86399, 86400, 951782399, 951782400, 951868800, 4107542399, 4107542400, 4102444799, 253402300799, 253402300800, 1e12, 1796684990.5, 8.64e12];
    const spread = Array.from({ length: 20_000 }, (_, i) => Math.floor(i * 12_670_115.3 + (i % 7) * 3_601));
    for (const seconds of [...edges, ...spread]) expect(epochIso(seconds), String(seconds)).toBe(new Date(seconds * 1000).toISOString());
  });

  it('humanises with the two most significant units', () => {
    expect(humanDuration(252)).toBe('4m 12s');
    expect(humanDuration(3 * 3600 + 5 * 60 + 7)).toBe('3h 5m');
    expect(humanDuration(0)).toBe('0s');
    expect(relativeTime(1000, 700)).toBe('in 5m');
    expect(relativeTime(700, 1000)).toBe('5m ago');
    expect(relativeTime(1000.4, 1000)).toBe('just now');
  });
});
