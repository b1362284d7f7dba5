import type { CheckResult } from '../checks/types.js';
import { countStatuses, type Report } from './model.js';

/**
 * JUnit XML for CI (GitHub Actions reporters, GitLab `artifacts:reports:junit`, Jenkins): one
 * <testsuite> per check group, one <testcase> per check, classname = group (the id's first segment),
 * name = check id.
 *
 * - fail → <failure message="…" type="fail">, the body carries the message, spec and hint;
 * - warn → a passing testcase whose <system-out> starts with "warning:" (CI shows it without turning
 *   the job red), or a <failure type="warn"> when warnings fail the run (--fail-on warn / --strict),
 *   so the XML verdict always equals the exit code;
 * - skip → <skipped message="reason"/>;
 * - pass → the message in <system-out>.
 *
 * Written by hand (about 40 lines) rather than with a runtime XML dependency; every value goes through
 * `xmlText`/`xmlAttribute`, which also drop what XML 1.0 cannot carry at all (control characters,
 * lone surrogates, U+FFFE/U+FFFF). No CDATA is used, so "]]>" needs no special case: ">" is escaped.
 */

// XML 1.0 §2.2 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]; DEL and the
// C1 controls (§2.2 "discouraged") are escaped too, so `cat report.xml` cannot drive a terminal either.
const NOT_XML_CHAR = /[^\t\n\r\u0020-\u007e\u00a0-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** A character XML cannot represent becomes a visible escape, so the message still says what was there. */
function legal(value: string): string {
  return value.replace(NOT_XML_CHAR, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** \r is written as a reference: a parser turns a literal CR LF into LF (XML 1.0 §2.11). */
export function xmlText(value: string): string {
  return legal(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
}

/** Attribute values also keep their whitespace: a parser would otherwise normalise \n, \r, \t to spaces (XML 1.0 §3.3.3). */
export function xmlAttribute(value: string): string {
  return xmlText(value).replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;');
}

const attributes = (pairs: Record<string, string | number>) =>
  Object.entries(pairs)
    .map(([name, value]) => ` ${name}="${xmlAttribute(String(value))}"`)
    .join('');

export const groupOf = (id: string) => id.split('.')[0]!;

function details(check: CheckResult): string {
  return [check.message, `spec: ${check.spec}`, ...(check.hint ? [`hint: ${check.hint}`] : [])].join('\n');
}

function testcase(check: CheckResult, warningsFail: boolean, seconds: number): string {
  const open = `    <testcase${attributes({ classname: groupOf(check.id), name: check.id, time: seconds.toFixed(3) })}>`;
  let body: string;
  if (check.accepted !== undefined && (check.status === 'fail' || check.status === 'warn')) {
    body = `      <skipped${attributes({ message: `${check.accepted}: ${check.message}` })}/>`;
  } else if (check.status === 'fail' || (check.status === 'warn' && warningsFail)) {
    body = `      <failure${attributes({ message: check.message, type: check.status })}>${xmlText(details(check))}</failure>`;
  } else if (check.status === 'skip') {
    body = `      <skipped${attributes({ message: check.message })}/>`;
  } else if (check.status === 'warn') {
    body = `      <system-out>${xmlText(`warning: ${details(check)}`)}</system-out>`;
  } else {
    body = `      <system-out>${xmlText(check.message)}</system-out>`;
  }
  return `${open}\n${body}\n    </testcase>`;
}

export interface JunitOptions {
  /** Warnings count as failures (--fail-on warn, --strict). */
  warningsFail: boolean;
  /** The suite's name, e.g. "oidc-cli check https://idp.example.com". */
  name: string;
  timestamp?: Date;
  /** Milliseconds spent on a check, when known (a probe's own run); 0 otherwise. */
  msOf?: (id: string) => number | undefined;
}

export function renderJunit(report: Pick<Report, 'checks' | 'steps'>, options: JunitOptions): string {
  // Findings a baseline accepts are reported as skipped, not failures (check --baseline).
  const failuresIn = (checks: readonly CheckResult[]) => {
    const n = countStatuses(checks.filter((check) => check.accepted === undefined));
    return n.fail + (options.warningsFail ? n.warn : 0);
  };
  const skippedIn = (checks: readonly CheckResult[]) => checks.filter((check) => check.status === 'skip' || (check.accepted !== undefined && check.status !== 'pass')).length;
  const groups = new Map<string, CheckResult[]>();
  for (const check of report.checks) {
    const group = groupOf(check.id);
    groups.set(group, [...(groups.get(group) ?? []), check]);
  }
  // Phases may overlap (they run concurrently): a "total" step, when there is one, is the wall time.
  const steps = report.steps ?? [];
  const ms = steps.find((step) => step.name === 'total')?.ms ?? steps.reduce((sum, step) => sum + step.ms, 0);
  const seconds = (ms / 1000).toFixed(3);
  const timestamp = (options.timestamp ?? new Date()).toISOString().replace(/\.\d{3}Z$/, '');
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attributes({ name: options.name, tests: report.checks.length, failures: failuresIn(report.checks), errors: 0, skipped: skippedIn(report.checks), time: seconds })}>`,
  ];
  for (const [group, checks] of groups) {
    lines.push(`  <testsuite${attributes({ name: group, tests: checks.length, failures: failuresIn(checks), errors: 0, skipped: skippedIn(checks), time: 0, timestamp })}>`);
    for (const check of checks) lines.push(testcase(check, options.warningsFail, (options.msOf?.(check.id) ?? 0) / 1000));
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return lines.join('\n') + '\n';
}

/**
 * A run that could not complete (network, TLS, timeout, the sign-in script failed) still leaves a JUnit
 * file, so CI shows why instead of a stale or missing report: one testcase with an <error> (JUnit's
 * "could not run", as opposed to a <failure> of a check), after the checks judged before the stop.
 */
export function renderJunitError(name: string, error: { code: string; message: string; hint?: string | undefined; judged?: readonly CheckResult[] | undefined }, options: Pick<JunitOptions, 'warningsFail'> = { warningsFail: false }): string {
  const body = [error.message, ...(error.hint ? [`hint: ${error.hint}`] : [])].join('\n');
  const judged = error.judged ?? [];
  const failures = countStatuses(judged).fail + (options.warningsFail ? countStatuses(judged).warn : 0);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attributes({ name, tests: judged.length + 1, failures, errors: 1, skipped: countStatuses(judged).skip, time: 0 })}>`,
    `  <testsuite${attributes({ name: 'check', tests: 1, failures: 0, errors: 1, skipped: 0, time: 0 })}>`,
    `    <testcase${attributes({ classname: 'check', name: 'check.run', time: 0 })}>`,
    `      <error${attributes({ message: error.message, type: error.code })}>${xmlText(body)}</error>`,
    '    </testcase>',
    '  </testsuite>',
  ];
  const groups = new Map<string, CheckResult[]>();
  for (const check of judged) groups.set(groupOf(check.id), [...(groups.get(groupOf(check.id)) ?? []), check]);
  for (const [group, checks] of groups) {
    const n = countStatuses(checks);
    lines.push(`  <testsuite${attributes({ name: group, tests: checks.length, failures: n.fail + (options.warningsFail ? n.warn : 0), errors: 0, skipped: n.skip, time: 0 })}>`);
    for (const check of checks) lines.push(testcase(check, options.warningsFail, 0));
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return lines.join('\n') + '\n';
}
