import { XMLParser, XMLValidator } from 'fast-xml-parser';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../../src/checks/types.js';
import { renderJunit, renderJunitError, xmlAttribute, xmlText } from '../../src/report/junit.js';

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => ['testsuite', 'testcase'].includes(name), parseTagValue: false, parseAttributeValue: false, trimValues: false, htmlEntities: true });

type Case = { classname: string; name: string; failure?: { message: string; type: string; '#text': string }; skipped?: { message: string }; 'system-out'?: string };

function parse(xml: string) {
  expect(XMLValidator.validate(xml)).toBe(true);
  const doc = parser.parse(xml) as { testsuites: Record<string, string> & { testsuite: Array<Record<string, string> & { testcase: Case[] }> } };
  return doc.testsuites;
}

const checks: CheckResult[] = [
  { id: 'discovery.issuer_match', status: 'pass', message: 'issuer equals "https://idp.example.com"', spec: 'OIDC Discovery §4.3' },
  { id: 'probe.code_reuse', status: 'fail', message: 'the second redemption got HTTP 200 with tokens', spec: 'RFC 6749 §4.1.2', hint: 'mark codes used' },
  { id: 'probe.pkce_plain', status: 'warn', message: 'plain accepted', spec: 'RFC 9700 §2.1.1', hint: 'S256 only' },
  { id: 'probe.prompt_none', status: 'skip', message: 'no user flow: pass --browser-command', spec: 'OIDC Core §3.1.2.1' },
];

