import { describe, expect, it } from 'vitest';
import { humanDuration, parseDuration, relativeTime } from '../../../src/util/duration.js';
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

  it('humanises with the two most significant units', () => {
    expect(humanDuration(252)).toBe('4m 12s');
    expect(humanDuration(3 * 3600 + 5 * 60 + 7)).toBe('3h 5m');
    expect(humanDuration(0)).toBe('0s');
    expect(relativeTime(1000, 700)).toBe('in 5m');
    expect(relativeTime(700, 1000)).toBe('5m ago');
    expect(relativeTime(1000.4, 1000)).toBe('just now');
  });
});
