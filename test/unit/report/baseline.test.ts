import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../../../src/checks/types.js';
import { applyBaseline, baselineOf, parseBaseline } from '../../../src/report/baseline.js';
import { isOk } from '../../../src/report/model.js';

const checks = (): CheckResult[] => [
  { id: 'discovery.alg_none', status: 'warn', message: '"none" listed', spec: 's' },
  { id: 'probe.code_reuse', status: 'fail', message: 'accepted twice', spec: 's' },
  { id: 'discovery.issuer_match', status: 'pass', message: 'identical', spec: 's' },
];

describe('check --baseline', () => {
  it('today\'s findings written as a baseline are all accepted: the run passes, every finding still reported', () => {
    const today = checks();
    const baseline = parseBaseline(JSON.stringify(baselineOf(today, 'https://idp.example.com')), 'b.json');
    expect(applyBaseline(today, baseline, 'b.json')).toBe(2);
    expect(today.filter((check) => check.accepted).map((check) => check.id)).toEqual(['discovery.alg_none', 'probe.code_reuse']);
    expect(isOk({ checks: today }, true)).toBe(true);
  });

  it('a new finding, or an accepted warning that now fails, is not accepted and fails the run', () => {
    const baseline = parseBaseline(JSON.stringify({ oidc_cli_baseline: 1, accepted: [{ id: 'discovery.alg_none', status: 'warn' }, { id: 'probe.pkce_plain', status: 'warn' }] }), 'b.json');
    const today = checks();
    today[0]!.status = 'fail';
    applyBaseline(today, baseline, 'b.json');
    expect(today.some((check) => check.accepted)).toBe(false);
    expect(isOk({ checks: today }, false)).toBe(false);
  });

  it('a file that is not a baseline is exit 2 with the reason', () => {
    expect(() => parseBaseline('{"accepted": []}', 'b.json')).toThrow(/not an oidc-cli baseline/);
    expect(() => parseBaseline('nope', 'b.json')).toThrow(/is not JSON/);
    expect(() => parseBaseline('{"oidc_cli_baseline": 1, "accepted": [{"id": 3}]}', 'b.json')).toThrow(/needs an "id" and a "status"/);
  });
});
