import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import Ajv from 'ajv-draft-04';
import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../../src/checks/types.js';
import { specLink } from '../../src/checks/spec-links.js';
import { emptyReport } from '../../src/report/model.js';
import { renderSarif, renderSarifError } from '../../src/report/sarif.js';

// The OASIS SARIF 2.1.0 schema, as shipped by Microsoft's SARIF test matchers (a dev dependency).
const require = createRequire(import.meta.url);
const schema = JSON.parse(readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'));
// unicodeRegExp off: the schema's language-tag pattern is not a valid regular expression with the u flag.
const validate = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false }).compile(schema);

const LOCATION = 'https://idp.example.com/.well-known/openid-configuration';
const check = (id: string, status: CheckResult['status'], message: string): CheckResult => ({ id, status, message, spec: 'x' });

function report() {
  const r = emptyReport('check');
  r.checks = [
    check('discovery.issuer_match', 'pass', 'identical'),
    check('probe.code_reuse', 'fail', 'the same code redeemed a second time: accepted'),
    check('probe.pkce_plain', 'warn', 'plain accepted'),
    check('probe.token_get', 'skip', 'not run'),
  ];
  r.checks[1]!.hint = 'Mark a code used on first redemption.';
  return r;
}

describe('SARIF 2.1.0 (check --sarif)', () => {
  it('is valid against the OASIS schema: a rule per check judged, a result per failed or warned check', () => {
    const log = JSON.parse(renderSarif(report(), { toolVersion: '0.1.0', location: LOCATION, exitCode: 1, warningsFail: false }));
    expect(validate(log), JSON.stringify(validate.errors)).toBe(true);
    const run = log.runs[0];
    expect(run.tool.driver.rules.map((r: { id: string }) => r.id)).toEqual(['discovery.issuer_match', 'probe.code_reuse', 'probe.pkce_plain', 'probe.token_get']);
    expect(run.results.map((r: { ruleId: string; level: string }) => [r.ruleId, r.level])).toEqual([['probe.code_reuse', 'error'], ['probe.pkce_plain', 'warning']]);
    expect(run.results[0].ruleIndex).toBe(1);
    expect(run.results[0].message.text).toBe('the same code redeemed a second time: accepted. Hint: Mark a code used on first redemption.');
    expect(run.results[0].locations[0].physicalLocation.artifactLocation.uri).toBe(LOCATION);
    expect(run.invocations[0]).toEqual({ executionSuccessful: true, exitCode: 1 });
    // and the schema check is not a formality: a level SARIF does not define is refused
    run.results[0].level = 'fatal';
    expect(validate(log)).toBe(false);
  });

  it('rules carry the catalogue: title, spec, hint, level and a link to the spec section', () => {
    const log = JSON.parse(renderSarif(report(), { toolVersion: '0.1.0', location: LOCATION, exitCode: 1, warningsFail: false }));
    const reuse = log.runs[0].tool.driver.rules[1];
    expect(reuse.shortDescription.text).toBe('An authorization code can be redeemed only once');
    expect(reuse.fullDescription.text).toContain('RFC 6749 §4.1.2');
    expect(reuse.helpUri).toBe('https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2');
    expect(reuse.defaultConfiguration.level).toBe('error');
    expect(reuse.properties['security-severity']).toBe('7.5');
  });

  it('warnings are errors when they fail the run (--fail-on warn), so the scan agrees with the exit code', () => {
    const log = JSON.parse(renderSarif(report(), { toolVersion: '0.1.0', location: LOCATION, exitCode: 1, warningsFail: true }));
    expect(log.runs[0].results.map((r: { level: string }) => r.level)).toEqual(['error', 'error']);
  });

  it('a run that could not complete is a valid log with the reason as a notification', () => {
    const log = JSON.parse(renderSarifError('could not connect to idp.example.com', { toolVersion: '0.1.0', exitCode: 3 }));
    expect(validate(log), JSON.stringify(validate.errors)).toBe(true);
    expect(log.runs[0].invocations[0]).toMatchObject({ executionSuccessful: false, exitCode: 3, toolExecutionNotifications: [{ level: 'error', message: { text: 'could not connect to idp.example.com' } }] });
  });

  it('specLink: RFC sections, OpenID documents, nothing for what has no stable URL', () => {
    expect(specLink('RFC 9700 §2.1.1, RFC 8414 §2')).toBe('https://www.rfc-editor.org/rfc/rfc9700#section-2.1.1');
    expect(specLink('RFC 7009')).toBe('https://www.rfc-editor.org/rfc/rfc7009');
    expect(specLink('OIDC Core §3.1.3.7 step 3')).toBe('https://openid.net/specs/openid-connect-core-1_0.html');
    expect(specLink('HTTP Semantics')).toBeUndefined();
  });
});
