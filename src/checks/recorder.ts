import { checkDefinition, type CheckId } from './catalogue.js';
import type { CheckResult, Status } from './types.js';

const STATUS_FOR_VIOLATION = { error: 'fail', warning: 'warn', info: 'pass' } as const;

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

  /** An explicit failure, whatever the default severity (e.g. a duplicate kid that also collides on kty/alg). */
  fail(id: CheckId, message: string, options: { hint?: string } = {}): CheckResult {
    return this.add(id, 'fail', message, options.hint);
  }

  warn(id: CheckId, message: string, options: { hint?: string } = {}): CheckResult {
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
    const result: CheckResult = { id, status, message, spec: definition.spec };
    const effectiveHint = hint ?? definition.hint;
    if (status !== 'pass' && status !== 'skip' && effectiveHint) result.hint = effectiveHint;
    this.results.push(result);
    return result;
  }
}
