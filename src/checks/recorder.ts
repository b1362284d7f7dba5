import { checkDefinition, type CheckId, type CheckIdOfSeverity } from './catalogue.js';
import type { CheckResult, Status } from './types.js';

const STATUS_FOR_VIOLATION = { error: 'fail', warning: 'warn', info: 'pass' } as const;
/** How bad a status is, to compare with what the catalogue's severity allows (skip and pass are never a raise). */
const STRENGTH: Record<Status, number> = { skip: 0, pass: 0, warn: 1, fail: 2 };

/** The ids `fail` takes: an error in the catalogue. A warning or an info check that is broken is a violation. */
export type FailableCheckId = CheckIdOfSeverity<'error'>;
/** The ids `warn` takes: a warning (as a violation would), or an error downgraded with a reason in the message. */
export type WarnableCheckId = CheckIdOfSeverity<'error' | 'warning'>;

/**
 * Collects judged checks for one report. Every id must exist in the catalogue (a typo throws at once,
 * in tests), and spec and hint come from there so the wording of a rule lives in one place.
 */
export class CheckRecorder {
  readonly results: CheckResult[] = [];

  /** The rule holds. */
  pass(id: CheckId, message: string): CheckResult {
    return this.add(id, 'pass', message);
  }

  /** The rule is broken: status follows the catalogue severity (error → fail, warning → warn, info → pass). */
  violation(id: CheckId, message: string, options: { hint?: string } = {}): CheckResult {
    return this.add(id, STATUS_FOR_VIOLATION[checkDefinition(id).severity], message, options.hint);
  }

  /**
   * A failure of an error check, said where the judge knows it is one (as violation would say it). Severity
   * lives in the catalogue: a judge may report a check milder than it (warn on an error, with the reason
   * in the message), never worse, so fail takes only error ids, and a cast that slips past the type throws.
   */
  fail(id: FailableCheckId, message: string, options: { hint?: string } = {}): CheckResult {
    return this.add(id, 'fail', message, options.hint);
  }

  /** A warning: of a warning check, or of an error check downgraded (say why in the message). Never of an info check. */
  warn(id: WarnableCheckId, message: string, options: { hint?: string } = {}): CheckResult {
    return this.add(id, 'warn', message, options.hint);
  }

  /** Not judged: say why. Never use pass for something that was not checked. */
  skip(id: CheckId, reason: string): CheckResult {
    return this.add(id, 'skip', reason);
  }

  /** Judge a boolean: pass with `passMessage`, otherwise a violation with `failMessage`. */
  expect(id: CheckId, ok: boolean, passMessage: string, failMessage: string): CheckResult {
    return ok ? this.pass(id, passMessage) : this.violation(id, failMessage);
  }

  merge(results: readonly CheckResult[]): void {
    // A loop, not push(...results): spreading a long array into one call overflows the stack.
    for (const result of results) this.results.push(result);
  }

  has(status: Status): boolean {
    return this.results.some((r) => r.status === status);
  }

  private add(id: CheckId, status: Status, message: string, hint?: string): CheckResult {
    const definition = checkDefinition(id);
    // A programming error, like an unknown id: the types forbid it, this catches a cast or plain JavaScript.
    if (STRENGTH[status] > STRENGTH[STATUS_FOR_VIOLATION[definition.severity]]) {
      throw new Error(`check catalogue: ${id} is ${definition.severity === 'info' ? 'an' : 'a'} ${definition.severity} check; reporting it as ${status} would raise it above the catalogue (use violation)`);
    }
    const result: CheckResult = { id, status, message, spec: definition.spec };
    const effectiveHint = hint ?? definition.hint;
    if (status !== 'pass' && status !== 'skip' && effectiveHint) result.hint = effectiveHint;
    this.results.push(result);
    return result;
  }
}
