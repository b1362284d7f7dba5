import type { CheckResult } from '../checks/types.js';
import { JSON_SCHEMA_VERSION, isOk, type Report } from './model.js';

/** The documented JSON document: `{schema_version, command, ok, ...data, checks, steps?}`. */
export function toJsonDocument(report: Report, strict: boolean): Record<string, unknown> {
  const document: Record<string, unknown> = {
    schema_version: JSON_SCHEMA_VERSION,
    command: report.command,
    ok: isOk(report, strict),
    ...report.data,
    checks: report.checks,
  };
  if (report.steps) document.steps = report.steps;
  return document;
}

export function renderJson(report: Report, strict: boolean, pretty = true): string {
  return JSON.stringify(toJsonDocument(report, strict), null, pretty ? 2 : undefined) + '\n';
}

/**
 * The document of a run that could not complete (PRODUCT.md "One document per run"): with --json, stdout
 * still holds one JSON document, `ok: false` and the error that stopped the run, so a script reading it
 * never gets an empty stdout. `exit_code` is the process's exit code.
 */
export function renderJsonError(command: string, error: { code: string; message: string; hint?: string | undefined; judged?: readonly CheckResult[] | undefined }, exitCode: number): string {
  const document = { schema_version: JSON_SCHEMA_VERSION, command, ok: false, error: { code: error.code, message: error.message, hint: error.hint ?? null, exit_code: exitCode }, checks: error.judged ?? [] };
  return JSON.stringify(document, null, 2) + '\n';
}

/**
 * JSON escapes what JSON.stringify leaves raw but a terminal or a JavaScript consumer would act on (C1
 * controls such as the 8-bit CSI U+009B, and U+2028/U+2029).
 */
const JSON_UNSAFE = /[\u0080-\u009f\u2028\u2029]/g;
export function jsonSafe(text: string): string {
  return text.replace(JSON_UNSAFE, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