describe('JUnit report', () => {
  it('one testsuite per group, one testcase per check, failures with message and spec, skips as <skipped/>', () => {
    const suites = parse(renderJunit({ checks, steps: [{ name: 'discovery', ms: 1500 }, { name: 'probes', ms: 2000 }, { name: 'total', ms: 2500 }] }, { warningsFail: false, name: 'oidc-cli check' }));
    expect(suites).toMatchObject({ name: 'oidc-cli check', tests: '4', failures: '1', errors: '0', skipped: '1', time: '2.500' });
    expect(suites.testsuite.map((s) => [s.name, s.tests, s.failures, s.skipped])).toEqual([
      ['discovery', '1', '0', '0'],
      ['probe', '3', '1', '1'],
    ]);
    const [reuse, plain, prompt] = suites.testsuite[1]!.testcase;
    expect(reuse).toMatchObject({ classname: 'probe', name: 'probe.code_reuse', failure: { message: checks[1]!.message, type: 'fail' } });
    expect(reuse!.failure!['#text']).toBe('the second redemption got HTTP 200 with tokens\nspec: RFC 6749 §4.1.2\nhint: mark codes used');
    expect(plain!.failure).toBeUndefined();
    expect(plain!['system-out']).toBe('warning: plain accepted\nspec: RFC 9700 §2.1.1\nhint: S256 only');
    expect(prompt).toMatchObject({ skipped: { message: 'no user flow: pass --browser-command' } });
    expect(suites.testsuite[0]!.testcase[0]!['system-out']).toBe(checks[0]!.message);
  });

  it('a testcase carries the time of its check when known (a probe), else 0', () => {
    const suites = parse(renderJunit({ checks }, { warningsFail: false, name: 'x', msOf: (id) => (id === 'probe.code_reuse' ? 1234 : undefined) }));
    expect(suites.testsuite.flatMap((s) => s.testcase.map((c) => [c.name, (c as unknown as { time: string }).time]))).toEqual([
      ['discovery.issuer_match', '0.000'],
      ['probe.code_reuse', '1.234'],
      ['probe.pkce_plain', '0.000'],
      ['probe.prompt_none', '0.000'],
    ]);
  });

  it('a warning is a failure when warnings fail the run, so the XML agrees with the exit code', () => {
    const suites = parse(renderJunit({ checks }, { warningsFail: true, name: 'x' }));
    expect(suites.failures).toBe('2');
    expect(suites.testsuite[1]!.testcase[1]!.failure).toMatchObject({ type: 'warn', message: 'plain accepted' });
  });

  it('hostile strings survive the round trip: markup, quotes, "]]>", newlines and tabs in attributes', () => {
    const hostile = `<script>alert("x")</script> & 'q' ]]> <![CDATA[ x ]]> \n\tline2\r\n</failure></testcase>`;
    const xml = renderJunit({ checks: [{ id: 'probe.code_reuse', status: 'fail', message: hostile, spec: 'RFC "6749" & <more>' }] }, { warningsFail: false, name: hostile });
    expect(xml).not.toContain('<script>');
    expect(xml).not.toContain(']]>');
    const suites = parse(xml);
    expect(suites.name).toBe(hostile);
    const failure = suites.testsuite[0]!.testcase[0]!.failure!;
    expect(failure.message).toBe(hostile);
    expect(failure['#text']).toBe(`${hostile}\nspec: RFC "6749" & <more>`);
  });

  it('characters XML 1.0 cannot carry become visible \\u escapes instead of breaking the file', () => {
    const message = `nul\u0000 bell\u0007 esc\u001b ffff\uFFFF lone\uD800 ok\u{1F600}`;
    const suites = parse(renderJunit({ checks: [{ id: 'probe.code_reuse', status: 'fail', message, spec: 's' }] }, { warningsFail: false, name: 'x' }));
    expect(suites.testsuite[0]!.testcase[0]!.failure!.message).toBe('nul\\u0000 bell\\u0007 esc\\u001b ffff\\uffff lone\\ud800 ok\u{1F600}');
  });

  it('any string is well-formed XML and reads back (minus the characters XML cannot hold)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (message, spec) => {
        const xml = renderJunit({ checks: [{ id: 'probe.code_reuse', status: 'fail', message, spec }] }, { warningsFail: false, name: message });
        expect(XMLValidator.validate(xml)).toBe(true);
        const failure = parse(xml).testsuite[0]!.testcase[0]!.failure!;
        const visible = message.replace(/[^\t\n\r\u0020-\u007e\u00a0-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
        expect(failure.message).toBe(visible);
      }),
      { numRuns: 300 },
    );
  });

  it('escapes text and attributes as XML 1.0 wants', () => {
    expect(xmlText('a<b>&]]>\r')).toBe('a&lt;b&gt;&amp;]]&gt;&#13;');
    expect(xmlAttribute(`"'\n\t\r`)).toBe('&quot;&apos;&#10;&#9;&#13;');
  });

  it('a run that could not complete is one testcase with an <error>, not a failure of a check', () => {
    const suites = parse(renderJunitError('oidc-cli check x', { code: 'NETWORK', message: 'connection refused by 127.0.0.1:9 <&>', hint: 'is it up?' }));
    expect(suites).toMatchObject({ tests: '1', failures: '0', errors: '1' });
    const [testcase] = suites.testsuite[0]!.testcase as unknown as Array<{ name: string; error: { message: string; type: string; '#text': string } }>;
    expect(testcase).toMatchObject({ name: 'check.run', error: { message: 'connection refused by 127.0.0.1:9 <&>', type: 'NETWORK', '#text': 'connection refused by 127.0.0.1:9 <&>\nhint: is it up?' } });
  });

  it('and the checks judged before the stop follow it, with their failures counted', () => {
    const judged = [
      { id: 'discovery.issuer_match' as const, status: 'pass' as const, message: 'identical', spec: 's' },
      { id: 'discovery.https' as const, status: 'fail' as const, message: 'not https', spec: 's' },
    ];
    const suites = parse(renderJunitError('oidc-cli check x', { code: 'PROTOCOL', message: 'the JWKS is not JSON', judged }));
    expect(suites).toMatchObject({ tests: '3', failures: '1', errors: '1' });
    expect(suites.testsuite.map((suite) => suite.name)).toEqual(['check', 'discovery']);
  });
});

describe('terminal-safe JUnit', () => {
  it('escapes DEL and C1 controls (the 8-bit CSI U+009B) as visible \\u escapes', () => {
    const xml = renderJunit({ checks: [{ id: 'x.y', status: 'fail', message: 'a\u009b2Jb\u007fc\u0085d', spec: 's' }] }, { warningsFail: false, name: 'n' });
    expect(xml).not.toMatch(/[\u007f-\u009f]/);
    expect(xml).toContain('a\\u009b2Jb\\u007fc\\u0085d');
  });
});
