import type { CheckId } from './catalogue.js';

/** The status of one judged check, as printed and as in JSON (PRODUCT.md "The report"). */
export type Status = 'pass' | 'fail' | 'warn' | 'skip';

/**
 * How bad a violation is (CHECKS.md): `error` — a MUST is broken or security is at stake, judged `fail`;
 * `warning` — a SHOULD or a strong heuristic, judged `warn`; `info` — worth showing, judged `pass` with a note.
 */
export type Severity = 'error' | 'warning' | 'info';

/** One entry of the catalogue: data only. */
export interface CheckDefinition {
  /** Stable dotted id, e.g. `id_token.aud`. Never renamed once released: scripts filter on it. */
  id: string;
  title: string;
  /** Where the rule comes from, e.g. "OIDC Core §3.1.3.7 step 3". */
  spec: string;
  severity: Severity;
  /** What to change when it does not pass. */
  hint?: string;
}

/** A judged check, as it appears in a report. */
export interface CheckResult {
  /** One of the catalogue's ids (the closed union CheckId of src/checks/catalogue.ts). */
  id: CheckId;
  status: Status;
  message: string;
  spec: string;
  hint?: string;
  /** Set when `check --baseline` accepts this finding: it is reported, and does not fail the run. */
  accepted?: string;
}
