import { describe, expect, it } from 'vitest';
import { CATALOGUE, checkDefinition } from '../../../src/checks/catalogue.js';
import { CheckRecorder } from '../../../src/checks/recorder.js';

describe('the check catalogue', () => {
  it('has unique, dotted, lower-case ids with a title, spec and severity each', () => {
    const ids = CATALOGUE.map((d) => d.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const d of CATALOGUE) {
      expect(d.id).toMatch(/^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/);
      expect(d.title.length).toBeGreaterThan(5);
      expect(d.spec).toMatch(/RFC|OIDC|OpenID|FAPI|OAuth|HTTP/);
      expect(['error', 'warning', 'info']).toContain(d.severity);
    }
  });

  it('throws on an unknown id so a typo cannot emit an undocumented check', () => {
    expect(() => checkDefinition('jwt.no_such_check')).toThrow(/unknown check id/);
  });

  it('maps a violation to the severity: error → fail, warning → warn, info → pass', () => {
    const c = new CheckRecorder();
    expect(c.violation('jwt.exp', 'x').status).toBe('fail');
    expect(c.violation('jwt.kid', 'x').status).toBe('warn');
    expect(c.violation('token_response.access_token_kind', 'x').status).toBe('pass');
    expect(c.violation('jwt.exp', 'x').hint).toBe(checkDefinition('jwt.exp').hint);
    expect(c.pass('jwt.exp', 'ok').hint).toBeUndefined();
  });
});
