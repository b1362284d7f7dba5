import { describe, expect, it } from 'vitest';
import { CATALOGUE, type CheckId } from '../../../src/checks/catalogue.js';
import { CheckRecorder, type FailableCheckId, type WarnableCheckId } from '../../../src/checks/recorder.js';

// Severity lives in the catalogue (issue 11): a judge may report a check milder than its severity, with
// the reason in the message, never worse. The types forbid a raise; these prove the run-time guard for
// what slips past them (a cast, plain JavaScript).
describe('the recorder never reports a check worse than the catalogue says', () => {
  const ids = (severity: string) => CATALOGUE.filter((d) => d.severity === severity).map((d) => d.id as CheckId);

  it('throws on fail of a warning or info check, and on warn of an info check', () => {
    const c = new CheckRecorder();
    for (const id of [...ids('warning'), ...ids('info')]) expect(() => c.fail(id as FailableCheckId, 'x'), id).toThrow(/would raise it above the catalogue/);
    for (const id of ids('info')) expect(() => c.warn(id as WarnableCheckId, 'x'), id).toThrow(/would raise it above the catalogue/);
    expect(c.results).toEqual([]);
  });

  it('lets an error check fail or be downgraded, and a warning check warn', () => {
    const c = new CheckRecorder();
    for (const id of ids('error')) {
      expect(c.fail(id as FailableCheckId, 'x').status).toBe('fail');
      expect(c.warn(id as WarnableCheckId, 'downgraded: the reason').status).toBe('warn');
    }
    for (const id of ids('warning')) expect(c.warn(id as WarnableCheckId, 'x').status).toBe('warn');
  });

  it('names the id and its severity', () => {
    expect(() => new CheckRecorder().fail('jwks.missing_kid' as FailableCheckId, 'x')).toThrow('check catalogue: jwks.missing_kid is a warning check; reporting it as fail would raise it above the catalogue (use violation)');
  });
});
